#include "storage/tsdb/wal.h"

#include <spdlog/spdlog.h>

#include <bit>
#include <cstring>

#include "storage/tsdb/bits.h"
#include "storage/tsdb/crc32c.h"

namespace mm::storage::tsdb {

namespace {

Status Bad(const char* what) { return Status::Corruption(std::string("WAL payload: ") + what); }

}  // namespace

void AppendWalRecord(std::string& out, WalRecordType type, std::string_view payload) {
  const char t = static_cast<char>(type);
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  PutFixed32(out, Crc32c(payload, Crc32c(std::string_view(&t, 1))));
  out.push_back(t);
  out.append(payload);
}

void EncodeWriteLog(const WriteLog& log, std::string& out, std::string& scratch) {
  if (!log.series.empty()) {
    scratch.clear();
    PutUvarint(scratch, log.series.size());
    for (const auto& s : log.series) {
      PutUvarint(scratch, s.id);
      PutUvarint(scratch, s.key.size());
      scratch.append(s.key);
    }
    AppendWalRecord(out, WalRecordType::kSeries, scratch);
  }
  if (!log.samples.empty()) {
    scratch.clear();
    const int64_t base = log.samples.front().t;
    PutUvarint(scratch, log.samples.size());
    PutVarint(scratch, base);
    for (const auto& s : log.samples) {
      PutUvarint(scratch, s.id);
      PutVarint(scratch, static_cast<int64_t>(static_cast<uint64_t>(s.t) - uint64_t(base)));
      PutFixed64(scratch, std::bit_cast<uint64_t>(s.v));
    }
    AppendWalRecord(out, WalRecordType::kSamples, scratch);
  }
  if (!log.strings.empty()) {
    scratch.clear();
    const int64_t base = log.strings.front().t;
    PutUvarint(scratch, log.strings.size());
    PutVarint(scratch, base);
    for (const auto& s : log.strings) {
      PutUvarint(scratch, s.id);
      PutVarint(scratch, static_cast<int64_t>(static_cast<uint64_t>(s.t) - uint64_t(base)));
      PutUvarint(scratch, s.v.size());
      scratch.append(s.v);
    }
    AppendWalRecord(out, WalRecordType::kStrings, scratch);
  }
}

Status DecodeWalSeries(std::string_view payload, std::vector<WalSeries>& out) {
  out.clear();
  ByteCursor c(payload);
  uint64_t n;
  if (!c.U(n)) return Bad("series count");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id, len;
    std::string_view key;
    if (!c.U(id) || !c.U(len) || !c.Bytes(len, key)) return Bad("series entry");
    out.push_back({id, key});
  }
  if (c.p != c.end) return Bad("trailing bytes after series");
  return Status::Ok();
}

Status DecodeWalSamples(std::string_view payload, std::vector<WriteLog::Float>& out) {
  out.clear();
  ByteCursor c(payload);
  uint64_t n;
  int64_t base;
  if (!c.U(n) || !c.S(base)) return Bad("samples header");
  if (n > payload.size()) return Bad("samples count");
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id;
    int64_t dt;
    if (!c.U(id) || !c.S(dt) || c.end - c.p < 8) return Bad("sample entry");
    const uint64_t bits = GetFixed64(c.p);
    c.p += 8;
    out.push_back({id, static_cast<int64_t>(uint64_t(base) + uint64_t(dt)),
                   std::bit_cast<double>(bits)});
  }
  if (c.p != c.end) return Bad("trailing bytes after samples");
  return Status::Ok();
}

Status DecodeWalStrings(std::string_view payload, std::vector<WriteLog::String>& out) {
  out.clear();
  ByteCursor c(payload);
  uint64_t n;
  int64_t base;
  if (!c.U(n) || !c.S(base)) return Bad("strings header");
  if (n > payload.size()) return Bad("strings count");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id, len;
    int64_t dt;
    std::string_view v;
    if (!c.U(id) || !c.S(dt) || !c.U(len) || !c.Bytes(len, v)) return Bad("string entry");
    out.push_back({id, static_cast<int64_t>(uint64_t(base) + uint64_t(dt)), v});
  }
  if (c.p != c.end) return Bad("trailing bytes after strings");
  return Status::Ok();
}

