// PromQL evaluator: walks a parsed expression over a grid of evaluation steps (one step for an
// instant query) and reads samples through Storage. Every node is evaluated once for all steps,
// as Prometheus' engine does, so selectors hit the store once per query.
// One Evaluator serves one query on one thread; the Engine (engine.h) creates one per call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "metrics_manager/labels.h"
#include "query/ast.h"
#include "query/engine.h"
#include "storage/storage.h"

namespace mm::query {

// The evaluation times: start, start+interval, ... <= end.
struct Steps {
  int64_t start = 0;
  int64_t end = 0;
  int64_t interval = 1;
  size_t Count() const { return static_cast<size_t>((end - start) / interval) + 1; }
  int64_t At(size_t i) const { return start + static_cast<int64_t>(i) * interval; }
  size_t IndexOf(int64_t t) const { return static_cast<size_t>((t - start) / interval); }
};

struct EvalPoint {
  int64_t t = 0;
  double v = 0;
};
struct EvalSeries {
  Labels labels;
  std::vector<EvalPoint> points;  // sorted by t
};
using EvalMatrix = std::vector<EvalSeries>;

// The value of an expression over all steps.
struct EvalValue {
  ValueType type = ValueType::kNone;
  // kVector: points at step times; kMatrix: raw samples (an instant query's range selector).
  EvalMatrix matrix;
  std::vector<double> scalars;  // kScalar: one value per step
  std::string str;              // kString
  bool ordered = false;         // series order is meaningful (sort, sort_desc, topk, bottomk)
};

// True for Prometheus' staleness marker (a NaN with this exact bit pattern).
bool IsStaleMarker(double v);

class Evaluator {
 public:
  // `query_start_ms`/`query_end_ms` resolve `@ start()` / `@ end()`.
  Evaluator(storage::Storage& storage, const EngineOptions& options, int64_t query_start_ms,
            int64_t query_end_ms);

  Result<EvalValue> Eval(const Expr& e, const Steps& steps);

 private:
  struct RangeSeries {
    Labels labels;
    std::vector<storage::Sample> samples;  // sorted, no stale markers
  };
  struct RangeArg {
    std::vector<RangeSeries> series;
    int64_t range_ms = 0;
    int64_t offset_ms = 0;
    bool has_at = false;
    int64_t at_ms = 0;
    int64_t RefEnd(int64_t ts) const { return (has_at ? at_ms : ts) - offset_ms; }
  };

  Result<EvalValue> EvalVectorSelector(const VectorSelector& vs, const Steps& steps,
                                       bool sample_time_as_value);
  Result<EvalValue> EvalMatrixAtInstant(const Expr& e, const Steps& steps);
  Result<RangeArg> EvalRangeArg(const Expr& e, const Steps& steps);
  // The subquery's inner expression over its own steps (covering every outer window).
  Result<EvalValue> EvalSubqueryInner(const SubqueryExpr& sq, const Steps& steps);
  Result<EvalValue> EvalUnary(const UnaryExpr& u, const Steps& steps);
  Result<EvalValue> EvalBinary(const BinaryExpr& b, const Steps& steps);
  Result<EvalValue> EvalVectorBinary(const BinaryExpr& b, EvalMatrix lhs, EvalMatrix rhs,
                                     const Steps& steps);
  Result<EvalValue> EvalSetBinary(const BinaryExpr& b, EvalMatrix lhs, EvalMatrix rhs,
                                  const Steps& steps);
  Result<EvalValue> EvalAggregate(const AggregateExpr& a, const Steps& steps);
  Result<EvalValue> EvalCall(const Call& c, const Steps& steps);
  Result<EvalValue> EvalRangeFunction(const Call& c, const Steps& steps);
  Result<EvalValue> EvalLabelFunction(const Call& c, const Steps& steps);
  Result<EvalValue> EvalHistogramQuantile(const Call& c, const Steps& steps);

  Result<std::vector<storage::SeriesSamples>> Fetch(const VectorSelector& vs, int64_t min_t,
                                                    int64_t max_t);
  int64_t ResolveAt(const AtModifier& at) const;
  Status CountSamples(size_t n);

  storage::Storage& storage_;
  const EngineOptions& options_;
  int64_t query_start_ms_;
  int64_t query_end_ms_;
  int64_t samples_loaded_ = 0;
};

}  // namespace mm::query
