#include "core/duration.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(DurationTest, PrometheusDurations) {
  EXPECT_EQ(*ParseDurationMillis("1h30m"), 5400000);
  EXPECT_EQ(*ParseDurationMillis("500ms"), 500);
  EXPECT_EQ(*ParseDurationMillis("15s"), 15000);
  EXPECT_EQ(*ParseDurationMillis("2d"), 172800000);
  EXPECT_EQ(*ParseDurationMillis("1w"), 604800000);
  EXPECT_EQ(*ParseDurationMillis("1m1ms"), 60001);
  EXPECT_FALSE(ParseDurationMillis("").ok());
  EXPECT_FALSE(ParseDurationMillis("5").ok());
  EXPECT_FALSE(ParseDurationMillis("1m1h").ok());
  EXPECT_FALSE(ParseDurationMillis("3x").ok());
  EXPECT_NE(ParseDurationMillis("3x").status().message().find("unknown unit \"x\""),
            std::string::npos);
}

TEST(DurationTest, SecondsOrDuration) {
  EXPECT_EQ(*ParseDurationOrSecondsMillis("1.5"), 1500);
  EXPECT_EQ(*ParseDurationOrSecondsMillis("1m"), 60000);
  EXPECT_FALSE(ParseDurationOrSecondsMillis("abc").ok());
}

TEST(DurationTest, Times) {
  EXPECT_EQ(*ParseTimeMillis("1700000000"), 1700000000000);
  EXPECT_EQ(*ParseTimeMillis("1700000000.123"), 1700000000123);
  EXPECT_EQ(*ParseTimeMillis("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParseTimeMillis("2023-11-14T22:13:20.5Z"), 1700000000500);
  EXPECT_EQ(*ParseTimeMillis("2023-11-14T23:13:20+01:00"), 1700000000000);
  EXPECT_FALSE(ParseTimeMillis("yesterday").ok());
  EXPECT_FALSE(ParseTimeMillis("2023-13-14T22:13:20Z").ok());
}

}  // namespace
}  // namespace mm
