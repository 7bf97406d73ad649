#include "query/functions.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace mm::query {

namespace {

constexpr ValueType S = ValueType::kScalar;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType Str = ValueType::kString;

const std::vector<FunctionInfo>& Table() {
  static const auto* kTable = new std::vector<FunctionInfo>{
      {"abs", FunctionId::kAbs, {V}, 0, V},
      {"absent", FunctionId::kAbsent, {V}, 0, V},
      {"absent_over_time", FunctionId::kAbsentOverTime, {M}, 0, V},
      {"acos", FunctionId::kAcos, {V}, 0, V},
      {"acosh", FunctionId::kAcosh, {V}, 0, V},
      {"asin", FunctionId::kAsin, {V}, 0, V},
      {"asinh", FunctionId::kAsinh, {V}, 0, V},
      {"atan", FunctionId::kAtan, {V}, 0, V},
      {"atanh", FunctionId::kAtanh, {V}, 0, V},
      {"avg_over_time", FunctionId::kAvgOverTime, {M}, 0, V},
      {"ceil", FunctionId::kCeil, {V}, 0, V},
      {"changes", FunctionId::kChanges, {M}, 0, V},
      {"clamp", FunctionId::kClamp, {V, S, S}, 0, V},
      {"clamp_max", FunctionId::kClampMax, {V, S}, 0, V},
      {"clamp_min", FunctionId::kClampMin, {V, S}, 0, V},
      {"cos", FunctionId::kCos, {V}, 0, V},
      {"cosh", FunctionId::kCosh, {V}, 0, V},
      {"count_over_time", FunctionId::kCountOverTime, {M}, 0, V},
      {"days_in_month", FunctionId::kDaysInMonth, {V}, 1, V},
      {"day_of_month", FunctionId::kDayOfMonth, {V}, 1, V},
      {"day_of_week", FunctionId::kDayOfWeek, {V}, 1, V},
      {"day_of_year", FunctionId::kDayOfYear, {V}, 1, V},
      {"deg", FunctionId::kDeg, {V}, 0, V},
      {"delta", FunctionId::kDelta, {M}, 0, V},
      {"deriv", FunctionId::kDeriv, {M}, 0, V},
      {"exp", FunctionId::kExp, {V}, 0, V},
      {"floor", FunctionId::kFloor, {V}, 0, V},
      {"histogram_count", FunctionId::kHistogramCount, {V}, 0, V},
      {"histogram_sum", FunctionId::kHistogramSum, {V}, 0, V},
      {"histogram_fraction", FunctionId::kHistogramFraction, {S, S, V}, 0, V},
      {"histogram_quantile", FunctionId::kHistogramQuantile, {S, V}, 0, V},
      {"holt_winters", FunctionId::kHoltWinters, {M, S, S}, 0, V},
      {"hour", FunctionId::kHour, {V}, 1, V},
      {"idelta", FunctionId::kIdelta, {M}, 0, V},
      {"increase", FunctionId::kIncrease, {M}, 0, V},
      {"irate", FunctionId::kIrate, {M}, 0, V},
      {"label_replace", FunctionId::kLabelReplace, {V, Str, Str, Str, Str}, 0, V},
      {"label_join", FunctionId::kLabelJoin, {V, Str, Str, Str}, -1, V},
      {"last_over_time", FunctionId::kLastOverTime, {M}, 0, V},
      {"ln", FunctionId::kLn, {V}, 0, V},
      {"log10", FunctionId::kLog10, {V}, 0, V},
      {"log2", FunctionId::kLog2, {V}, 0, V},
      {"max_over_time", FunctionId::kMaxOverTime, {M}, 0, V},
      {"min_over_time", FunctionId::kMinOverTime, {M}, 0, V},
      {"minute", FunctionId::kMinute, {V}, 1, V},
      {"month", FunctionId::kMonth, {V}, 1, V},
      {"pi", FunctionId::kPi, {}, 0, S},
      {"predict_linear", FunctionId::kPredictLinear, {M, S}, 0, V},
      {"present_over_time", FunctionId::kPresentOverTime, {M}, 0, V},
      {"quantile_over_time", FunctionId::kQuantileOverTime, {S, M}, 0, V},
      {"rad", FunctionId::kRad, {V}, 0, V},
      {"rate", FunctionId::kRate, {M}, 0, V},
      {"resets", FunctionId::kResets, {M}, 0, V},
      {"round", FunctionId::kRound, {V, S}, 1, V},
      {"scalar", FunctionId::kScalar, {V}, 0, S},
      {"sgn", FunctionId::kSgn, {V}, 0, V},
      {"sin", FunctionId::kSin, {V}, 0, V},
      {"sinh", FunctionId::kSinh, {V}, 0, V},
      {"sort", FunctionId::kSort, {V}, 0, V},
      {"sort_desc", FunctionId::kSortDesc, {V}, 0, V},
      {"sqrt", FunctionId::kSqrt, {V}, 0, V},
      {"stddev_over_time", FunctionId::kStddevOverTime, {M}, 0, V},
      {"stdvar_over_time", FunctionId::kStdvarOverTime, {M}, 0, V},
      {"sum_over_time", FunctionId::kSumOverTime, {M}, 0, V},
      {"tan", FunctionId::kTan, {V}, 0, V},
      {"tanh", FunctionId::kTanh, {V}, 0, V},
      {"time", FunctionId::kTime, {}, 0, S},
      {"timestamp", FunctionId::kTimestamp, {V}, 0, V},
      {"vector", FunctionId::kVector, {S}, 0, V},
      {"year", FunctionId::kYear, {V}, 1, V},
  };
  return *kTable;
}

// Neumaier's variant of Kahan summation, as Prometheus' kahanSumInc.
inline void KahanInc(double inc, double& sum, double& c) {
  const double t = sum + inc;
  if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}

}  // namespace

