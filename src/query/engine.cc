#include "query/engine.h"

#include <algorithm>

#include "query/evaluator.h"
#include "query/parser.h"

namespace mm::query {

namespace {

void SortByLabels(std::vector<SeriesResult>& series) {
  std::sort(series.begin(), series.end(),
            [](const SeriesResult& a, const SeriesResult& b) { return a.labels < b.labels; });
}

std::vector<SeriesResult> ToSeries(EvalMatrix m) {
  std::vector<SeriesResult> out;
  out.reserve(m.size());
  for (auto& s : m) {
    SeriesResult r;
    r.labels = std::move(s.labels);
    r.samples.reserve(s.points.size());
    for (const auto& p : s.points) r.samples.push_back({p.t, p.v});
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Engine::Engine(storage::Storage& storage, EngineOptions options)
    : storage_(storage), options_(options) {}

Result<QueryResult> Engine::Instant(std::string_view expr, int64_t time_ms) const {
  MM_ASSIGN_OR_RETURN(ExprPtr ast, ParseExpr(expr));
  Evaluator ev(storage_, options_, time_ms, time_ms);
  Steps steps{time_ms, time_ms, 1};
  MM_ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*ast, steps));
  QueryResult r;
  switch (v.type) {
    case ValueType::kScalar:
      r.type = QueryResult::Type::kScalar;
      r.scalar = {time_ms, v.scalars.at(0)};
      break;
    case ValueType::kString:
      r.type = QueryResult::Type::kString;
      r.string_value = std::move(v.str);
      r.scalar.timestamp_ms = time_ms;
      break;
    case ValueType::kMatrix:
      r.type = QueryResult::Type::kMatrix;
      r.series = ToSeries(std::move(v.matrix));
      SortByLabels(r.series);
      break;
    default:
      r.type = QueryResult::Type::kVector;
      r.series = ToSeries(std::move(v.matrix));
      if (!v.ordered) SortByLabels(r.series);
      break;
  }
  return r;
}

Result<QueryResult> Engine::Range(std::string_view expr, int64_t start_ms, int64_t end_ms,
                                  int64_t step_ms) const {
  if (step_ms <= 0) {
    return Status::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if (end_ms < start_ms)
    return Status::InvalidArgument("end timestamp must not be before start time");
  if ((end_ms - start_ms) / step_ms + 1 > options_.max_points_per_series) {
    return Status::InvalidArgument(
        "exceeded maximum resolution of " + std::to_string(options_.max_points_per_series) +
        " points per timeseries. Try decreasing the query resolution (?step=XX)");
  }
  MM_ASSIGN_OR_RETURN(ExprPtr ast, ParseExpr(expr));
  const ValueType t = ast->Type();
  if (t != ValueType::kScalar && t != ValueType::kVector) {
    return Status::InvalidArgument("invalid expression type \"" + std::string(ValueTypeName(t)) +
                                   "\" for range query, must be Scalar or instant Vector");
  }
  Evaluator ev(storage_, options_, start_ms, end_ms);
  Steps steps{start_ms, end_ms, step_ms};
  MM_ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*ast, steps));
  QueryResult r;
  r.type = QueryResult::Type::kMatrix;
  if (v.type == ValueType::kScalar) {
    SeriesResult s;
    for (size_t i = 0; i < v.scalars.size(); ++i) s.samples.push_back({steps.At(i), v.scalars[i]});
    r.series.push_back(std::move(s));
    return r;
  }
  r.series = ToSeries(std::move(v.matrix));
  SortByLabels(r.series);
  return r;
}

}  // namespace mm::query
