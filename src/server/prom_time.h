// Time and duration parameters as the Prometheus HTTP API reads them (timestamps as unix
// seconds or RFC 3339, durations as float seconds or "1h30m"), with Prometheus' error messages,
// over the parsers in core/duration.h. All results are milliseconds. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mm::server {

// Unix seconds ("1700000000.123") or RFC 3339; also the min/max times Prometheus clients send for
// "unbounded". Error: cannot parse "x" to a valid timestamp.
Result<int64_t> ParsePromTimeMillis(std::string_view s);

// Float seconds ("15", "0.5") or a Prometheus duration ("1m", "1h30m").
// Error: cannot parse "x" to a valid duration.
Result<int64_t> ParsePromDurationMillis(std::string_view s);

// ms since the epoch → "2023-11-14T22:13:20.123Z" (fraction omitted when zero).
std::string FormatRfc3339Millis(int64_t ms);

}  // namespace mm::server
