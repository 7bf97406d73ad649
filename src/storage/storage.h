// Storage: the seam between the engine and every store that can answer queries — the embedded
// TSDB (storage/tsdb) and, later, backends that read back. The query engine and the plotter read
// through this interface only. Implementations are thread-safe: Write and the readers may be
// called concurrently from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/point_batch.h"
#include "core/status.h"
#include "metrics_manager/labels.h"

namespace mm::storage {

// One float sample: timestamp in milliseconds since the epoch (the store's resolution, as in
// Prometheus and VictoriaMetrics) and the value.
struct Sample {
  int64_t t = 0;
  double v = 0;
  friend bool operator==(const Sample&, const Sample&) = default;
};

// A string field value kept beside the float samples of a series (export only, not PromQL).
struct StringSample {
  int64_t t = 0;
  std::string v;
  friend bool operator==(const StringSample&, const StringSample&) = default;
};

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// A label matcher (`name="v"`, `!=`, `=~`, `!~`). Regexes are RE2, fully anchored as in
// Prometheus. Copyable (the compiled regex is shared, immutable).
class LabelMatcher {
 public:
  static Result<LabelMatcher> Make(MatchType type, std::string name, std::string value);
  bool Matches(std::string_view value) const;
  // True if this matcher matches the empty string (so it also matches series without the label).
  bool MatchesEmpty() const { return matches_empty_; }

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  std::string ToString() const;  // name="value" / name=~"re" ...

 private:
  struct Regex;
  MatchType type_ = MatchType::kEqual;
  std::string name_, value_;
  std::shared_ptr<const Regex> re_;
  bool matches_empty_ = false;
};

struct SeriesSamples {
  Labels labels;
  std::vector<Sample> samples;               // sorted by time, within the selected range
  std::vector<StringSample> string_samples;  // only when asked for (export)
};

struct SelectOptions {
  int64_t min_t = INT64_MIN;  // inclusive, ms
  int64_t max_t = INT64_MAX;  // inclusive, ms
  bool with_strings = false;
};

// What a write did: counted, so callers can report and self-monitor.
struct WriteStats {
  uint64_t samples_stored = 0;
  uint64_t samples_rejected = 0;  // e.g. NaN timestamps, out-of-window samples
  uint64_t series_created = 0;
  // Why samples were rejected, for the client (empty when none or not explained).
  std::string rejected_reason;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Stores every field of every point as a sample of its series (see SeriesName()).
  // Timestamps are converted from ns to ms here.
  virtual Result<WriteStats> Write(const PointBatch& batch) = 0;
  // Series matching all matchers, with their samples in [min_t, max_t], sorted by labels.
  virtual Result<std::vector<SeriesSamples>> Select(std::span<const LabelMatcher> matchers,
                                                    const SelectOptions& options) = 0;
  // Label sets of the series matching all matchers that have samples in [min_t, max_t].
  virtual Result<std::vector<Labels>> Series(std::span<const LabelMatcher> matchers,
                                             int64_t min_t, int64_t max_t) = 0;
  // Sorted label names / values of the matching series (no matchers: all series).
  virtual Result<std::vector<std::string>> LabelNames(std::span<const LabelMatcher> matchers,
                                                      int64_t min_t, int64_t max_t) = 0;
  virtual Result<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const LabelMatcher> matchers,
                                                       int64_t min_t, int64_t max_t) = 0;
  virtual Status Flush() = 0;
  // Moves what is held in memory into the store's compact durable form (the durable store:
  // the whole head into blocks, then compaction); operators and benchmarks use it before
  // measuring the size on disk. The default is Flush().
  virtual Status ForceFlush() { return Flush(); }
  virtual Status Close() = 0;
};

}  // namespace mm::storage
