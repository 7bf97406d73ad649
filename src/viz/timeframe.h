// Timeframes as users type them for plots and the dashboard — "last_hour", "last_15m", "30m",
// an explicit "START/END" (RFC 3339 or Unix seconds) — resolved to a time range, and the query
// step that gives about one point per pixel column. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mm::viz {

struct TimeRange {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t span_ms() const { return end_ms - start_ms; }
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

// The accepted forms, for error messages and --help texts.
extern const char* const kTimeframeForms;

// Resolves `timeframe` relative to `now_ms`:
//   last_15m, last_hour, last_24h, last_day, last_7d, last_week, last_<duration>  → [now-d, now]
//   a Prometheus duration ("30m", "1h", "2d", "1h30m")                            → [now-d, now]
//   "START/END" with RFC 3339 or Unix-seconds times; END may be "now"
// Errors: kInvalidArgument naming the text and listing kTimeframeForms.
Result<TimeRange> ParseTimeframe(std::string_view timeframe, int64_t now_ms);

// Explicit `start`/`end` (each RFC 3339, Unix seconds, or empty) win over `timeframe`: an
// empty start means end minus the timeframe's span, an empty end means now.
Result<TimeRange> ResolveTimeRange(std::string_view timeframe, std::string_view start,
                                   std::string_view end, int64_t now_ms);

// About one point per pixel column of a `width_px` plot: span / width rounded up to a whole
// second (at least 1 s), then to a step from the 1-2-5 / clock series (1s 2s 5s 10s 15s 30s 1m …)
// so repeated renders of a moving window hit the same grid.
int64_t ChooseStepMillis(const TimeRange& range, int width_px);

}  // namespace mm::viz
