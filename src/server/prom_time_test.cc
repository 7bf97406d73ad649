#include "server/prom_time.h"

#include <gtest/gtest.h>

#include <limits>

namespace mm::server {
namespace {

TEST(PromTimeTest, UnixSecondsAndRfc3339) {
  EXPECT_EQ(*ParsePromTimeMillis("1700000000"), 1700000000000);
  EXPECT_EQ(*ParsePromTimeMillis("1700000000.123"), 1700000000123);
  EXPECT_EQ(*ParsePromTimeMillis("+1700000000.5"), 1700000000500);
  EXPECT_EQ(*ParsePromTimeMillis("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParsePromTimeMillis("2023-11-14T22:13:20.123Z"), 1700000000123);
  EXPECT_EQ(*ParsePromTimeMillis("2023-11-14T23:13:20+01:00"), 1700000000000);
}

TEST(PromTimeTest, UnboundedTimesFromGoClients) {
  EXPECT_EQ(*ParsePromTimeMillis("-292273086-05-16T16:47:06Z"),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*ParsePromTimeMillis("292277025-08-18T07:12:54.999999999Z"),
            std::numeric_limits<int64_t>::max());
}

TEST(PromTimeTest, ErrorsUsePrometheusWording) {
  auto r = ParsePromTimeMillis("yesterday");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot parse \"yesterday\" to a valid timestamp");
  EXPECT_FALSE(ParsePromTimeMillis("").ok());
  auto d = ParsePromDurationMillis("1x");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "cannot parse \"1x\" to a valid duration");
}

TEST(PromTimeTest, Durations) {
  EXPECT_EQ(*ParsePromDurationMillis("15"), 15000);
  EXPECT_EQ(*ParsePromDurationMillis("0.5"), 500);
  EXPECT_EQ(*ParsePromDurationMillis("15s"), 15000);
  EXPECT_EQ(*ParsePromDurationMillis("1m"), 60000);
  EXPECT_EQ(*ParsePromDurationMillis("1h30m"), 5400000);
  EXPECT_EQ(*ParsePromDurationMillis("-5"), -5000);  // the caller rejects <= 0
}

TEST(PromTimeTest, FormatRfc3339) {
  EXPECT_EQ(FormatRfc3339Millis(1700000000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatRfc3339Millis(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Millis(951782400000), "2000-02-29T00:00:00Z");
}

}  // namespace
}  // namespace mm::server
