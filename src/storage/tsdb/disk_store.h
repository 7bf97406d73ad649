// DiskStore: the durable embedded store (formats: docs/storage_format.md, "On disk"). A MemStore
// head whose every applied write is first logged to a WAL with group commit (a Write returns
// only when its record is durable under the fsync policy), immutable on-disk blocks cut from
// the head every block_range, compacted into larger ones and dropped by retention. Recovery on
// open: lock the directory, load blocks, replay checkpoint + WAL (streamed). All file access
// goes through options.env. Thread-safe: every method may be called from any thread; the
// maintenance (cut, compaction, retention, checkpoint) runs on one background thread or when
// RunMaintenance() is called.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/env.h"
#include "storage/storage.h"
#include "storage/tsdb/block.h"
#include "storage/tsdb/mem_store.h"
#include "storage/tsdb/wal.h"

namespace mm::storage {

using tsdb::FsyncMode;

struct DiskStoreOptions {
  std::string path;  // the data directory (created if missing)
  FsyncMode fsync = FsyncMode::kBatch;
  int64_t fsync_interval_ms = 1000;  // for FsyncMode::kInterval
  int64_t ooo_window_ms = 3600 * 1000;
  int64_t retention_ms = 0;      // blocks older than newest sample - this are dropped; 0 = never
  uint64_t retention_bytes = 0;  // blocks beyond this total are dropped, oldest first; 0 = none
  int64_t block_range_ms = 2 * 3600 * 1000;
  uint64_t wal_segment_bytes = 64ull << 20;
  // Samples per chunk in blocks. Larger than the head's (memory is not the constraint once a
  // chunk is immutable on disk): fewer chunk headers and references per sample. 1024 holds a
  // 2 h window of 10 s data in one chunk; a query of a short range decodes at most that many.
  uint32_t block_chunk_samples = 1024;
  // How often the background thread cuts, compacts and applies retention; 0 = no background
  // maintenance (tests call RunMaintenance()).
  int64_t maintenance_interval_ms = 60 * 1000;
  Env* env = nullptr;      // not owned; nullptr = Env::Default()
  Clock* clock = nullptr;  // not owned; nullptr = Clock::Real()
  MemStoreOptions head;    // shards, chunk size; its clock and OOO window are set from above
};

struct DiskStoreStats {
  MemStoreStats head;
  uint64_t blocks = 0;
  uint64_t block_bytes = 0;
  uint64_t block_samples = 0;
  uint64_t wal_syncs = 0;
  uint64_t wal_records_replayed = 0;
  uint64_t wal_samples_replayed = 0;
  uint64_t wal_corrupt_tails = 0;  // segments cut at a torn or corrupt record on open
  uint64_t wal_bytes_dropped = 0;
  uint64_t wal_unknown_refs = 0;
  uint64_t corrupt_blocks = 0;  // blocks set aside (renamed *.corrupt) on open
  uint64_t blocks_cut = 0;
  uint64_t compactions = 0;
  uint64_t blocks_dropped = 0;  // by retention
  uint64_t write_failures = 0;  // writes refused because the WAL could not make them durable
  int64_t replay_ms = 0;        // time spent opening (blocks + WAL replay)
};

class DiskStore : public Storage {
 public:
  static Result<std::unique_ptr<DiskStore>> Open(DiskStoreOptions options);
  ~DiskStore() override;
  DiskStore(const DiskStore&) = delete;
  DiskStore& operator=(const DiskStore&) = delete;

  // Unavailable when the write could not be made durable (it may be visible to readers,
  // but it was not acknowledged; a retry is harmless: equal timestamps, last write wins).
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
  // Makes every acknowledged write durable (fsync), whatever the policy.
  Status Flush() override;
  // Stops maintenance, syncs and closes the WAL, releases the lock. Reads keep working.
  Status Close() override;

  // Cuts the whole head into blocks (the last one ends at the newest sample; older samples are
  // refused from then on, as after any cut), checkpoints the WAL, compacts, applies retention.
  Status ForceFlush() override;

  // Cuts due blocks from the head (then checkpoints the WAL), compacts, applies retention.
  Status RunMaintenance();
  DiskStoreStats Stats() const;
  const DiskStoreOptions& options() const { return options_; }

 private:
  explicit DiskStore(DiskStoreOptions options);
  Status OpenImpl();
  Status LoadBlocks();
  Status ReplayWal(uint32_t* next_segment);
  Status ReplaySegment(const std::string& path, std::string_view label);
  Status RecoverWalLocked();  // REQUIRES: apply_mu_
  // Writes the head's samples in [max(window_start, head start), end) as a block.
  Status CutBlock(int64_t window_start, int64_t end);
  Status MaintenanceLocked(bool whole_head);  // REQUIRES: maint_mu_
  Status Checkpoint();
  Status CompactOnce(bool* did, bool eager);
  Status ApplyRetention();
  Status WriteBlockTmp(const std::string& tmp, tsdb::BlockMeta meta,
                       const std::function<Status(tsdb::BlockWriter&)>& fill,
                       tsdb::BlockMeta* out);
  Status PublishBlock(const std::string& tmp, const std::string& name);
  std::string NextBlockName();
  std::vector<std::shared_ptr<const tsdb::Block>> BlocksSnapshot() const;
  void Background();

  DiskStoreOptions options_;
  Env* env_;
  Clock* clock_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<MemStore> head_;
  std::unique_ptr<tsdb::Wal> wal_;

  std::mutex apply_mu_;  // serializes head apply + WAL append (the log order = apply order)
  std::mutex maint_mu_;  // one maintenance at a time
  mutable std::shared_mutex blocks_mu_;
  std::vector<std::shared_ptr<const tsdb::Block>> blocks_;  // sorted by min_t; guarded
  uint64_t next_block_seq_ = 1;
  std::unordered_map<uint64_t, MemStore::SeriesRef> replay_refs_;  // WAL id → head series

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stop_ = false;
  std::thread bg_;
  std::atomic<bool> closed_{false};

  mutable std::mutex stats_mu_;
  DiskStoreStats stats_;  // counters (head and block figures filled by Stats())
};

Result<std::unique_ptr<Storage>> OpenDiskStore(DiskStoreOptions options);

// "batch" | "interval" | "off".
Result<FsyncMode> ParseFsyncMode(std::string_view s);

}  // namespace mm::storage
