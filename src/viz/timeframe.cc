#include "viz/timeframe.h"

#include <algorithm>
#include <array>

#include "core/duration.h"

namespace mm::viz {

const char* const kTimeframeForms =
    "last_15m, last_hour, last_24h, last_day, last_7d, last_week, last_<duration> "
    "(e.g. last_90m), a duration (30m, 1h, 2d, 1h30m), or START/END with RFC 3339 or "
    "Unix-seconds times (e.g. 2026-11-24T20:00:00Z/2026-11-24T21:00:00Z, END may be \"now\")";

namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

Status BadTimeframe(std::string_view text, std::string_view why) {
  std::string m = "bad timeframe \"" + std::string(text) + "\"";
  if (!why.empty()) m += " (" + std::string(why) + ")";
  m += "; accepted: ";
  m += kTimeframeForms;
  return Status::InvalidArgument(std::move(m));
}

Result<int64_t> ParseTime(std::string_view text, int64_t now_ms) {
  if (text == "now") return now_ms;
  return ParseTimeMillis(text);
}

Result<int64_t> ParseSpan(std::string_view text) {
  std::string_view d = text;
  if (d.starts_with("last_")) d.remove_prefix(5);
  if (d == "hour") return kHour;
  if (d == "day") return kDay;
  if (d == "week") return 7 * kDay;
  if (d == "month") return 30 * kDay;
  if (d == "year") return 365 * kDay;
  auto r = ParseDurationMillis(d);
  if (!r.ok()) return BadTimeframe(text, r.status().message());
  if (*r <= 0) return BadTimeframe(text, "the span must be positive");
  return *r;
}

}  // namespace

Result<TimeRange> ParseTimeframe(std::string_view timeframe, int64_t now_ms) {
  if (timeframe.empty()) return BadTimeframe(timeframe, "empty");
  if (size_t slash = timeframe.find('/'); slash != std::string_view::npos) {
    auto start = ParseTime(timeframe.substr(0, slash), now_ms);
    if (!start.ok()) return BadTimeframe(timeframe, start.status().message());
    auto end = ParseTime(timeframe.substr(slash + 1), now_ms);
    if (!end.ok()) return BadTimeframe(timeframe, end.status().message());
    if (*end <= *start) return BadTimeframe(timeframe, "END must be after START");
    return TimeRange{*start, *end};
  }
  MM_ASSIGN_OR_RETURN(int64_t span, ParseSpan(timeframe));
  return TimeRange{now_ms - span, now_ms};
}

Result<TimeRange> ResolveTimeRange(std::string_view timeframe, std::string_view start,
                                   std::string_view end, int64_t now_ms) {
  if (start.empty() && end.empty()) return ParseTimeframe(timeframe, now_ms);
  TimeRange r;
  if (end.empty()) {
    r.end_ms = now_ms;
  } else {
    auto e = ParseTime(end, now_ms);
    if (!e.ok()) return Status::InvalidArgument("bad end \"" + std::string(end) + "\": " +
                                                e.status().message());
    r.end_ms = *e;
  }
  if (start.empty()) {
    MM_ASSIGN_OR_RETURN(int64_t span, ParseSpan(timeframe.empty() ? "last_hour" : timeframe));
    r.start_ms = r.end_ms - span;
  } else {
    auto s = ParseTime(start, now_ms);
    if (!s.ok()) return Status::InvalidArgument("bad start \"" + std::string(start) + "\": " +
                                                s.status().message());
    r.start_ms = *s;
  }
  if (r.end_ms <= r.start_ms) {
    return Status::InvalidArgument("the end of the time range must be after its start");
  }
  return r;
}

int64_t ChooseStepMillis(const TimeRange& range, int width_px) {
  static constexpr std::array<int64_t, 19> kSteps = {
      kSecond,      2 * kSecond,  5 * kSecond,  10 * kSecond, 15 * kSecond, 30 * kSecond,
      kMinute,      2 * kMinute,  5 * kMinute,  10 * kMinute, 15 * kMinute, 30 * kMinute,
      kHour,        2 * kHour,    3 * kHour,    6 * kHour,    12 * kHour,   kDay,
      7 * kDay};
  int64_t width = std::max(width_px, 1);
  int64_t raw = (std::max<int64_t>(range.span_ms(), 0) + width - 1) / width;
  raw = std::max(kSecond, (raw + kSecond - 1) / kSecond * kSecond);
  for (int64_t s : kSteps) {
    if (s >= raw) return s;
  }
  return (raw + kDay - 1) / kDay * kDay;
}

}  // namespace mm::viz
