// The write-ahead log of DiskStore (format: docs/storage_format.md, "Write-ahead log"):
// record encoding, a streaming segment reader, and Wal, the segment writer with group commit.
// Wal: Add is serialized by the caller (DiskStore's apply lock, so the log order is the head's
// apply order); Commit, SyncNow and Roll may be called from any thread. WalReader and the
// codecs are not synchronized (one thread each).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "storage/tsdb/mem_store.h"

namespace mm::storage::tsdb {

enum class WalRecordType : uint8_t { kSeries = 1, kSamples = 2, kStrings = 3 };
inline constexpr size_t kWalHeaderBytes = 9;
inline constexpr uint32_t kMaxWalRecordBytes = 256u << 20;

enum class FsyncMode { kBatch, kInterval, kOff };

// Appends one record (header + payload) to `out`.
void AppendWalRecord(std::string& out, WalRecordType type, std::string_view payload);
// Appends the records of a write (series, samples, strings; each only when non-empty).
// `scratch` is reused for payloads.
void EncodeWriteLog(const WriteLog& log, std::string& out, std::string& scratch);

// Decoded payloads; views point into the payload.
struct WalSeries {
  uint64_t id;
  std::string_view key;
};
Status DecodeWalSeries(std::string_view payload, std::vector<WalSeries>& out);
Status DecodeWalSamples(std::string_view payload, std::vector<WriteLog::Float>& out);
Status DecodeWalStrings(std::string_view payload, std::vector<WriteLog::String>& out);

// Reads the records of one segment, one at a time (memory: the largest record).
class WalReader {
 public:
  WalReader(const RandomAccessFile* file, uint64_t size) : file_(file), size_(size) {}
  // The next record; false at the end of the segment or at a bad record (then corrupt()).
  bool Next();
  WalRecordType type() const { return type_; }
  std::string_view payload() const { return payload_; }
  // End of the last good record: where a corrupt segment is cut.
  uint64_t good_offset() const { return offset_; }
  bool corrupt() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string why);
  const RandomAccessFile* file_;
  uint64_t size_;
  uint64_t offset_ = 0;
  WalRecordType type_ = WalRecordType::kSeries;
  std::string buf_;
  std::string_view payload_;
  std::string error_;
};

std::string WalSegmentName(uint32_t n);  // "00000042"

struct WalOptions {
  FsyncMode fsync = FsyncMode::kBatch;
  uint64_t segment_bytes = 64ull << 20;
};

class Wal {
 public:
  // Starts writing segment `first_segment` (a new file) in `dir`.
  static Result<std::unique_ptr<Wal>> Create(Env* env, std::string dir, uint32_t first_segment,
                                             WalOptions options);
  ~Wal();

  // Queues whole records; returns the sequence number to Commit. REQUIRES: calls serialized.
  uint64_t Add(std::string_view records);
  // Returns once the records up to `seq` are written (batch mode: and fdatasync-ed), sharing
  // the write and the sync with every writer waiting at the time. Unavailable if they could
  // not be (the log is then broken() until Roll()).
  Status Commit(uint64_t seq);
  // fdatasync of what is written (the interval thread).
  Status SyncNow();
  // Closes the current segment (synced) and starts the next one; records queued and not yet
  // written go there. On a broken log, the queued records fail instead and the broken segment
  // is cut back to its last complete record. Returns the new segment's number.
  Result<uint32_t> Roll();
  bool broken() const;
  uint32_t segment() const;
  // Writes and syncs what is queued, closes the segment.
  Status Close();

  uint64_t syncs() const { return syncs_; }

 private:
  Wal(Env* env, std::string dir, WalOptions options) : env_(env), dir_(std::move(dir)),
                                                       options_(options) {}
  Status OpenSegment(uint32_t n);  // REQUIRES: no file, or the old one closed
  // Waits until no write is in flight and takes the leader role. REQUIRES: lock held.
  void BecomeLeader(std::unique_lock<std::mutex>& lock);
  void FailPendingLocked();

  Env* env_;
  std::string dir_;
  WalOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<WritableFile> file_;  // touched by the leader only
  uint32_t segment_ = 0;
  uint64_t segment_good_bytes_ = 0;  // bytes of complete records written to this segment
  std::string pending_;
  uint64_t added_ = 0;  // sequence = total bytes added
  uint64_t done_ = 0;   // records up to here are written (and synced in batch mode) or failed
  std::vector<std::pair<uint64_t, uint64_t>> failed_;  // (lo, hi] of failed flushes
  bool leader_ = false;
  bool broken_ = false;
  std::string broken_reason_;
  uint64_t syncs_ = 0;
};

}  // namespace mm::storage::tsdb
