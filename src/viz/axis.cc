#include "viz/axis.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace mm::viz {
namespace {

// A flat line's axis ends this far past its value (before rounding to whole steps).
constexpr double kFlatHeadroom = 1.25;

struct ScaleStep {
  double factor;
  const char* prefix;
};

enum class UnitKind { kPlain, kPercent, kBytes, kSeconds, kOther };

struct ParsedUnit {
  UnitKind kind = UnitKind::kPlain;
  std::string_view rest;  // kBytes: "/s" or ""; kOther: the unit text
};

ParsedUnit ParseUnit(std::string_view unit) {
  if (unit.empty() || unit == "none" || unit == "short") return {UnitKind::kPlain, {}};
  if (unit == "percent" || unit == "%") return {UnitKind::kPercent, {}};
  if (unit == "seconds" || unit == "s") return {UnitKind::kSeconds, {}};
  for (std::string_view b : {"bytes", "B"}) {
    if (unit == b) return {UnitKind::kBytes, {}};
    if (unit.starts_with(b) && unit.substr(b.size()) == "/s") return {UnitKind::kBytes, "/s"};
  }
  if (unit == "Bps") return {UnitKind::kBytes, "/s"};
  return {UnitKind::kOther, unit};
}

constexpr std::array<ScaleStep, 6> kSiUp = {
    {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}, {1e15, "P"}}};
constexpr std::array<ScaleStep, 9> kSiAll = {{{1e-9, "n"},
                                              {1e-6, "µ"},
                                              {1e-3, "m"},
                                              {1, ""},
                                              {1e3, "k"},
                                              {1e6, "M"},
                                              {1e9, "G"},
                                              {1e12, "T"},
                                              {1e15, "P"}}};
constexpr std::array<ScaleStep, 7> kIec = {{{1, "B"},
                                            {1024.0, "KiB"},
                                            {1024.0 * 1024, "MiB"},
                                            {1024.0 * 1024 * 1024, "GiB"},
                                            {1024.0 * 1024 * 1024 * 1024, "TiB"},
                                            {1024.0 * 1024 * 1024 * 1024 * 1024, "PiB"},
                                            {1024.0 * 1024 * 1024 * 1024 * 1024 * 1024, "EiB"}}};
constexpr std::array<ScaleStep, 7> kTime = {{{1e-9, "ns"},
                                             {1e-6, "µs"},
                                             {1e-3, "ms"},
                                             {1, "s"},
                                             {60, "min"},
                                             {3600, "h"},
                                             {86400, "d"}}};

template <size_t N>
const ScaleStep& Pick(const std::array<ScaleStep, N>& steps, double magnitude, size_t base) {
  if (!(magnitude > 0) || !std::isfinite(magnitude)) return steps[base];
  size_t best = 0;
  for (size_t i = 0; i < N; ++i) {
    // A hair of tolerance so 999.9999 (rounding) still counts as 1000 → 1k.
    if (steps[i].factor <= magnitude * (1 + 1e-9)) best = i;
  }
  return steps[best];
}

int DecimalsForStep(double step) {
  if (!(step > 0)) return 0;
  int d = static_cast<int>(-std::floor(std::log10(step) + 1e-9));
  return std::clamp(d, 0, 9);
}

std::string FormatFixed(double v, int decimals) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.starts_with('-') && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

void StripZeros(std::string& s) {
  if (s.find('.') == std::string::npos) return;
  while (s.ends_with('0')) s.pop_back();
  if (s.ends_with('.')) s.pop_back();
}

double NiceStep(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * mag;
}

// --- time ---

constexpr int64_t kS = 1000;
constexpr int64_t kM = 60 * kS;
constexpr int64_t kH = 60 * kM;
constexpr int64_t kD = 24 * kH;

enum class TimeUnit { kFixed, kDay, kWeek, kMonth, kYear };

struct TimeStep {
  int64_t nominal_ms;
  TimeUnit unit;
  int count;  // days / months / years per step
};