// --- Reader ---

bool WalReader::Fail(std::string why) {
  error_ = "offset " + std::to_string(offset_) + ": " + std::move(why);
  return false;
}

bool WalReader::Next() {
  if (!error_.empty() || offset_ >= size_) return false;
  if (size_ - offset_ < kWalHeaderBytes) return Fail("torn record header");
  char hdr[kWalHeaderBytes];
  auto h = file_->Read(offset_, kWalHeaderBytes, hdr);
  if (!h.ok()) return Fail(h.status().ToString());
  if (h->size() < kWalHeaderBytes) return Fail("torn record header");
  const uint32_t len = GetFixed32(hdr);
  const uint32_t crc = GetFixed32(hdr + 4);
  const uint8_t type = static_cast<uint8_t>(hdr[8]);
  if (len > kMaxWalRecordBytes) return Fail("record length " + std::to_string(len) + " too large");
  if (size_ - offset_ - kWalHeaderBytes < len) return Fail("torn record (length past the end)");
  if (type < 1 || type > 3) return Fail("unknown record type " + std::to_string(type));
  buf_.resize(len);
  auto p = file_->Read(offset_ + kWalHeaderBytes, len, buf_.data());
  if (!p.ok()) return Fail(p.status().ToString());
  if (p->size() < len) return Fail("torn record");
  const char t = static_cast<char>(type);
  if (Crc32c(*p, Crc32c(std::string_view(&t, 1))) != crc) return Fail("record CRC mismatch");
  payload_ = *p;
  type_ = static_cast<WalRecordType>(type);
  offset_ += kWalHeaderBytes + len;
  return true;
}

std::string WalSegmentName(uint32_t n) {
  char b[16];
  std::snprintf(b, sizeof b, "%08u", n);
  return b;
}

// --- Writer ---

Result<std::unique_ptr<Wal>> Wal::Create(Env* env, std::string dir, uint32_t first_segment,
                                         WalOptions options) {
  std::unique_ptr<Wal> wal(new Wal(env, std::move(dir), options));
  MM_RETURN_IF_ERROR(wal->OpenSegment(first_segment));
  return wal;
}

Wal::~Wal() { (void)Close(); }

Status Wal::OpenSegment(uint32_t n) {
  const std::string path = dir_ + "/" + WalSegmentName(n);
  MM_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(path, false));
  segment_ = n;
  segment_good_bytes_ = 0;
  // The new file's directory entry must be durable before a record in it is acknowledged.
  Status s = env_->SyncDir(dir_);
  if (!s.ok()) {
    (void)file_->Close();
    file_.reset();
    return s;
  }
  return Status::Ok();
}

uint64_t Wal::Add(std::string_view records) {
  std::lock_guard lock(mu_);
  pending_.append(records);
  added_ += records.size();
  return added_;
}

void Wal::BecomeLeader(std::unique_lock<std::mutex>& lock) {
  cv_.wait(lock, [&] { return !leader_; });
  leader_ = true;
}

