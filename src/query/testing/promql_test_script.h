// Runs PromQL test scripts in the format of Prometheus' promqltest (tests/data/promql/*.test):
//
//   load 5m                                  # samples every 5m from t=0
//     http_requests{job="api"} 0+10x10 1 _ stale
//   eval instant at 10m sum(http_requests)   # expected series, one per line
//     {} 30
//   eval range from 0 to 10m step 5m rate(x[5m])
//     {job="api"} 1 2 _ 3
//   eval_ordered instant at 10m sort(x)      # the order of the lines matters
//   eval_fail instant at 10m 1 +             # must fail; optional detail lines:
//     expected_fail_message parse error      # (substring of the message)
//     expected_fail_type bad_data            # bad_data (kInvalidArgument) or execution
//   clear                                    # drop all series
//
// Values: numbers, Inf, NaN, `_` (no sample), `stale` (a staleness marker), `a+bxn` / `a-bxn`
// (n+1 values from a in steps of b), `axn` (n+1 times a), `_xn` (n missing).
// A scalar result is expected as a single number line. Values compare with a relative tolerance
// of 1e-6 (NaN equals NaN), as in promqltest.
// Not synchronized: one runner per thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "metrics_manager/labels.h"
#include "query/engine.h"
#include "storage/storage.h"

namespace mm::query::testing {

// A store the runner can load series into directly and clear.
class TestStore {
 public:
  virtual ~TestStore() = default;
  virtual storage::Storage& storage() = 0;
  virtual Status Add(const Labels& labels, std::span<const storage::Sample> samples) = 0;
  virtual void Clear() = 0;
  virtual std::string name() const = 0;
};

std::unique_ptr<TestStore> NewFakeTestStore();

struct ScriptReport {
  int evals = 0;  // eval commands run
  int passed = 0;
  std::vector<std::string> failures;  // "file:line: what differs"
};

// Runs one script (its text and a name for messages) against `store`.
ScriptReport RunScript(std::string_view name, std::string_view text, TestStore& store,
                       EngineOptions options = {});

// Parses "1+2x3 _ stale 5" into values; nullopt entries are missing samples. Exposed for tests.
struct SeriesValue {
  bool missing = false;
  double v = 0;
};
Result<std::vector<SeriesValue>> ParseSeriesValues(std::string_view text);

}  // namespace mm::query::testing
