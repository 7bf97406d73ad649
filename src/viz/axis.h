// Axis arithmetic for charts: value formatting with units and prefixes (SI k/M/G, IEC KiB/MiB
// for bytes, ms/µs and min/h/d for seconds, % as is), "nice" value ticks (1-2-5 steps in the
// scaled unit) and calendar-aligned time ticks (1 s … 1 y) labelled by their step, in UTC or the
// local zone. Pure functions; thread-safe (local time goes through localtime_r/mktime).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mm::viz {

// How a unit string scales. "" → SI prefixes for |v| ≥ 1000 only; "percent"/"%" → no prefix;
// "bytes"/"B" (and "bytes/s", "B/s") → IEC binary prefixes; "seconds"/"s" → ns µs ms s min h d;
// anything else ("W", "req/s", "°C") → SI prefixes (n µ m k M G T P) before the unit.
struct UnitScale {
  double factor = 1;   // value / factor is what is printed
  std::string suffix;  // printed after the number ("%", " KiB", " ms", "k", " kW")
};

// The scale that prints `magnitude` (≥ 0; typically the largest |value| on the axis) with one
// to three digits before the point.
UnitScale ChooseScale(std::string_view unit, double magnitude);

// `value` with three significant digits in its own scale: "12.3 MiB", "1.5k", "45.2%", "250 ms".
// NaN → "—".
std::string FormatValue(double value, std::string_view unit);

struct ValueTicks {
  double min = 0;  // the axis range, widened to whole steps unless fixed
  double max = 1;
  double step = 1;
  std::vector<double> values;
  std::vector<std::string> labels;  // all in one scale and with one number of decimals
};

// Ticks over [lo, hi] with about `target` intervals; `fix_min`/`fix_max` keep that end as
// given (a user's y range). lo == hi (a flat line) runs from zero to a whole step past the value
// (0..1 for zero; mirrored for a negative value), an end that is fixed staying where it is.
ValueTicks MakeValueTicks(double lo, double hi, std::string_view unit, int target,
                          bool fix_min = false, bool fix_max = false);

struct TimeTick {
  int64_t t_ms = 0;
  std::string label;
};

struct TimeTicks {
  int64_t step_ms = 0;  // nominal (a month is 30 d, a year 365 d)
  std::vector<TimeTick> ticks;
};

// Ticks in [start_ms, end_ms] at the smallest step of 1s 2s 5s 10s 15s 30s 1m 2m 5m 10m 15m 30m
// 1h 2h 3h 6h 12h 1d 2d 7d 1mo 3mo 6mo 1y 2y 5y 10y … giving at most `max_ticks`, aligned to
// the clock/calendar of the zone (UTC or local). Labels: HH:MM:SS below a minute, HH:MM below a
// day (a midnight shows "Mon DD"), "Mon DD" for days and weeks, "Mon" / "YYYY" for months,
// "YYYY" for years.
TimeTicks MakeTimeTicks(int64_t start_ms, int64_t end_ms, int max_ticks, bool utc);

// "2026-11-24 21:00:00 – 22:00:00 UTC" (the date repeated only when it changes); local times
// carry the zone's abbreviation.
std::string FormatTimeRange(int64_t start_ms, int64_t end_ms, bool utc);

}  // namespace mm::viz
