#include "core/duration.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace mm {

Result<int64_t> ParseDurationMillis(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid duration \"" + std::string(text) + "\": " + why);
  };
  if (text.empty()) return bad("empty");
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"y", 365LL * 86400000}, {"w", 7LL * 86400000},
                                    {"d", 86400000},         {"h", 3600000},
                                    {"m", 60000},            {"s", 1000},
                                    {"ms", 1}};
  int64_t total = 0;
  size_t pos = 0;
  int last_unit = -1;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad("expected a number at position " + std::to_string(start + 1));
    int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + pos, n);
    if (ec != std::errc()) return bad("number out of range");
    size_t ustart = pos;
    while (pos < text.size() && ((text[pos] >= 'a' && text[pos] <= 'z'))) ++pos;
    std::string_view u = text.substr(ustart, pos - ustart);
    int idx = -1;
    for (int i = 0; i < 7; ++i) {
      if (kUnits[i].name == u) idx = i;
    }
    if (idx < 0) {
      return bad(u.empty() ? "missing unit (one of y w d h m s ms)"
                           : "unknown unit \"" + std::string(u) + "\" (one of y w d h m s ms)");
    }
    if (idx <= last_unit) return bad("units must go from largest to smallest, each once");
    last_unit = idx;
    if (n > INT64_MAX / kUnits[idx].ms || total > INT64_MAX - n * kUnits[idx].ms) {
      return bad("too large");
    }
    total += n * kUnits[idx].ms;
  }
  return total;
}

namespace {
Result<double> ParseFloat(std::string_view text) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) {
    return Status::InvalidArgument("not a number: \"" + std::string(text) + "\"");
  }
  return v;
}
}  // namespace

Result<int64_t> ParseDurationOrSecondsMillis(std::string_view text) {
  auto f = ParseFloat(text);
  if (f.ok()) {
    if (std::fabs(*f) > 9.2e15) return Status::InvalidArgument("duration out of range: " + std::string(text));
    return static_cast<int64_t>(std::llround(*f * 1000.0));
  }
  return ParseDurationMillis(text);
}

Result<int64_t> ParseTimeMillis(std::string_view text) {
  auto f = ParseFloat(text);
  if (f.ok()) {
    if (std::fabs(*f) > 9.2e15) return Status::InvalidArgument("time out of range: " + std::string(text));
    return static_cast<int64_t>(std::llround(*f * 1000.0));
  }
  // RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  auto bad = [&] {
    return Status::InvalidArgument("invalid time \"" + std::string(text) +
                                   "\": expected RFC 3339 (2026-01-02T15:04:05Z) or Unix seconds");
  };
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > text.size()) return false;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && p == text.data() + pos + len;
  };
  int Y, M, D, h, m, s;
  if (text.size() < 20 || !num(0, 4, Y) || text[4] != '-' || !num(5, 2, M) || text[7] != '-' ||
      !num(8, 2, D) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !num(11, 2, h) ||
      text[13] != ':' || !num(14, 2, m) || text[16] != ':' || !num(17, 2, s)) {
    return bad();
  }
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60) return bad();
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = 100;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac_ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return bad();
  }
  int64_t offset_s = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!num(pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' || !num(pos + 4, 2, om)) {
      return bad();
    }
    offset_s = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  std::tm tm{};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  int64_t epoch = static_cast<int64_t>(timegm(&tm));
  return (epoch - offset_s) * 1000 + frac_ms;
}

}  // namespace mm
