// PromQL engine: parses an expression and evaluates it over a Storage at one instant or over a
// range of steps, with Prometheus's semantics (lookback delta, rate extrapolation, staleness of
// series that stop). Results use the public QueryResult shapes.
// Thread-safe: one Engine serves concurrent queries; it holds no per-query state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "metrics_manager/query_result.h"
#include "storage/storage.h"

namespace mm::query {

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;  // Prometheus' default
  int64_t max_samples = 50'000'000;           // per query; exceeding is an execution error
  int64_t max_points_per_series = 11000;      // range queries: (end-start)/step + 1 limit
};

// Errors: kInvalidArgument for a parse error or a bad parameter (→ errorType "bad_data"),
// kResourceExhausted / kInternal for execution failures (→ "execution").
class Engine {
 public:
  explicit Engine(storage::Storage& storage, EngineOptions options = {});

  Result<QueryResult> Instant(std::string_view expr, int64_t time_ms) const;
  // REQUIRES: step_ms > 0, end_ms >= start_ms. Always answers a matrix (or an error).
  Result<QueryResult> Range(std::string_view expr, int64_t start_ms, int64_t end_ms,
                            int64_t step_ms) const;

 private:
  storage::Storage& storage_;
  EngineOptions options_;
};

}  // namespace mm::query
