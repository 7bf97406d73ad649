// Influx line protocol parser: a request body → a PointBatch plus one precise error per bad line.
// Pure function, no I/O; the returned batch shares ownership of `body` (its views point into it,
// or into the batch's arena for names and strings that had escapes). Thread-safe (no shared state).
//
// Format (InfluxDB 1.x/2.x): `measurement[,tag=value...] field=value[,field=value...] [timestamp]`
// per line. Details the parser follows, each covered by tests/data/line_protocol/*.test:
//  - Lines end at '\n'; "\r\n" and trailing spaces/tabs are accepted. Blank lines and lines whose
//    first non-blank character is '#' are skipped. Line numbers count every physical line
//    (1-based).
//  - Escapes: measurement `\,` `\ ` `\\`; tag keys, tag values, field keys `\,` `\=` `\ ` `\\`;
//    string field values `\"` `\\`. A backslash before any other character is a literal backslash.
//  - A quoted string field value may contain raw newlines (as InfluxDB and Telegraf do); such a
//    point is reported under the line it starts on. Strings are limited to kMaxStringBytes.
//  - Field values: floats (`1`, `-1.5E-10`, `.5`; NaN and infinities are rejected), integers `12i`
//    (int64), unsigned `12u` (uint64), booleans t T true True TRUE f F false False FALSE, strings.
//  - A duplicate field key keeps the last value (at the first key's position); a duplicate tag
//    key keeps the last value too. Tags come out sorted by key.
//  - The optional timestamp is a signed integer in `precision` units, scaled to nanoseconds
//    (overflow is an error for that line); a point without one gets `now_ns`.
//  - Good lines are kept even when other lines fail, as InfluxDB does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/point_batch.h"
#include "core/status.h"

namespace mm::ingest {

enum class Precision { kNanoseconds, kMicroseconds, kMilliseconds, kSeconds, kMinutes, kHours };

// Accepts "ns","n","us","u","µ","ms","s","m","h" (InfluxDB 1.x and 2.x spellings); empty = ns.
// The error names the bad value.
Result<Precision> ParsePrecision(std::string_view s);
// Nanoseconds per unit of `p`.
int64_t PrecisionMultiplier(Precision p);

// Longest string field value accepted, after unescaping (InfluxDB's 64 KiB limit).
inline constexpr size_t kMaxStringBytes = 64 * 1024;
// At most this many LineErrors are kept in a ParseResult; `lines_failed` counts all of them.
inline constexpr size_t kMaxReportedErrors = 100;

struct LineError {
  size_t line = 0;  // 1-based physical line where the point starts
  std::string reason;
};
// "line 3: missing fields".
std::string ToString(const LineError& e);

struct ParseResult {
  PointBatch batch;
  std::vector<LineError> errors;  // the first kMaxReportedErrors, in line order
  size_t lines_ok = 0;            // points in `batch`
  size_t lines_failed = 0;        // every line that failed, reported or not
};

// Parses a whole body. Points without a timestamp get `now_ns` (already in nanoseconds).
// REQUIRES: body != nullptr.
ParseResult ParseLineProtocol(std::shared_ptr<const std::string> body, Precision precision,
                              int64_t now_ns);

}  // namespace mm::ingest