constexpr std::array<TimeStep, 33> kTimeSteps = {{
    {kS, TimeUnit::kFixed, 0},          {2 * kS, TimeUnit::kFixed, 0},
    {5 * kS, TimeUnit::kFixed, 0},      {10 * kS, TimeUnit::kFixed, 0},
    {15 * kS, TimeUnit::kFixed, 0},     {30 * kS, TimeUnit::kFixed, 0},
    {kM, TimeUnit::kFixed, 0},          {2 * kM, TimeUnit::kFixed, 0},
    {5 * kM, TimeUnit::kFixed, 0},      {10 * kM, TimeUnit::kFixed, 0},
    {15 * kM, TimeUnit::kFixed, 0},     {30 * kM, TimeUnit::kFixed, 0},
    {kH, TimeUnit::kFixed, 0},          {2 * kH, TimeUnit::kFixed, 0},
    {3 * kH, TimeUnit::kFixed, 0},      {6 * kH, TimeUnit::kFixed, 0},
    {12 * kH, TimeUnit::kFixed, 0},     {kD, TimeUnit::kDay, 1},
    {2 * kD, TimeUnit::kDay, 2},        {7 * kD, TimeUnit::kWeek, 1},
    {14 * kD, TimeUnit::kWeek, 2},      {30 * kD, TimeUnit::kMonth, 1},
    {91 * kD, TimeUnit::kMonth, 3},     {182 * kD, TimeUnit::kMonth, 6},
    {365 * kD, TimeUnit::kYear, 1},     {2 * 365 * kD, TimeUnit::kYear, 2},
    {5 * 365 * kD, TimeUnit::kYear, 5}, {10 * 365 * kD, TimeUnit::kYear, 10},
    {20 * 365 * kD, TimeUnit::kYear, 20}, {50 * 365 * kD, TimeUnit::kYear, 50},
    {100 * 365 * kD, TimeUnit::kYear, 100}, {200 * 365 * kD, TimeUnit::kYear, 200},
    {500 * 365 * kD, TimeUnit::kYear, 500},
}};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::tm ToTm(int64_t ms, bool utc) {
  std::time_t t = static_cast<std::time_t>(FloorDiv(ms, 1000));
  std::tm tm{};
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  return tm;
}

int64_t FromTm(std::tm tm, bool utc) {
  std::time_t t;
  if (utc) {
    t = timegm(&tm);
  } else {
    tm.tm_isdst = -1;
    t = mktime(&tm);
  }
  return static_cast<int64_t>(t) * 1000;
}

std::string Strftime(const char* format, const std::tm& tm) {
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

std::string TickLabel(int64_t t_ms, const TimeStep& step, bool utc) {
  std::tm tm = ToTm(t_ms, utc);
  switch (step.unit) {
    case TimeUnit::kFixed:
      if (step.nominal_ms < kM) return Strftime("%H:%M:%S", tm);
      if (tm.tm_hour == 0 && tm.tm_min == 0 && tm.tm_sec == 0) return Strftime("%b %d", tm);
      return Strftime("%H:%M", tm);
    case TimeUnit::kDay:
    case TimeUnit::kWeek:
      return Strftime("%b %d", tm);
    case TimeUnit::kMonth:
      return tm.tm_mon == 0 ? Strftime("%Y", tm) : Strftime("%b", tm);
    case TimeUnit::kYear:
      return Strftime("%Y", tm);
  }
  return {};
}

}  // namespace

UnitScale ChooseScale(std::string_view unit, double magnitude) {
  ParsedUnit u = ParseUnit(unit);
  switch (u.kind) {
    case UnitKind::kPlain: {
      const ScaleStep& s = Pick(kSiUp, magnitude, 0);
      return {s.factor, s.prefix};
    }
    case UnitKind::kPercent:
      return {1, "%"};
    case UnitKind::kBytes: {
      const ScaleStep& s = Pick(kIec, magnitude, 0);
      return {s.factor, fmt::format(" {}{}", s.prefix, u.rest)};
    }
    case UnitKind::kSeconds: {
      const ScaleStep& s = Pick(kTime, magnitude, 3);
      return {s.factor, fmt::format(" {}", s.prefix)};
    }
    case UnitKind::kOther: {
      const ScaleStep& s = Pick(kSiAll, magnitude, 3);
      return {s.factor, fmt::format(" {}{}", s.prefix, u.rest)};
    }
  }
  return {};
}

std::string FormatValue(double value, std::string_view unit) {
  if (std::isnan(value)) return "—";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  UnitScale scale = ChooseScale(unit, std::fabs(value));
  double v = value / scale.factor;
  double a = std::fabs(v);
  int decimals = a == 0 ? 0 : std::clamp(2 - static_cast<int>(std::floor(std::log10(a))), 0, 6);
  std::string s = FormatFixed(v, decimals);
  StripZeros(s);
  return s + scale.suffix;
}

