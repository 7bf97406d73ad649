// MemStore: the embedded time-series store, in memory (the WAL, blocks and compaction come with
// the durability issue; formats in docs/storage_format.md). Series are sharded by the hash of
// their labels; one mutex per shard guards its series, hash table and inverted index, so writers
// on different shards do not contend and a batch takes each shard lock once. Cut chunks are
// immutable and reference-counted, so readers hold a shard lock only to collect references and
// decode open chunks. Thread-safe: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "storage/storage.h"

namespace mm::storage {

struct MemStoreOptions {
  // Number of shards, rounded up to a power of two; 0 = max(16, next pow2 of 4 x cores).
  size_t shards = 0;
  // A chunk is cut when it holds this many samples, or when the next sample falls into another
  // chunk_max_span_ms-aligned window (so chunks never straddle a 2 h block boundary).
  uint32_t chunk_target_samples = 120;
  int64_t chunk_max_span_ms = 2 * 3600 * 1000;
  // Out-of-order samples (t < last t of the series) wait in a per-series buffer merged on
  // read; beyond this many per series they are rejected (counted).
  uint32_t max_ooo_samples_per_series = 1024;
  // Not owned; nullptr = Clock::Real(). Retention and the OOO window (next issue) use it.
  Clock* clock = nullptr;
};

// Sizes for /metrics and the benchmarks. Byte figures are estimates of heap use.
struct MemStoreStats {
  uint64_t series = 0;
  uint64_t samples = 0;         // float samples stored (chunks + open chunks + OOO buffers)
  uint64_t string_samples = 0;
  uint64_t chunks = 0;          // cut chunks
  uint64_t chunk_samples = 0;   // samples in cut chunks
  uint64_t chunk_bytes = 0;     // encoded bytes of cut chunks
  uint64_t chunk_meta_bytes = 0;  // references to cut chunks (time range, pointer, header)
  uint64_t head_chunk_bytes = 0;  // encoded bytes of open chunks (compressed sample data)
  uint64_t index_bytes = 0;     // series keys (labels) + inverted index + series hash tables
  // Per-series bookkeeping that is neither encoded samples, chunk references nor index: series
  // structs, spare capacity of the open-chunk buffers, OOO and string buffers.
  uint64_t head_overhead_bytes = 0;
  uint64_t rejected_out_of_order = 0;
  uint64_t rejected_invalid_labels = 0;
};

class MemStore : public Storage {
 public:
  explicit MemStore(MemStoreOptions options = {});
  ~MemStore() override;
  MemStore(const MemStore&) = delete;
  MemStore& operator=(const MemStore&) = delete;

  Result<WriteStats> Write(const PointBatch& batch) override;
  Result<std::vector<SeriesSamples>> Select(std::span<const LabelMatcher> matchers,
                                            const SelectOptions& options) override;
  Result<std::vector<Labels>> Series(std::span<const LabelMatcher> matchers, int64_t min_t,
                                     int64_t max_t) override;
  Result<std::vector<std::string>> LabelNames(std::span<const LabelMatcher> matchers,
                                              int64_t min_t, int64_t max_t) override;
  Result<std::vector<std::string>> LabelValues(std::string_view name,
                                               std::span<const LabelMatcher> matchers,
                                               int64_t min_t, int64_t max_t) override;
  Status Flush() override;
  // Later writes fail with FailedPrecondition; reads keep working.
  Status Close() override;

  MemStoreStats Stats() const;
  // The id of the series with exactly these labels (found through Labels::Hash()), if any.
  std::optional<uint64_t> SeriesId(const Labels& labels) const;
  size_t shard_count() const { return size_t{1} << shard_bits_; }
  const MemStoreOptions& options() const { return options_; }

 private:
  struct Shard;
  struct WriteScratch;
  struct KeyParts;

  size_t ShardOf(uint64_t hash) const {
    return shard_bits_ == 0 ? 0 : static_cast<size_t>(hash >> (64 - shard_bits_));
  }
  // Ids (local to `shard`) of the series matching and overlapping [min_t, max_t].
  // REQUIRES: shard.mu held.
  std::vector<uint32_t> MatchLocked(const Shard& shard, std::span<const LabelMatcher> matchers,
                                    int64_t min_t, int64_t max_t) const;

  MemStoreOptions options_;
  int shard_bits_ = 0;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> next_series_id_{1};
  std::atomic<uint64_t> rejected_invalid_labels_{0};
  std::atomic<bool> closed_{false};
};

std::unique_ptr<Storage> NewMemStore(MemStoreOptions options = {});

}  // namespace mm::storage
