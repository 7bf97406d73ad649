#include "viz/timeframe.h"

#include <gtest/gtest.h>

namespace mm::viz {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;

TEST(TimeframeTest, NamedAndDurations) {
  struct Case {
    const char* text;
    int64_t span;
  } cases[] = {{"last_15m", 15 * kMin},   {"last_hour", kHour},      {"last_24h", 24 * kHour},
               {"last_7d", 7 * 24 * kHour}, {"last_day", 24 * kHour}, {"last_week", 7 * 24 * kHour},
               {"1h", kHour},             {"30m", 30 * kMin},        {"1h30m", 90 * kMin},
               {"last_90m", 90 * kMin},   {"2d", 48 * kHour}};
  for (const Case& c : cases) {
    auto r = ParseTimeframe(c.text, kNow);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(r->end_ms, kNow) << c.text;
    EXPECT_EQ(r->span_ms(), c.span) << c.text;
  }
}

TEST(TimeframeTest, ExplicitRange) {
  auto r = ParseTimeframe("2023-11-14T20:00:00Z/2023-11-14T21:30:00Z", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->start_ms, 1'699'992'000'000);
  EXPECT_EQ(r->span_ms(), 90 * kMin);
  r = ParseTimeframe("1699992000/now", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (TimeRange{1'699'992'000'000, kNow}));
  r = ParseTimeframe("1699992000.5/1699992060", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->start_ms, 1'699'992'000'500);
}

TEST(TimeframeTest, ErrorsListTheAcceptedForms) {
  for (const char* bad : {"", "yesterday", "last_", "last_xyz", "5", "-1h", "0s",
                          "2023-11-14T21:00:00Z/2023-11-14T20:00:00Z", "abc/now", "now/xyz"}) {
    auto r = ParseTimeframe(bad, kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("last_hour"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("RFC 3339"), std::string::npos);
    EXPECT_NE(r.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << r.status().message();
  }
}

TEST(TimeframeTest, ResolveWithStartEnd) {
  auto r = ResolveTimeRange("last_hour", "", "", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (TimeRange{kNow - kHour, kNow}));
  // An end alone keeps the timeframe's span.
  r = ResolveTimeRange("30m", "", "1699992000", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (TimeRange{1'699'992'000'000 - 30 * kMin, 1'699'992'000'000}));
  // A start alone runs to now.
  r = ResolveTimeRange("last_hour", "2023-11-14T22:00:00Z", "", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (TimeRange{1'699'999'200'000, kNow}));
  EXPECT_FALSE(ResolveTimeRange("last_hour", "soon", "", kNow).ok());
  EXPECT_FALSE(ResolveTimeRange("last_hour", "1699992000", "1699991000", kNow).ok());
}

TEST(TimeframeTest, StepAboutOnePointPerColumn) {
  EXPECT_EQ(ChooseStepMillis({0, kHour}, 1000), 5'000);       // 3.6 s → 5 s
  EXPECT_EQ(ChooseStepMillis({0, kHour}, 3600), 1'000);       // exactly 1 s
  EXPECT_EQ(ChooseStepMillis({0, 15 * kMin}, 1000), 1'000);   // never below 1 s
  EXPECT_EQ(ChooseStepMillis({0, 24 * kHour}, 1000), 120'000);  // 86.4 s → 2 m
  EXPECT_EQ(ChooseStepMillis({0, 7 * 24 * kHour}, 1000), 15 * kMin);  // 604.8 s → 15 m
  EXPECT_EQ(ChooseStepMillis({0, 10 * 365 * 24 * kHour}, 100), 37 * 24 * kHour);
  for (int w : {100, 640, 1000, 1920}) {
    for (int64_t span : {kMin, kHour, 24 * kHour, 30 * 24 * kHour}) {
      int64_t step = ChooseStepMillis({0, span}, w);
      EXPECT_GE(step, 1000);
      EXPECT_LE(span / step, w) << span << " " << w;  // never more points than columns
    }
  }
}

}  // namespace
}  // namespace mm::viz
