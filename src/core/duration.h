// Durations and timestamps as users type them: Prometheus durations ("1h30m", "500ms", "15s",
// "2d", "1w", "1y"), plain numbers of seconds ("1.5"), and times as RFC 3339 or Unix seconds.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace mm {

// "1h30m", "500ms", "1d", "1w", "1y" (units y w d h m s ms, largest first, each at most once).
Result<int64_t> ParseDurationMillis(std::string_view text);
// A Prometheus duration or a plain (possibly fractional) number of seconds.
Result<int64_t> ParseDurationOrSecondsMillis(std::string_view text);
// RFC 3339 ("2026-11-24T21:41:10Z", "...+01:00", fractional seconds) or Unix seconds ("1700000000.5").
Result<int64_t> ParseTimeMillis(std::string_view text);

}  // namespace mm