const FunctionInfo* LookupFunction(std::string_view name) {
  static const auto* kIndex = [] {
    auto* m = new std::unordered_map<std::string_view, const FunctionInfo*>;
    for (const auto& f : Table()) (*m)[f.name] = &f;
    return m;
  }();
  auto it = kIndex->find(name);
  return it == kIndex->end() ? nullptr : it->second;
}

std::optional<double> ExtrapolatedRate(std::span<const storage::Sample> s, int64_t range_start_ms,
                                       int64_t range_end_ms, bool is_counter, bool is_rate) {
  if (s.size() < 2) return std::nullopt;
  double result = s.back().v - s.front().v;
  if (is_counter) {
    double prev = s.front().v;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i].v < prev) result += prev;  // a counter reset: the counter restarted from 0
      prev = s[i].v;
    }
  }
  double duration_to_start = static_cast<double>(s.front().t - range_start_ms) / 1000;
  const double duration_to_end = static_cast<double>(range_end_ms - s.back().t) / 1000;
  const double sampled_interval = static_cast<double>(s.back().t - s.front().t) / 1000;
  const double avg_between = sampled_interval / static_cast<double>(s.size() - 1);
  if (is_counter && result > 0 && s.front().v >= 0) {
    // A counter cannot go below zero: do not extrapolate further back than its zero point.
    const double duration_to_zero = sampled_interval * (s.front().v / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  // Extrapolate to an edge only if a sample there would be expected (1.1 × the average
  // interval); otherwise by half an interval.
  const double threshold = avg_between * 1.1;
  double extrapolate_to = sampled_interval;
  extrapolate_to += duration_to_start < threshold ? duration_to_start : avg_between / 2;
  extrapolate_to += duration_to_end < threshold ? duration_to_end : avg_between / 2;
  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= static_cast<double>(range_end_ms - range_start_ms) / 1000;
  return result * factor;
}

std::optional<double> InstantValue(std::span<const storage::Sample> s, bool is_rate) {
  if (s.size() < 2) return std::nullopt;
  const auto& last = s[s.size() - 1];
  const auto& prev = s[s.size() - 2];
  double result = (is_rate && last.v < prev.v) ? last.v : last.v - prev.v;
  const int64_t interval = last.t - prev.t;
  if (interval == 0) return std::nullopt;
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  return result;
}

Regression LinearRegression(std::span<const storage::Sample> s, int64_t intercept_time_ms) {
  double n = 0, sum_x = 0, sum_y = 0, sum_xy = 0, sum_x2 = 0;
  const double init_y = s.front().v;
  bool const_y = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (const_y && i > 0 && s[i].v != init_y) const_y = false;
    n += 1;
    const double x = static_cast<double>(s[i].t - intercept_time_ms) / 1e3;
    sum_x += x;
    sum_y += s[i].v;
    sum_xy += x * s[i].v;
    sum_x2 += x * x;
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return {nan, nan};
    }
    return {0, init_y};
  }
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  Regression r;
  r.slope = cov_xy / var_x;
  r.intercept = sum_y / n - r.slope * sum_x / n;
  return r;
}