Status Wal::Commit(uint64_t seq) {
  std::unique_lock lock(mu_);
  while (true) {
    for (const auto& [lo, hi] : failed_) {
      if (seq > lo && seq <= hi) {
        return Status::Unavailable("write-ahead log: " + broken_reason_);
      }
    }
    if (done_ >= seq) return Status::Ok();
    if (broken_) return Status::Unavailable("write-ahead log: " + broken_reason_);
    if (leader_) {
      cv_.wait(lock);
      continue;
    }
    // Leader: write (and sync) everything queued so far, for every waiter at once.
    leader_ = true;
    std::string buf;
    buf.swap(pending_);
    const uint64_t upto = added_;
    const uint64_t from = done_;
    lock.unlock();
    Status s = file_ ? Status::Ok() : Status::IoError("no open segment");
    if (s.ok()) s = file_->Append(buf);
    if (s.ok()) s = options_.fsync == FsyncMode::kBatch ? file_->Sync() : file_->Flush();
    bool rolled = false;
    if (s.ok() && file_->Size() >= options_.segment_bytes) {
      s = file_->Sync();
      if (s.ok()) s = file_->Close();
      if (s.ok()) {
        s = OpenSegment(segment_ + 1);
        rolled = s.ok();
        if (!s.ok()) file_.reset();
      }
      // Everything written is complete either way.
      if (!s.ok()) segment_good_bytes_ += buf.size();
    }
    lock.lock();
    leader_ = false;
    if (s.ok()) {
      if (!rolled) segment_good_bytes_ += buf.size();
      if (options_.fsync == FsyncMode::kBatch) ++syncs_;
      done_ = upto;
    } else {
      spdlog::error("write-ahead log segment {}/{} failed: {}; writes are refused until a new "
                    "segment can be written", dir_, WalSegmentName(segment_), s.ToString());
      broken_ = true;
      broken_reason_ = s.ToString();
      failed_.emplace_back(from, upto);
      if (failed_.size() > 64) failed_.erase(failed_.begin());
      done_ = upto;
    }
    cv_.notify_all();
  }
}

Status Wal::SyncNow() {
  std::unique_lock lock(mu_);
  if (broken_ || !file_) return Status::Ok();
  BecomeLeader(lock);
  lock.unlock();
  Status s = file_->Sync();
  lock.lock();
  leader_ = false;
  if (s.ok()) {
    ++syncs_;
  } else {
    broken_ = true;
    broken_reason_ = s.ToString();
  }
  cv_.notify_all();
  return s;
}

void Wal::FailPendingLocked() {
  if (added_ > done_) {
    failed_.emplace_back(done_, added_);
    done_ = added_;
  }
  pending_.clear();
}

Result<uint32_t> Wal::Roll() {
  std::unique_lock lock(mu_);
  BecomeLeader(lock);
  const bool was_broken = broken_;
  if (was_broken) FailPendingLocked();
  const uint32_t next = segment_ + 1;
  lock.unlock();
  Status s;
  if (file_) {
    if (was_broken) {
      (void)file_->Close();
      // Cut the torn tail so replay does not count it as corruption (best effort).
      (void)env_->TruncateFile(dir_ + "/" + WalSegmentName(segment_), segment_good_bytes_);
    } else {
      // Queued records go to the next segment; what is written is synced and closed.
      s = file_->Sync();
      if (s.ok()) s = file_->Close();
    }
    file_.reset();
  }
  if (s.ok()) s = OpenSegment(next);
  lock.lock();
  leader_ = false;
  if (s.ok()) {
    broken_ = false;
    broken_reason_.clear();
  } else {
    broken_ = true;
    broken_reason_ = s.ToString();
    FailPendingLocked();
  }
  cv_.notify_all();
  if (!s.ok()) return Status::Unavailable("write-ahead log: " + s.ToString());
  return next;
}

bool Wal::broken() const {
  std::lock_guard lock(mu_);
  return broken_;
}

uint32_t Wal::segment() const {
  std::lock_guard lock(mu_);
  return segment_;
}

Status Wal::Close() {
  std::unique_lock lock(mu_);
  if (!file_) return Status::Ok();
  BecomeLeader(lock);
  std::string buf;
  buf.swap(pending_);
  const uint64_t upto = added_;
  lock.unlock();
  Status s;
  if (!broken_) {
    s = file_->Append(buf);
    if (s.ok()) s = file_->Sync();
  }
  Status c = file_->Close();
  if (s.ok()) s = c;
  file_.reset();
  lock.lock();
  done_ = upto;
  leader_ = false;
  cv_.notify_all();
  return s;
}

}  // namespace mm::storage::tsdb
