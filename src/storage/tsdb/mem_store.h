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
  // Float samples older than (their series' newest sample - ooo_window_ms) are rejected and
  // counted as rejected_too_old; 0 = no limit (the in-memory default). A new series may start
  // at any time after the min valid time (backfill).
  int64_t ooo_window_ms = 0;
};

// What one Write applied, in apply order, so that DiskStore can log exactly that to its WAL.
// Reused across writes (cleared by Write); keys and strings point into the batch or the store
// and are valid until the next write with this log.
struct WriteLog {
  struct NewSeries {
    uint64_t id;
    std::string_view key;
  };
  struct Float {
    uint64_t id;
    int64_t t;
    double v;
  };
  struct String {
    uint64_t id;
    int64_t t;
    std::string_view v;
  };
  std::vector<NewSeries> series;
  std::vector<Float> samples;
  std::vector<String> strings;
  void Clear() {
    series.clear();
    samples.clear();
    strings.clear();
  }
};

// A series as the store keeps it, by key (for DiskStore's merge with blocks and its WAL).
struct KeyedSeries {
  std::string key;
  uint64_t id = 0;  // the head's series id (0 when read from a block)
  std::vector<Sample> samples;
  std::vector<StringSample> strings;
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
  uint64_t rejected_too_old = 0;  // older than the OOO window or the head start
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

  // Write that also reports what it applied into `log` (cleared first); see WriteLog.
  Result<WriteStats> Write(const PointBatch& batch, WriteLog* log);

  // --- For DiskStore (durability). ---
  // Samples older than `t` are refused from now on (the head starts there; older data is in
  // blocks). Never moves backwards.
  void SetMinValidTime(int64_t t);
  int64_t min_valid_time() const { return min_valid_t_.load(std::memory_order_relaxed); }
  // Drops every sample and string with t < before_t (whole chunks when before_t is aligned to
  // chunk_max_span_ms, as the block cutter uses it; a chunk across before_t keeps its later
  // samples). Series stay, with their ids.
  void TruncateBefore(int64_t before_t);
  // Forgets the series left without any sample or string (their data is in blocks), so the
  // head's memory follows the live series, not every series ever seen. A series written again
  // is created anew, with a new id. Returns how many were dropped. Series local indexes
  // (SeriesRef) are invalid afterwards.
  size_t DropEmptySeries();
  // Oldest and newest sample time in the head ({INT64_MAX, INT64_MIN} when empty).
  std::pair<int64_t, int64_t> TimeRange() const;
  // The series of shard `shard` matching all matchers with data in the range, by key, samples
  // sorted and deduplicated (last write wins).
  Result<std::vector<KeyedSeries>> SelectShard(size_t shard, std::span<const LabelMatcher> matchers,
                                               const SelectOptions& options) const;
  // Calls fn(id, key) for every series, one shard lock at a time.
  template <typename F>
  void ForEachSeries(F&& fn) const;
  // Recovery (WAL replay). REQUIRES: no concurrent writes.
  struct SeriesRef {
    uint32_t shard = 0, idx = 0;
  };
  // Finds the series with this key or creates it with this id.
  SeriesRef ReplaySeries(uint64_t id, std::string_view key);
  // Appends as Write does (no OOO window check; samples before the min valid time are
  // dropped: they are in blocks). Returns false when dropped.
  bool ReplaySample(SeriesRef ref, int64_t t, double v);
  bool ReplayString(SeriesRef ref, int64_t t, std::string_view v);

  MemStoreStats Stats() const;
  // The id of the series with exactly these labels (found through Labels::Hash()), if any.
  std::optional<uint64_t> SeriesId(const Labels& labels) const;
  size_t shard_count() const { return size_t{1} << shard_bits_; }
  const MemStoreOptions& options() const { return options_; }

 private:
  struct Shard;
  struct WriteScratch;
  struct KeyParts;

  // Appends a float sample to series `idx` of `shard` (in order, or into its OOO buffer).
  // Returns false if refused (OOO buffer full). REQUIRES: shard.mu held.
  bool AppendFloatLocked(Shard& shard, uint32_t idx, int64_t t, double v);
  // Appends to the open chunk (cutting it when full or at its window's end).
  // REQUIRES: t >= the open chunk's last sample.
  void AppendInOrderLocked(Shard& shard, uint32_t idx, int64_t t, double v);
  // Seals the series' waiting out-of-order samples (see kOooSealSamples).
  void SealOooLocked(Shard& shard, uint32_t idx);
  void AppendStringLocked(Shard& shard, uint32_t idx, int64_t t, std::string_view v);
  std::pair<uint64_t, std::string_view> SeriesIdKey(size_t shard, uint32_t idx) const;
  size_t ShardSeriesCount(size_t shard) const;

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
  std::atomic<int64_t> min_valid_t_{INT64_MIN};
  std::atomic<int64_t> max_t_{INT64_MIN};  // newest float sample written
};

template <typename F>
void MemStore::ForEachSeries(F&& fn) const {
  for (size_t si = 0; si < shard_count(); ++si) {
    // Series are only appended, so the count read first stays valid.
    const size_t n = ShardSeriesCount(si);
    for (size_t i = 0; i < n; ++i) {
      auto [id, key] = SeriesIdKey(si, static_cast<uint32_t>(i));
      fn(id, key);
    }
  }
}

std::unique_ptr<Storage> NewMemStore(MemStoreOptions options = {});

}  // namespace mm::storage