double KahanSum(std::span<const storage::Sample> s) {
  double sum = 0, c = 0;
  for (const auto& x : s) KahanInc(x.v, sum, c);
  if (std::isinf(sum)) return sum;
  return sum + c;
}

double AvgOverTime(std::span<const storage::Sample> s) {
  double mean = 0, count = 0, c = 0;
  for (const auto& x : s) {
    count += 1;
    if (std::isinf(mean)) {
      // An infinite mean stays as it is unless a NaN or the opposite infinity arrives;
      // subtracting it below would turn it into NaN.
      if (std::isinf(x.v) && (mean > 0) == (x.v > 0)) continue;
      if (!std::isinf(x.v) && !std::isnan(x.v)) continue;
    }
    KahanInc(x.v / count - mean / count, mean, c);
  }
  if (std::isinf(mean)) return mean;
  return mean + c;
}

double StdvarOverTime(std::span<const storage::Sample> s) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const auto& x : s) {
    count += 1;
    const double delta = x.v - (mean + c_mean);
    KahanInc(delta / count, mean, c_mean);
    KahanInc(delta * (x.v - (mean + c_mean)), aux, c_aux);
  }
  return (aux + c_aux) / count;
}

double MinOverTime(std::span<const storage::Sample> s) {
  double m = s.front().v;
  for (const auto& x : s) {
    if (x.v < m || std::isnan(m)) m = x.v;
  }
  return m;
}

double MaxOverTime(std::span<const storage::Sample> s) {
  double m = s.front().v;
  for (const auto& x : s) {
    if (x.v > m || std::isnan(m)) m = x.v;
  }
  return m;
}

double Quantile(double q, std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  // NaN sorts first, as in Prometheus' vectorByValueHeap.
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  if (a == 0 && a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  if (a == 0 && a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

std::string FormatValueForLabel(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, p);
}

double BucketQuantile(double q, std::vector<Bucket>& buckets) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (std::isnan(q)) return nan;
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(buckets.begin(), buckets.end(),
            [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  if (buckets.empty() ||
      !(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) {
    return nan;
  }
  // Merge buckets with the same bound (e.g. "1" and "1.0"), then make counts monotonic.
  size_t w = 0;
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == buckets[w].upper_bound) {
      buckets[w].count += buckets[i].count;
    } else {
      buckets[++w] = buckets[i];
    }
  }
  buckets.resize(w + 1);
  double max = -std::numeric_limits<double>::infinity();
  for (auto& b : buckets) {
    if (b.count > max) {
      max = b.count;
    } else if (b.count < max) {
      b.count = max;
    }
  }
  if (buckets.size() < 2) return nan;
  const double observations = buckets.back().count;
  if (observations == 0) return nan;
  double rank = q * observations;
  // The first bucket (excluding +Inf) whose count reaches the rank.
  size_t b = 0;
  {
    size_t lo = 0, hi = buckets.size() - 1;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (buckets[mid].count >= rank) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    b = lo;
  }
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].upper_bound;
  if (b == 0 && buckets[0].upper_bound <= 0) return buckets[0].upper_bound;
  double bucket_start = 0;
  const double bucket_end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    bucket_start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

}  // namespace mm::query
