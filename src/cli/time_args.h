// Times and durations as users type them on the command line: "now", "now-1h", "now+5m",
// RFC 3339 ("2026-01-02T15:04:05Z") or unix seconds ("1700000000.5"); durations "15s", "1m",
// "1h30m" or plain seconds. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mm::cli {

// ms since the epoch; relative forms are taken from `now_ms`.
Result<int64_t> ParseCliTime(std::string_view text, int64_t now_ms);
// ms; must be > 0.
Result<int64_t> ParseCliDuration(std::string_view text);
// ms → "1700000000.123" (what the Prometheus API takes).
std::string UnixSecondsParam(int64_t ms);

}  // namespace mm::cli
