// VectorStorage: a trivial, obviously-correct Storage for server tests — series in a map, samples
// in vectors, linear scans — plus fault injection (make the next writes or reads fail).
// Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "storage/storage.h"

namespace mm::server {

class VectorStorage : public storage::Storage {
 public:
  Result<storage::WriteStats> Write(const PointBatch& batch) override;
  Result<std::vector<storage::SeriesSamples>> Select(std::span<const storage::LabelMatcher> m,
                                                     const storage::SelectOptions& o) override;
  Result<std::vector<Labels>> Series(std::span<const storage::LabelMatcher> m, int64_t min_t,
                                     int64_t max_t) override;
  Result<std::vector<std::string>> LabelNames(std::span<const storage::LabelMatcher> m,
                                              int64_t min_t, int64_t max_t) override;
  Result<std::vector<std::string>> LabelValues(std::string_view name,
                                               std::span<const storage::LabelMatcher> m,
                                               int64_t min_t, int64_t max_t) override;
  Status Flush() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }

  // Every Write (or read) fails with `s` until cleared with Status::Ok().
  void FailWrites(Status s);
  void FailReads(Status s);
  // Adds one sample directly (tests set up data without line protocol).
  void Add(const Labels& labels, int64_t t_ms, double v);
  size_t sample_count() const;

 private:
  std::vector<const std::pair<const Labels, std::vector<storage::Sample>>*> Matching(
      std::span<const storage::LabelMatcher> m, int64_t min_t, int64_t max_t) const;

  mutable std::mutex mu_;
  std::map<Labels, std::vector<storage::Sample>> series_;
  Status write_error_, read_error_;
};

}  // namespace mm::server
