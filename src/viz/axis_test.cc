#include "viz/axis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <ctime>

namespace mm::viz {
namespace {

TEST(AxisTest, FormatValueWithPrefixes) {
  struct Case {
    double v;
    const char* unit;
    const char* want;
  } cases[] = {
      {0, "", "0"},
      {0.125, "", "0.125"},
      {12.345, "", "12.3"},
      {999, "", "999"},
      {1500, "", "1.5k"},
      {2'500'000, "", "2.5M"},
      {3.2e9, "", "3.2G"},
      {-4200, "", "-4.2k"},
      {45.67, "percent", "45.7%"},
      {100, "%", "100%"},
      {512, "bytes", "512 B"},
      {1536, "bytes", "1.5 KiB"},
      {5.0 * 1024 * 1024, "bytes", "5 MiB"},
      {3.5 * 1024 * 1024 * 1024, "B", "3.5 GiB"},
      {2048, "bytes/s", "2 KiB/s"},
      {0.25, "seconds", "250 ms"},
      {0.0000032, "s", "3.2 µs"},
      {1.5, "seconds", "1.5 s"},
      {90, "seconds", "1.5 min"},
      {7200, "seconds", "2 h"},
      {172800, "seconds", "2 d"},
      {1200, "W", "1.2 kW"},
      {0.005, "W", "5 mW"},
      {3, "req/s", "3 req/s"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatValue(c.v, c.unit), c.want) << c.v << " " << c.unit;
  }
  EXPECT_EQ(FormatValue(std::nan(""), ""), "—");
  EXPECT_EQ(FormatValue(INFINITY, ""), "+Inf");
}

TEST(AxisTest, ValueTicksAreNice) {
  ValueTicks t = MakeValueTicks(3, 97, "percent", 5);
  EXPECT_EQ(t.min, 0);
  EXPECT_EQ(t.max, 100);
  EXPECT_EQ(t.step, 20);
  ASSERT_EQ(t.labels.size(), 6u);
  EXPECT_EQ(t.labels.front(), "0%");
  EXPECT_EQ(t.labels.back(), "100%");

  t = MakeValueTicks(0, 3.1e9, "", 4);
  EXPECT_EQ(t.step, 1e9);
  EXPECT_EQ(t.max, 4e9);
  EXPECT_EQ(t.labels[1], "1G");

  // Bytes scale by 1024 then step 1-2-5 in that scale.
  t = MakeValueTicks(0, 3.0 * 1024 * 1024 * 1024, "bytes", 6);
  EXPECT_EQ(t.labels[1], "0.5 GiB");
  EXPECT_DOUBLE_EQ(t.step, 0.5 * 1024 * 1024 * 1024);

  // Decimals follow the step; every label of an axis has the same number.
  t = MakeValueTicks(0.12, 0.47, "", 4);
  EXPECT_EQ(t.labels.front(), "0.1");
  EXPECT_EQ(t.labels.back(), "0.5");

  // Fixed ends stay as given.
  t = MakeValueTicks(13, 87, "", 4, true, true);
  EXPECT_EQ(t.min, 13);
  EXPECT_EQ(t.max, 87);
  EXPECT_EQ(t.values.front(), 20);
  EXPECT_EQ(t.values.back(), 80);

  // Negative values work.
  t = MakeValueTicks(-7, 3, "", 5);
  EXPECT_EQ(t.min, -8);
  EXPECT_EQ(t.max, 4);
  EXPECT_EQ(t.labels[4], "0");  // never "-0"
}

TEST(AxisTest, FlatLineRunsFromZeroToAStepPastTheValue) {
  // 5, 5, 5: 0..8 in steps of 2 (not 4.5..5.5): the line five eighths up, a zero baseline.
  ValueTicks t = MakeValueTicks(5, 5, "", 4);
  EXPECT_EQ(t.min, 0);
  EXPECT_EQ(t.max, 8);
  EXPECT_EQ(t.step, 2);
  EXPECT_EQ(t.labels.front(), "0");
  EXPECT_EQ(t.labels.back(), "8");
  // In its unit's scale: a constant 1.5 GiB.
  t = MakeValueTicks(1.5 * (1 << 30), 1.5 * (1 << 30), "bytes", 4);
  EXPECT_EQ(t.min, 0);
  EXPECT_EQ(t.max, 2.0 * (1 << 30));
  EXPECT_EQ(t.labels.front(), "0.0 GiB");  // every label with the step's decimals
  EXPECT_EQ(t.labels.back(), "2.0 GiB");
  // A value a whole step below the top, whatever its size.
  for (double v : {0.003, 1.0, 42.0, 99.5, 7e6, 1.7e9}) {
    t = MakeValueTicks(v, v, "", 5);
    EXPECT_EQ(t.min, 0) << v;
    EXPECT_GE(t.max, v + t.step * 0.5) << v;  // the line is not on the top edge
    EXPECT_LE(t.max, v * 2) << v;             // nor squashed into the bottom half
  }
  // Negative: mirrored, zero on top.
  t = MakeValueTicks(-5, -5, "", 4);
  EXPECT_EQ(t.min, -8);
  EXPECT_EQ(t.max, 0);
  // Zero: 0..1.
  t = MakeValueTicks(0, 0, "", 4);
  EXPECT_EQ(t.min, 0);
  EXPECT_EQ(t.max, 1);
  // A fixed end stays: y_max 100 over a constant 100 shows 0..100; y_min 5 over 5 grows upwards.
  t = MakeValueTicks(100, 100, "percent", 5, false, true);
  EXPECT_EQ(t.min, 0);
  EXPECT_EQ(t.max, 100);
  t = MakeValueTicks(5, 5, "", 4, true, false);
  EXPECT_EQ(t.min, 5);
  EXPECT_GT(t.max, 5);
  t = MakeValueTicks(3, 3, "", 4, true, true);  // both fixed at one value: still an axis
  EXPECT_EQ(t.min, 3);
  EXPECT_EQ(t.max, 4);
}

TEST(AxisTest, TimeTicksUtc) {
  const int64_t t0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
  // One hour, ~10 labels → 10 min, aligned to the clock.
  TimeTicks t = MakeTimeTicks(t0, t0 + 3'600'000, 10, true);
  EXPECT_EQ(t.step_ms, 600'000);
  ASSERT_FALSE(t.ticks.empty());
  EXPECT_EQ(t.ticks.front().label, "22:20");
  EXPECT_EQ(t.ticks.front().t_ms % 600'000, 0);
  EXPECT_EQ(t.ticks.size(), 6u);
  // Crossing midnight shows the date at 00:00.
  t = MakeTimeTicks(t0 + 4'600'000, t0 + 8'200'000, 10, true);  // 23:30 → 00:30
  ASSERT_EQ(t.ticks.size(), 7u);
  EXPECT_EQ(t.ticks[2].label, "23:50");
  EXPECT_EQ(t.ticks[3].label, "Nov 15");
  EXPECT_EQ(t.ticks[4].label, "00:10");

  t = MakeTimeTicks(t0, t0 + 60'000, 6, true);  // one minute → 10 s with seconds
  EXPECT_EQ(t.step_ms, 10'000);
  EXPECT_EQ(t.ticks.front().label, "22:13:20");  // already on a 10 s boundary
  EXPECT_EQ(t.ticks[1].label, "22:13:30");

  t = MakeTimeTicks(t0, t0 + 7 * 86'400'000LL, 8, true);  // a week → days at midnight
  EXPECT_EQ(t.step_ms, 86'400'000);
  EXPECT_EQ(t.ticks.front().label, "Nov 15");
  EXPECT_EQ(t.ticks.size(), 7u);

  t = MakeTimeTicks(t0, t0 + 400LL * 86'400'000, 6, true);  // > a year → quarters
  EXPECT_EQ(t.ticks.front().label, "2024");                  // January shows the year
  EXPECT_EQ(t.ticks[1].label, "Apr");

  t = MakeTimeTicks(t0, t0 + 30LL * 365 * 86'400'000, 5, true);
  EXPECT_EQ(t.ticks.front().label, "2030");

  for (int n : {2, 5, 10, 20}) {
    for (int64_t span : {5'000LL, 3'600'000LL, 86'400'000LL, 40LL * 86'400'000}) {
      TimeTicks k = MakeTimeTicks(t0, t0 + span, n, false);
      EXPECT_LE(static_cast<int>(k.ticks.size()), n + 1) << span;
      for (const TimeTick& x : k.ticks) {
        EXPECT_GE(x.t_ms, t0);
        EXPECT_LE(x.t_ms, t0 + span);
      }
    }
  }
}

// Local time: ticks align to the zone's clock (Kolkata is UTC+5:30), days to local midnight,
// and across a DST change days stay at midnight (Berlin, 2023-10-29 is 25 hours long).
TEST(AxisTest, TimeTicksLocal) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "Asia/Kolkata", 1);
  tzset();
  const int64_t t0 = 1'700'000'000'000;  // 2023-11-15 03:43:20 IST
  TimeTicks t = MakeTimeTicks(t0, t0 + 6 * 3'600'000, 6, false);
  EXPECT_EQ(t.step_ms, 3'600'000);
  ASSERT_FALSE(t.ticks.empty());
  EXPECT_EQ(t.ticks.front().label, "04:00");
  EXPECT_EQ(t.ticks.front().t_ms % 3'600'000, 30 * 60'000);  // :30 in UTC
  EXPECT_NE(FormatTimeRange(t0, t0 + 60'000, false).find("IST"), std::string::npos);

  setenv("TZ", "Europe/Berlin", 1);
  tzset();
  const int64_t oct27 = 1'698'364'800'000;  // 2023-10-27T00:00:00Z
  t = MakeTimeTicks(oct27, oct27 + 4 * 86'400'000LL, 5, false);
  ASSERT_EQ(t.step_ms, 86'400'000);
  std::vector<std::string> labels;
  for (const TimeTick& k : t.ticks) {
    labels.push_back(k.label);
    std::time_t sec = k.t_ms / 1000;
    std::tm tm{};
    localtime_r(&sec, &tm);
    EXPECT_EQ(tm.tm_hour, 0) << k.label;
    EXPECT_EQ(tm.tm_min, 0) << k.label;
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"Oct 28", "Oct 29", "Oct 30", "Oct 31"}));

  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(AxisTest, TimeRangeCaption) {
  EXPECT_EQ(FormatTimeRange(1'700'000'000'000, 1'700'003'600'000, true),
            "2023-11-14 22:13:20 – 23:13:20 UTC");
  EXPECT_EQ(FormatTimeRange(1'700'000'000'000, 1'700'010'000'000, true),
            "2023-11-14 22:13:20 – 2023-11-15 01:00:00 UTC");
}

}  // namespace
}  // namespace mm::viz
