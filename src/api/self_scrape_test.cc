#include "api/self_scrape.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mm::api {
namespace {

TEST(SelfScrapeTest, ExpositionBecomesPoints) {
  const std::string text =
      "# HELP mm_a_total A counter.\n"
      "# TYPE mm_a_total counter\n"
      "mm_a_total 42\n"
      "mm_req_total{handler=\"/write\",code=\"204\"} 7\n"
      "mm_esc{v=\"a\\\"b\\\\c\\nd\"} 1.5\n"
      "mm_lat_bucket{le=\"0.1\"} 3\n"
      "mm_lat_sum 0.25\n"
      "mm_inf +Inf\n"
      "mm_bad{x=\"1\" 3\n"
      "mm_bad2 abc\n";
  PointBatch b;
  std::vector<TagRef> scratch;
  size_t bad = AppendExposition(text, 123, b, scratch);
  EXPECT_EQ(bad, 2u);
  ASSERT_EQ(b.size(), 5u);
  auto value = [&](size_t i) { return b.fields(b.points()[i])[0].f; };
  EXPECT_EQ(b.points()[0].measurement, "mm_a_total");
  EXPECT_EQ(value(0), 42);
  EXPECT_EQ(b.points()[0].timestamp_ns, 123);
  EXPECT_EQ(b.fields(b.points()[0])[0].key, "value");
  auto tags = b.tags(b.points()[1]);
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].key, "code");  // sorted by key
  EXPECT_EQ(tags[0].value, "204");
  EXPECT_EQ(tags[1].value, "/write");
  EXPECT_EQ(b.tags(b.points()[2])[0].value, "a\"b\\c\nd");
  EXPECT_EQ(value(2), 1.5);
  EXPECT_EQ(b.points()[3].measurement, "mm_lat_sum");  // buckets skipped
  EXPECT_TRUE(std::isinf(value(4)));
}

TEST(SelfScrapeTest, CollectsTheRegistry) {
  SelfMetrics m;
  m.NewCounter("mm_x_total", "x.")->Add(5);
  m.NewGauge("mm_g", "g.", {{"k", "v"}})->Set(2.5);
  SelfScrapeSource source(m);
  PointBatch b;
  ASSERT_TRUE(source.Collect(b, 9).ok());
  ASSERT_EQ(b.size(), 2u);
  for (const PointRef& p : b.points()) {  // Render() orders families by name
    EXPECT_EQ(p.timestamp_ns, 9);
    if (p.measurement == "mm_x_total") {
      EXPECT_EQ(b.fields(p)[0].f, 5);
      EXPECT_TRUE(b.tags(p).empty());
    } else {
      EXPECT_EQ(p.measurement, "mm_g");
      EXPECT_EQ(b.fields(p)[0].f, 2.5);
      ASSERT_EQ(b.tags(p).size(), 1u);
      EXPECT_EQ(b.tags(p)[0].value, "v");
    }
  }
}

}  // namespace
}  // namespace mm::api
