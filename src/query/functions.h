// The PromQL function table (names, argument and return types, for the parser's type checks)
// and the pure numeric kernels of range-vector functions (rate, deriv, *_over_time, ...), kept
// apart from the evaluator so each can be tested alone. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "storage/storage.h"

namespace mm::query {

enum class FunctionId {
  kAbs,
  kAbsent,
  kAbsentOverTime,
  kAcos,
  kAcosh,
  kAsin,
  kAsinh,
  kAtan,
  kAtanh,
  kAvgOverTime,
  kCeil,
  kChanges,
  kClamp,
  kClampMax,
  kClampMin,
  kCos,
  kCosh,
  kCountOverTime,
  kDaysInMonth,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kDeg,
  kDelta,
  kDeriv,
  kExp,
  kFloor,
  kHistogramCount,
  kHistogramSum,
  kHistogramFraction,
  kHistogramQuantile,
  kHoltWinters,
  kHour,
  kIdelta,
  kIncrease,
  kIrate,
  kLabelReplace,
  kLabelJoin,
  kLastOverTime,
  kLn,
  kLog10,
  kLog2,
  kMaxOverTime,
  kMinOverTime,
  kMinute,
  kMonth,
  kPi,
  kPredictLinear,
  kPresentOverTime,
  kQuantileOverTime,
  kRad,
  kRate,
  kResets,
  kRound,
  kScalar,
  kSgn,
  kSin,
  kSinh,
  kSort,
  kSortDesc,
  kSqrt,
  kStddevOverTime,
  kStdvarOverTime,
  kSumOverTime,
  kTan,
  kTanh,
  kTime,
  kTimestamp,
  kVector,
  kYear,
};

struct FunctionInfo {
  std::string_view name;
  FunctionId id;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types; n > 0: the last n arguments are optional; -1: the last one repeats.
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
};

// The function called `name`, or nullptr.
const FunctionInfo* LookupFunction(std::string_view name);

// ---- Kernels over the samples of one series in one window (sorted by time, no stale markers).

// rate / increase / delta with Prometheus' extrapolation to the window edges.
// range_start/range_end: the window in ms (range_end is the evaluation time minus offset).
std::optional<double> ExtrapolatedRate(std::span<const storage::Sample> s, int64_t range_start_ms,
                                       int64_t range_end_ms, bool is_counter, bool is_rate);
// irate / idelta from the last two samples.
std::optional<double> InstantValue(std::span<const storage::Sample> s, bool is_rate);
// Least-squares slope and intercept at `intercept_time_ms` (x in seconds).
struct Regression {
  double slope = 0;
  double intercept = 0;
};
Regression LinearRegression(std::span<const storage::Sample> s, int64_t intercept_time_ms);
double KahanSum(std::span<const storage::Sample> s);
double AvgOverTime(std::span<const storage::Sample> s);
double StdvarOverTime(std::span<const storage::Sample> s);
double MinOverTime(std::span<const storage::Sample> s);
double MaxOverTime(std::span<const storage::Sample> s);
// Prometheus' quantile over values (sorts `values`): NaN for empty, ±Inf for q outside [0, 1].
double Quantile(double q, std::vector<double>& values);
// Go's math.Max / math.Min (NaN wins, +0 > -0), unlike std::fmax / std::fmin.
double GoMax(double a, double b);
double GoMin(double a, double b);
// Prometheus' printing of a value as a label value (strconv.FormatFloat(v, 'f', -1, 64)).
std::string FormatValueForLabel(double v);

// A classic-histogram bucket: upper bound (le) and cumulative count.
struct Bucket {
  double upper_bound;
  double count;
};
// histogram_quantile over classic buckets (sorts and repairs `buckets`).
double BucketQuantile(double q, std::vector<Bucket>& buckets);

}  // namespace mm::query