ValueTicks MakeValueTicks(double lo, double hi, std::string_view unit, int target, bool fix_min,
                          bool fix_max) {
  ValueTicks t;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    // A flat line: the axis runs from zero to a whole step past the value (as spreadsheet
    // charts show a constant), so the value reads against a zero baseline with the line about
    // three quarters of the way up, not in a ±10 % band that makes a constant look like data.
    // An end the caller fixed stays where it is.
    const double v = lo;
    if (v > 0) {
      if (!fix_min) lo = 0;
      if (!fix_max) hi = v * kFlatHeadroom;
    } else if (v < 0) {
      if (!fix_max) hi = 0;
      if (!fix_min) lo = v * kFlatHeadroom;
    } else if (!fix_max) {
      hi = 1;
    } else if (!fix_min) {
      lo = -1;
    }
    if (hi == lo) hi = lo + 1;  // both ends fixed at one value
  }
  target = std::max(target, 1);
  UnitScale scale = ChooseScale(unit, std::max(std::fabs(lo), std::fabs(hi)));
  double slo = lo / scale.factor;
  double shi = hi / scale.factor;
  double step = NiceStep((shi - slo) / target);
  if (!fix_min) slo = std::floor(slo / step + 1e-9) * step;
  if (!fix_max) shi = std::ceil(shi / step - 1e-9) * step;
  int decimals = DecimalsForStep(step);
  double first = std::ceil(slo / step - 1e-9) * step;
  for (int i = 0; i < 1000; ++i) {
    double v = first + i * step;
    if (v > shi + step * 1e-9) break;
    t.values.push_back(v * scale.factor);
    t.labels.push_back(FormatFixed(v, decimals) + scale.suffix);
  }
  t.min = slo * scale.factor;
  t.max = shi * scale.factor;
  t.step = step * scale.factor;
  return t;
}

TimeTicks MakeTimeTicks(int64_t start_ms, int64_t end_ms, int max_ticks, bool utc) {
  TimeTicks out;
  if (end_ms <= start_ms) return out;
  max_ticks = std::max(max_ticks, 1);
  int64_t span = end_ms - start_ms;
  const TimeStep* step = &kTimeSteps.back();
  for (const TimeStep& s : kTimeSteps) {
    if (span / s.nominal_ms <= max_ticks) {
      step = &s;
      break;
    }
  }
  out.step_ms = step->nominal_ms;
  auto add = [&](int64_t t) { out.ticks.push_back({t, TickLabel(t, *step, utc)}); };

  if (step->unit == TimeUnit::kFixed) {
    int64_t offset = utc ? 0 : static_cast<int64_t>(ToTm(start_ms, false).tm_gmtoff) * 1000;
    int64_t first = -FloorDiv(-(start_ms + offset), step->nominal_ms) * step->nominal_ms - offset;
    for (int64_t t = first; t <= end_ms; t += step->nominal_ms) add(t);
    return out;
  }
  std::tm tm = ToTm(start_ms, utc);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  switch (step->unit) {
    case TimeUnit::kWeek:
      tm.tm_mday += (8 - tm.tm_wday) % 7;  // the next Monday (or this one)
      break;
    case TimeUnit::kMonth:
      tm.tm_mday = 1;
      tm.tm_mon = tm.tm_mon / step->count * step->count;
      break;
    case TimeUnit::kYear:
      tm.tm_mday = 1;
      tm.tm_mon = 0;
      tm.tm_year = static_cast<int>(FloorDiv(tm.tm_year + 1900, step->count) * step->count) - 1900;
      break;
    default:
      break;
  }
  for (int i = 0; i < 10000; ++i) {
    int64_t t = FromTm(tm, utc);
    if (t > end_ms) break;
    if (t >= start_ms) add(t);
    switch (step->unit) {
      case TimeUnit::kDay:
        tm.tm_mday += step->count;
        break;
      case TimeUnit::kWeek:
        tm.tm_mday += 7 * step->count;
        break;
      case TimeUnit::kMonth:
        tm.tm_mon += step->count;
        break;
      default:
        tm.tm_year += step->count;
        break;
    }
    // Normalize (mktime/timegm fold overflowing fields) so the next step starts clean.
    std::tm norm = ToTm(FromTm(tm, utc), utc);
    norm.tm_hour = norm.tm_min = norm.tm_sec = 0;
    tm = norm;
  }
  return out;
}

std::string FormatTimeRange(int64_t start_ms, int64_t end_ms, bool utc) {
  std::tm a = ToTm(start_ms, utc);
  std::tm b = ToTm(end_ms, utc);
  bool same_day = a.tm_year == b.tm_year && a.tm_yday == b.tm_yday;
  std::string zone = utc ? "UTC" : Strftime("%Z", b);
  return fmt::format("{} – {} {}", Strftime("%Y-%m-%d %H:%M:%S", a),
                     Strftime(same_day ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", b), zone);
}

}  // namespace mm::viz
