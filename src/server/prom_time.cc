#include "server/prom_time.h"

#include <cstdio>
#include <limits>

#include "core/duration.h"

namespace mm::server {

namespace {

// Prometheus clients send these for "no bound" (Go's min/max time.Time in RFC 3339).
constexpr std::string_view kMinTimeFormatted = "-292273086-05-16T16:47:06Z";
constexpr std::string_view kMaxTimeFormatted = "292277025-08-18T07:12:54.999999999Z";

// Civil date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Result<int64_t> ParsePromTimeMillis(std::string_view s) {
  // Go's strconv.ParseFloat accepts a leading '+'; core's parser does not.
  std::string_view t = !s.empty() && s[0] == '+' ? s.substr(1) : s;
  if (auto r = ParseTimeMillis(t); r.ok()) return r;
  if (s == kMinTimeFormatted) return std::numeric_limits<int64_t>::min();
  if (s == kMaxTimeFormatted) return std::numeric_limits<int64_t>::max();
  return Status::InvalidArgument("cannot parse \"" + std::string(s) + "\" to a valid timestamp");
}

Result<int64_t> ParsePromDurationMillis(std::string_view s) {
  std::string_view t = !s.empty() && s[0] == '+' ? s.substr(1) : s;
  if (auto r = ParseDurationOrSecondsMillis(t); r.ok()) return r;
  return Status::InvalidArgument("cannot parse \"" + std::string(s) + "\" to a valid duration");
}

std::string FormatRfc3339Millis(int64_t ms) {
  int64_t secs = FloorDiv(ms, 1000);
  int64_t frac = ms - secs * 1000;
  int64_t days = FloorDiv(secs, 86400);
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                        static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  std::string out(buf, n);
  if (frac != 0) {
    n = std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
    out.append(buf, n);
  }
  out.push_back('Z');
  return out;
}

}  // namespace mm::server
