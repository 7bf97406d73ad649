// A stand-in for src/query's Engine, linked into the server tests only while mm_query does not
// exist: it evaluates number literals and plain series selectors (`up`, `up{job="x"}`) with
// Prometheus' lookback and honours max_samples — enough to test the HTTP layer's encoding and
// error mapping with expressions the real engine answers the same way.
#include <cstdlib>

#include "query/engine.h"
#include "server/series_selector.h"

namespace mm::query {

Engine::Engine(storage::Storage& storage, EngineOptions options)
    : storage_(storage), options_(options) {}

namespace {
Result<QueryResult> Eval(storage::Storage& storage, std::string_view expr, int64_t start,
                         int64_t end, int64_t step, int64_t lookback, int64_t max_samples,
                         bool matrix) {
  QueryResult r;
  r.type = matrix ? QueryResult::Type::kMatrix : QueryResult::Type::kVector;
  std::string text(expr);
  char* end_num = nullptr;
  double number = std::strtod(text.c_str(), &end_num);
  if (!text.empty() && end_num == text.c_str() + text.size()) {
    if (matrix) {
      SeriesResult out;
      for (int64_t t = start; t <= end; t += step) out.samples.push_back({t, number});
      r.series.push_back(std::move(out));
    } else {
      r.type = QueryResult::Type::kScalar;
      r.scalar = {start, number};
    }
    return r;
  }
  MM_ASSIGN_OR_RETURN(auto matchers, server::ParseSeriesSelector(expr));
  storage::SelectOptions o;
  o.min_t = start - lookback;
  o.max_t = end;
  MM_ASSIGN_OR_RETURN(auto selected, storage.Select(matchers, o));
  int64_t loaded = 0;
  for (const auto& s : selected) loaded += static_cast<int64_t>(s.samples.size());
  if (loaded > max_samples) {
    return Status::ResourceExhausted(
        "query processing would load too many samples into memory in query execution");
  }
  for (auto& s : selected) {
    SeriesResult out;
    out.labels = s.labels;
    for (int64_t t = start; t <= end; t += step) {
      const storage::Sample* last = nullptr;
      for (const auto& sample : s.samples) {
        if (sample.t <= t && sample.t > t - lookback) last = &sample;
      }
      if (last) out.samples.push_back({t, last->v});
    }
    if (!out.samples.empty()) r.series.push_back(std::move(out));
  }
  return r;
}
}  // namespace

Result<QueryResult> Engine::Instant(std::string_view expr, int64_t time_ms) const {
  return Eval(storage_, expr, time_ms, time_ms, 1, options_.lookback_delta_ms,
              options_.max_samples, false);
}

Result<QueryResult> Engine::Range(std::string_view expr, int64_t start_ms, int64_t end_ms,
                                  int64_t step_ms) const {
  return Eval(storage_, expr, start_ms, end_ms, step_ms, options_.lookback_delta_ms,
              options_.max_samples, true);
}

}  // namespace mm::query
