#include "core/point_batch.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(PointBatchTest, AddSortsTagsAndKeepsLastDuplicate) {
  PointBatch b;
  TagRef tags[] = {{"z", "1"}, {"a", "2"}, {"z", "3"}};
  FieldRef f;
  f.key = "value";
  f.f = 1.5;
  b.Add("m", tags, {&f, 1}, 42);
  ASSERT_EQ(b.size(), 1u);
  auto t = b.tags(b.points()[0]);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].key, "a");
  EXPECT_EQ(t[1].key, "z");
  EXPECT_EQ(t[1].value, "3");
  EXPECT_EQ(b.fields(b.points()[0])[0].AsDouble(), 1.5);
  EXPECT_EQ(b.points()[0].timestamp_ns, 42);
}

TEST(PointBatchTest, AddOwnedCopiesAndStampsNow) {
  PointBatch b;
  {
    Point p;
    p.measurement = "cpu";
    p.tags["host"] = "h1";
    p.fields["usage"] = 3.0;
    p.fields["up"] = true;
    p.fields["msg"] = std::string("hello");
    p.fields["n"] = int64_t{-4};
    b.AddOwned(p, 1000);
  }  // the Point is gone; the batch owns copies
  const auto& p = b.points()[0];
  EXPECT_EQ(p.measurement, "cpu");
  EXPECT_EQ(p.timestamp_ns, 1000);
  auto f = b.fields(p);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].key, "msg");
  EXPECT_EQ(f[0].s, "hello");
  EXPECT_EQ(f[1].AsDouble(), -4);
  EXPECT_EQ(f[2].AsDouble(), 1.0);
}

TEST(PointBatchTest, AppendMovesPointsAndBuffers) {
  PointBatch a, b;
  FieldRef f;
  f.key = a.Intern("value");
  a.Add(a.Intern("m1"), {}, {&f, 1}, 1);
  FieldRef g;
  g.key = b.Intern("value");
  TagRef t{b.Intern("k"), b.Intern("v")};
  b.Add(b.Intern("m2"), {&t, 1}, {&g, 1}, 2);
  a.Append(std::move(b));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.points()[1].measurement, "m2");
  EXPECT_EQ(a.tags(a.points()[1])[0].value, "v");
  EXPECT_TRUE(b.empty());
  // The arena still works after adopting blocks.
  EXPECT_EQ(a.Intern("more"), "more");
}

TEST(SeriesNameTest, ValueMapsToMeasurement) {
  EXPECT_EQ(SeriesName("cpu", "value"), "cpu");
  EXPECT_EQ(SeriesName("cpu", "usage_idle"), "cpu_usage_idle");
}

}  // namespace
}  // namespace mm
