#include "metrics_manager/labels.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(LabelsTest, SortsDropsEmptyAndKeepsLastDuplicate) {
  Labels l{{"b", "2"}, {"__name__", "up"}, {"a", "1"}, {"c", ""}, {"a", "3"}};
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l.items()[0].name, "__name__");
  EXPECT_EQ(l.Get("a"), "3");
  EXPECT_EQ(l.Get("c"), "");
  EXPECT_FALSE(l.Has("c"));
  EXPECT_EQ(l.MetricName(), "up");
}

TEST(LabelsTest, HashIsOrderIndependentAndSeparatesBoundaries) {
  Labels a{{"x", "1"}, {"y", "2"}};
  Labels b{{"y", "2"}, {"x", "1"}};
  EXPECT_EQ(a.Hash(), b.Hash());
  Labels c{{"a", "bc"}};
  Labels d{{"ab", "c"}};
  EXPECT_NE(c.Hash(), d.Hash());
}

TEST(LabelsTest, ToStringEscapes) {
  Labels l{{"__name__", "m"}, {"path", "a\"b\\c\nd"}};
  EXPECT_EQ(l.ToString(), R"(m{path="a\"b\\c\nd"})");
  EXPECT_EQ(Labels{}.ToString(), "{}");
}

TEST(LabelsTest, WithAndWithout) {
  Labels l{{"__name__", "m"}, {"a", "1"}};
  EXPECT_EQ(l.With("b", "2").Get("b"), "2");
  EXPECT_EQ(l.With("a", "").size(), 1u);
  EXPECT_EQ(l.Without("__name__").MetricName(), "");
}

}  // namespace
}  // namespace mm
