// FakeStorage: a tiny Storage for query tests — a vector of series scanned linearly on every
// Select. Samples are stored exactly as given (including stale-marker NaNs), so tests control
// every bit. Thread-safe (one mutex); not for production use.
#pragma once

#include <mutex>
#include <span>
#include <vector>

#include "storage/storage.h"

namespace mm::query::testing {

class FakeStorage : public storage::Storage {
 public:
  // Appends samples to the series with `labels` (created if new) and keeps them sorted by
  // time; a sample at an existing time replaces it.
  void Add(const Labels& labels, std::span<const storage::Sample> samples);
  void Clear();
  size_t series_count() const;

  Result<storage::WriteStats> Write(const PointBatch& batch) override;
  Result<std::vector<storage::SeriesSamples>> Select(
      std::span<const storage::LabelMatcher> matchers,
      const storage::SelectOptions& options) override;
  Result<std::vector<Labels>> Series(std::span<const storage::LabelMatcher> matchers, int64_t min_t,
                                     int64_t max_t) override;
  Result<std::vector<std::string>> LabelNames(std::span<const storage::LabelMatcher> matchers,
                                              int64_t min_t, int64_t max_t) override;
  Result<std::vector<std::string>> LabelValues(std::string_view name,
                                               std::span<const storage::LabelMatcher> matchers,
                                               int64_t min_t, int64_t max_t) override;
  Status Flush() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }

 private:
  struct StoredSeries {
    Labels labels;
    std::vector<storage::Sample> samples;
  };
  std::vector<const StoredSeries*> MatchingLocked(std::span<const storage::LabelMatcher> matchers,
                                                  int64_t min_t, int64_t max_t) const;

  mutable std::mutex mu_;
  std::vector<StoredSeries> series_;  // sorted by labels
};

}  // namespace mm::query::testing
