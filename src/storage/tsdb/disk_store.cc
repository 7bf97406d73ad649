#include "storage/tsdb/disk_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "storage/tsdb/chunk.h"
#include "storage/tsdb/series_key.h"

namespace mm::storage {

using tsdb::Block;
using tsdb::BlockMeta;
using tsdb::BlockWriter;

namespace {

constexpr std::string_view kFormatLine = "metrics-manager tsdb 1\n";
constexpr size_t kCheckpointRecordBytes = 1 << 20;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Parses a whole decimal number; false on anything else.
template <typename T>
bool ParseNum(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Deletes a directory tree.
Status RemoveTree(Env* env, const std::string& path) {
  auto names = env->ListDir(path);
  if (!names.ok()) {
    Status s = env->DeleteFile(path);
    return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
  }
  for (const std::string& n : *names) MM_RETURN_IF_ERROR(RemoveTree(env, path + "/" + n));
  return env->DeleteDir(path);
}

// Sorted, last-write-wins merge of parts already in time order each, later parts winning.
void MergeInto(std::vector<Sample>& acc, std::vector<Sample>&& more) {
  if (acc.empty()) {
    acc = std::move(more);
    return;
  }
  if (more.empty()) return;
  const bool sorted = acc.back().t < more.front().t;
  acc.insert(acc.end(), more.begin(), more.end());
  if (sorted) return;
  std::stable_sort(acc.begin(), acc.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
  size_t w = 0;
  for (size_t i = 0; i < acc.size(); ++i) {
    if (i + 1 < acc.size() && acc[i + 1].t == acc[i].t) continue;
    acc[w++] = acc[i];
  }
  acc.resize(w);
}

void MergeInto(std::vector<StringSample>& acc, std::vector<StringSample>&& more) {
  if (acc.empty()) {
    acc = std::move(more);
    return;
  }
  if (more.empty()) return;
  const bool sorted = acc.back().t < more.front().t;
  for (auto& x : more) acc.push_back(std::move(x));
  if (sorted) return;
  std::stable_sort(acc.begin(), acc.end(),
                   [](const StringSample& a, const StringSample& b) { return a.t < b.t; });
  size_t w = 0;
  for (size_t i = 0; i < acc.size(); ++i) {
    if (i + 1 < acc.size() && acc[i + 1].t == acc[i].t) continue;
    if (w != i) acc[w] = std::move(acc[i]);
    ++w;
  }
  acc.resize(w);
}

// Encodes sorted samples as chunks of at most `target` samples that never straddle a `span`
// window (as the head cuts them).
std::vector<std::string> EncodeChunks(std::span<const Sample> samples, uint32_t target,
                                      int64_t span) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < samples.size()) {
    size_t j = i + 1;
    const int64_t w = FloorDiv(samples[i].t, span);
    while (j < samples.size() && j - i < target && FloorDiv(samples[j].t, span) == w) ++j;
    out.push_back(tsdb::EncodeChunk(samples.subspan(i, j - i)));
    i = j;
  }
  return out;
}

}  // namespace

Result<FsyncMode> ParseFsyncMode(std::string_view s) {
  if (s == "batch") return FsyncMode::kBatch;
  if (s == "interval") return FsyncMode::kInterval;
  if (s == "off") return FsyncMode::kOff;
  return Status::InvalidArgument("fsync: \"" + std::string(s) +
                                 "\" is not one of batch, interval, off");
}

DiskStore::DiskStore(DiskStoreOptions options) : options_(std::move(options)) {
  env_ = options_.env != nullptr ? options_.env : Env::Default();
  clock_ = options_.clock != nullptr ? options_.clock : Clock::Real();
  if (options_.block_range_ms <= 0) options_.block_range_ms = 2 * 3600 * 1000;
  MemStoreOptions head = options_.head;
  head.clock = clock_;
  head.ooo_window_ms = options_.ooo_window_ms;
  // Chunks never straddle a block boundary.
  head.chunk_max_span_ms = options_.block_range_ms;
  head_ = std::make_unique<MemStore>(head);
}

DiskStore::~DiskStore() { (void)Close(); }

Result<std::unique_ptr<DiskStore>> DiskStore::Open(DiskStoreOptions options) {
  if (options.path.empty()) return Status::InvalidArgument("DiskStore: no data directory");
  while (options.path.size() > 1 && options.path.back() == '/') options.path.pop_back();
  std::unique_ptr<DiskStore> store(new DiskStore(std::move(options)));
  MM_RETURN_IF_ERROR(store->OpenImpl());
  return store;
}

Result<std::unique_ptr<Storage>> OpenDiskStore(DiskStoreOptions options) {
  MM_ASSIGN_OR_RETURN(std::unique_ptr<DiskStore> s, DiskStore::Open(std::move(options)));
  return std::unique_ptr<Storage>(std::move(s));
}

Status DiskStore::OpenImpl() {
  const int64_t start = clock_->MonotonicNanos();
  const std::string& dir = options_.path;
  if (!env_->FileExists(dir)) {
    MM_RETURN_IF_ERROR(env_->CreateDir(dir));
    // Its entry in the parent must be durable too, or a power cut takes the whole store.
    const size_t slash = dir.rfind('/');
    MM_RETURN_IF_ERROR(env_->SyncDir(slash == std::string::npos ? "."
                                     : slash == 0             ? "/"
                                                              : dir.substr(0, slash)));
  }
  auto lock = env_->LockFile(dir + "/LOCK");
  if (!lock.ok()) {
    return Status::FailedPrecondition("data directory " + dir + " is in use: " +
                                      lock.status().message());
  }
  lock_ = std::move(lock).value();

  const std::string format_path = dir + "/FORMAT";
  if (env_->FileExists(format_path)) {
    MM_ASSIGN_OR_RETURN(std::string format, env_->ReadFile(format_path));
    if (format != kFormatLine) {
      return Status::FailedPrecondition("data directory " + dir + " has format \"" +
                                        format.substr(0, format.find('\n')) +
                                        "\"; this build reads \"" +
                                        std::string(kFormatLine.substr(0, kFormatLine.size() - 1)) +
                                        "\"");
    }
  } else {
    MM_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(format_path + ".tmp", false));
    MM_RETURN_IF_ERROR(f->Append(kFormatLine));
    MM_RETURN_IF_ERROR(f->Sync());
    MM_RETURN_IF_ERROR(f->Close());
    MM_RETURN_IF_ERROR(env_->RenameFile(format_path + ".tmp", format_path));
    MM_RETURN_IF_ERROR(env_->SyncDir(dir));
  }
  MM_RETURN_IF_ERROR(env_->CreateDir(dir + "/wal"));
  MM_RETURN_IF_ERROR(env_->CreateDir(dir + "/blocks"));
  MM_RETURN_IF_ERROR(env_->SyncDir(dir));

  MM_RETURN_IF_ERROR(LoadBlocks());
  uint32_t next_segment = 1;
  MM_RETURN_IF_ERROR(ReplayWal(&next_segment));
  tsdb::WalOptions wo;
  wo.fsync = options_.fsync;
  wo.segment_bytes = options_.wal_segment_bytes;
  MM_ASSIGN_OR_RETURN(wal_, tsdb::Wal::Create(env_, dir + "/wal", next_segment, wo));
  {
    std::lock_guard l(stats_mu_);
    stats_.replay_ms = (clock_->MonotonicNanos() - start) / 1'000'000;
  }
  if (options_.maintenance_interval_ms > 0 || options_.fsync == FsyncMode::kInterval) {
    bg_ = std::thread([this] { Background(); });
  }
  return Status::Ok();
}

Status DiskStore::LoadBlocks() {
  const std::string bdir = options_.path + "/blocks";
  MM_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(bdir));
  std::vector<std::shared_ptr<const Block>> blocks;
  for (const std::string& n : names) {
    if (EndsWith(n, ".tmp")) {
      spdlog::info("removing the unfinished block {}/{}", bdir, n);
      MM_RETURN_IF_ERROR(RemoveTree(env_, bdir + "/" + n));
      continue;
    }
    if (!StartsWith(n, "b-") || EndsWith(n, ".corrupt")) continue;
    uint64_t seq = 0;
    {
      std::string_view hex = std::string_view(n).substr(2);
      auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), seq, 16);
      if (ec == std::errc()) next_block_seq_ = std::max(next_block_seq_, seq + 1);
    }
    auto b = Block::Open(env_, bdir + "/" + n);
    if (!b.ok()) {
      if (b.status().code() == StatusCode::kFailedPrecondition) return b.status();
      spdlog::error("block {}/{} is unreadable and set aside as {}.corrupt: {}", bdir, n, n,
                    b.status().ToString());
      MM_RETURN_IF_ERROR(env_->RenameFile(bdir + "/" + n, bdir + "/" + n + ".corrupt"));
      std::lock_guard l(stats_mu_);
      ++stats_.corrupt_blocks;
      continue;
    }
    blocks.push_back(std::move(b).value());
  }
  // Inputs of a compaction that crashed before deleting them are covered by its output.
  std::set<std::string> covered;
  for (const auto& b : blocks) {
    for (const std::string& s : b->meta().sources) {
      if (s != b->name()) covered.insert(s);
    }
  }
  std::vector<std::shared_ptr<const Block>> kept;
  for (auto& b : blocks) {
    if (covered.count(b->name())) {
      spdlog::info("removing block {}: compacted into another block", b->dir());
      MM_RETURN_IF_ERROR(RemoveTree(env_, b->dir()));
      continue;
    }
    kept.push_back(std::move(b));
  }
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return a->meta().min_t < b->meta().min_t; });
  int64_t max_t = INT64_MIN;
  for (const auto& b : kept) max_t = std::max(max_t, b->meta().max_t);
  if (max_t != INT64_MIN) head_->SetMinValidTime(max_t + 1);
  std::unique_lock l(blocks_mu_);
  blocks_ = std::move(kept);
  return Status::Ok();
}

Status DiskStore::ReplaySegment(const std::string& path, std::string_view label) {
  MM_ASSIGN_OR_RETURN(uint64_t size, env_->FileSize(path));
  MM_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env_->NewRandomAccessFile(path));
  tsdb::WalReader reader(file.get(), size);
  std::vector<tsdb::WalSeries> series;
  std::vector<WriteLog::Float> samples;
  std::vector<WriteLog::String> strings;
  uint64_t records = 0, nsamples = 0, unknown = 0;
  Status bad;
  while (reader.Next()) {
    Status s;
    switch (reader.type()) {
      case tsdb::WalRecordType::kSeries:
        s = tsdb::DecodeWalSeries(reader.payload(), series);
        if (s.ok()) {
          for (const auto& x : series) replay_refs_[x.id] = head_->ReplaySeries(x.id, x.key);
        }
        break;
      case tsdb::WalRecordType::kSamples:
        s = tsdb::DecodeWalSamples(reader.payload(), samples);
        if (s.ok()) {
          for (const auto& x : samples) {
            auto it = replay_refs_.find(x.id);
            if (it == replay_refs_.end()) {
              ++unknown;
              continue;
            }
            head_->ReplaySample(it->second, x.t, x.v);
            ++nsamples;
          }
        }
        break;
      case tsdb::WalRecordType::kStrings:
        s = tsdb::DecodeWalStrings(reader.payload(), strings);
        if (s.ok()) {
          for (const auto& x : strings) {
            auto it = replay_refs_.find(x.id);
            if (it == replay_refs_.end()) {
              ++unknown;
              continue;
            }
            head_->ReplayString(it->second, x.t, x.v);
            ++nsamples;
          }
        }
        break;
    }
    if (!s.ok()) {
      // A record with a good CRC and a bad payload: written by a broken build. Cut here too.
      bad = s;
      break;
    }
    ++records;
  }
  std::lock_guard l(stats_mu_);
  stats_.wal_records_replayed += records;
  stats_.wal_samples_replayed += nsamples;
  stats_.wal_unknown_refs += unknown;
  if (unknown > 0) {
    spdlog::warn("WAL {}: {} samples name series the log does not define; skipped", label,
                 unknown);
  }
  if (reader.corrupt() || !bad.ok()) {
    const uint64_t good = reader.good_offset();
    const std::string why = bad.ok() ? reader.error() : bad.ToString();
    spdlog::warn("WAL {}: {}; cutting the segment at byte {} ({} bytes dropped)", label, why,
                 good, size - good);
    ++stats_.wal_corrupt_tails;
    stats_.wal_bytes_dropped += size - good;
    Status t = env_->TruncateFile(path, good);
    if (!t.ok()) spdlog::warn("WAL {}: cannot cut the segment: {}", label, t.ToString());
  }
  return Status::Ok();
}

Status DiskStore::ReplayWal(uint32_t* next_segment) {
  const std::string wdir = options_.path + "/wal";
  MM_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(wdir));
  int64_t checkpoint = -1;
  std::vector<uint32_t> segments;
  for (const std::string& n : names) {
    uint32_t num = 0;
    if (StartsWith(n, "checkpoint.")) {
      std::string_view rest = std::string_view(n).substr(11);
      if (EndsWith(rest, ".tmp")) {
        MM_RETURN_IF_ERROR(RemoveTree(env_, wdir + "/" + n));
      } else if (ParseNum(rest, num)) {
        checkpoint = std::max<int64_t>(checkpoint, num);
      }
    } else if (ParseNum(std::string_view(n), num)) {
      segments.push_back(num);
    }
  }
  std::sort(segments.begin(), segments.end());
  uint32_t next = 1;
  if (checkpoint >= 0) {
    // Leftovers of a checkpoint whose cleanup did not finish.
    for (const std::string& n : names) {
      uint32_t num = 0;
      if (StartsWith(n, "checkpoint.") && ParseNum(std::string_view(n).substr(11), num) &&
          num < checkpoint) {
        MM_RETURN_IF_ERROR(RemoveTree(env_, wdir + "/" + n));
      }
    }
    const std::string cp = wdir + "/checkpoint." + tsdb::WalSegmentName(checkpoint);
    MM_RETURN_IF_ERROR(ReplaySegment(cp + "/" + tsdb::WalSegmentName(0),
                                     "checkpoint." + tsdb::WalSegmentName(checkpoint)));
    next = static_cast<uint32_t>(checkpoint) + 1;
  }
  for (uint32_t s : segments) {
    const std::string path = wdir + "/" + tsdb::WalSegmentName(s);
    if (checkpoint >= 0 && s <= checkpoint) {
      MM_RETURN_IF_ERROR(env_->DeleteFile(path));
      continue;
    }
    MM_RETURN_IF_ERROR(ReplaySegment(path, tsdb::WalSegmentName(s)));
    next = std::max(next, s + 1);
  }
  replay_refs_.clear();
  replay_refs_.rehash(0);
  *next_segment = next;
  return Status::Ok();
}

Status DiskStore::RecoverWalLocked() {
  auto seg = wal_->Roll();
  if (!seg.ok()) {
    return Status::Unavailable("cannot write to the data directory " + options_.path + ": " +
                               seg.status().message());
  }
  // The failed segment may have lost series records: define every series again first.
  WriteLog log;
  std::string rec, scratch;
  head_->ForEachSeries([&](uint64_t id, std::string_view key) {
    log.series.push_back({id, key});
    if (log.series.size() >= 4096) {
      tsdb::EncodeWriteLog(log, rec, scratch);
      log.Clear();
    }
  });
  tsdb::EncodeWriteLog(log, rec, scratch);
  if (!rec.empty()) (void)wal_->Add(rec);
  spdlog::info("write-ahead log: continuing in segment {}", tsdb::WalSegmentName(*seg));
  return Status::Ok();
}

Result<WriteStats> DiskStore::Write(const PointBatch& batch) {
  if (closed_.load()) return Status::FailedPrecondition("write to a closed store");
  thread_local WriteLog log;
  thread_local std::string rec, scratch;
  uint64_t seq = 0;
  WriteStats stats;
  {
    std::lock_guard l(apply_mu_);
    if (wal_->broken()) {
      Status s = RecoverWalLocked();
      if (!s.ok()) {
        std::lock_guard sl(stats_mu_);
        ++stats_.write_failures;
        return s;
      }
    }
    MM_ASSIGN_OR_RETURN(stats, head_->Write(batch, &log));
    rec.clear();
    tsdb::EncodeWriteLog(log, rec, scratch);
    if (rec.empty()) return stats;
    seq = wal_->Add(rec);
  }
  if (rec.capacity() > (8u << 20)) std::string().swap(rec);
  Status s = wal_->Commit(seq);
  if (!s.ok()) {
    std::lock_guard sl(stats_mu_);
    ++stats_.write_failures;
    return Status::Unavailable("write not durable (" + s.message() + "); retry later");
  }
  return stats;
}

std::vector<std::shared_ptr<const Block>> DiskStore::BlocksSnapshot() const {
  std::shared_lock l(blocks_mu_);
  return blocks_;
}

Result<std::vector<SeriesSamples>> DiskStore::Select(std::span<const LabelMatcher> matchers,
                                                     const SelectOptions& options) {
  std::unordered_map<std::string, KeyedSeries> merged;
  auto add = [&](std::vector<KeyedSeries>&& part) {
    for (KeyedSeries& k : part) {
      auto it = merged.find(k.key);
      if (it == merged.end()) {
        std::string key = k.key;
        merged.emplace(std::move(key), std::move(k));
        continue;
      }
      MergeInto(it->second.samples, std::move(k.samples));
      MergeInto(it->second.strings, std::move(k.strings));
    }
  };
  // The head is read before the block list: a cut publishes its block before it truncates the
  // head, so a window leaving the head is always found in one or the other.
  std::vector<std::vector<KeyedSeries>> head_parts;
  for (size_t si = 0; si < head_->shard_count(); ++si) {
    MM_ASSIGN_OR_RETURN(std::vector<KeyedSeries> part, head_->SelectShard(si, matchers, options));
    head_parts.push_back(std::move(part));
  }
  for (const auto& b : BlocksSnapshot()) {
    if (b->meta().min_t > options.max_t || b->meta().max_t < options.min_t) continue;
    MM_ASSIGN_OR_RETURN(std::vector<KeyedSeries> part, b->Select(matchers, options));
    add(std::move(part));
  }
  // The head merges last: it wins on equal timestamps (a window being cut is in both, equal).
  for (auto& part : head_parts) add(std::move(part));
  std::vector<SeriesSamples> out;
  out.reserve(merged.size());
  for (auto& [key, k] : merged) {
    SeriesSamples ss;
    ss.labels = tsdb::LabelsFromKey(key);
    ss.samples = std::move(k.samples);
    ss.string_samples = std::move(k.strings);
    out.push_back(std::move(ss));
  }
  std::sort(out.begin(), out.end(),
            [](const SeriesSamples& a, const SeriesSamples& b) { return a.labels < b.labels; });
  return out;
}

Result<std::vector<Labels>> DiskStore::Series(std::span<const LabelMatcher> matchers,
                                              int64_t min_t, int64_t max_t) {
  MM_ASSIGN_OR_RETURN(std::vector<Labels> out, head_->Series(matchers, min_t, max_t));
  std::unordered_set<std::string> keys;
  for (const Labels& l : out) keys.insert(tsdb::SeriesKey(l));
  for (const auto& b : BlocksSnapshot()) {
    for (uint32_t i : b->Match(matchers, min_t, max_t)) {
      if (keys.emplace(b->key(i)).second) out.push_back(tsdb::LabelsFromKey(b->key(i)));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> DiskStore::LabelNames(std::span<const LabelMatcher> matchers,
                                                       int64_t min_t, int64_t max_t) {
  MM_ASSIGN_OR_RETURN(std::vector<std::string> head, head_->LabelNames(matchers, min_t, max_t));
  std::set<std::string> names(head.begin(), head.end());
  const bool all = matchers.empty() && min_t == INT64_MIN && max_t == INT64_MAX;
  for (const auto& b : BlocksSnapshot()) {
    if (all) {
      for (std::string_view n : b->index().LabelNames()) names.emplace(n);
      continue;
    }
    for (uint32_t i : b->Match(matchers, min_t, max_t)) {
      tsdb::ForEachKeyLabel(b->key(i), [&](std::string_view n, std::string_view) {
        names.emplace(n);
      });
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> DiskStore::LabelValues(std::string_view name,
                                                        std::span<const LabelMatcher> matchers,
                                                        int64_t min_t, int64_t max_t) {
  MM_ASSIGN_OR_RETURN(std::vector<std::string> head,
                      head_->LabelValues(name, matchers, min_t, max_t));
  std::set<std::string> values(head.begin(), head.end());
  const bool all = matchers.empty() && min_t == INT64_MIN && max_t == INT64_MAX;
  for (const auto& b : BlocksSnapshot()) {
    if (all) {
      for (std::string_view v : b->index().LabelValues(name)) values.emplace(v);
      continue;
    }
    for (uint32_t i : b->Match(matchers, min_t, max_t)) {
      std::string_view v = tsdb::KeyLabelValue(b->key(i), name);
      if (!v.empty()) values.emplace(v);
    }
  }
  return std::vector<std::string>(values.begin(), values.end());
}

Status DiskStore::Flush() {
  if (closed_.load() || !wal_) return Status::Ok();
  return wal_->SyncNow();
}

Status DiskStore::Close() {
  if (closed_.exchange(true)) return Status::Ok();
  {
    std::lock_guard l(bg_mu_);
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
  Status s;
  {
    std::lock_guard l(apply_mu_);
    if (wal_) s = wal_->Close();
  }
  (void)head_->Close();
  if (lock_) (void)env_->UnlockFile(std::move(lock_));
  return s;
}

void DiskStore::Background() {
  int64_t next_sync = clock_->MonotonicNanos();
  int64_t next_maint = next_sync + options_.maintenance_interval_ms * 1'000'000;
  std::unique_lock l(bg_mu_);
  while (!stop_) {
    int64_t wait_ms = 1000;
    if (options_.fsync == FsyncMode::kInterval) wait_ms = std::max<int64_t>(1, options_.fsync_interval_ms);
    if (options_.maintenance_interval_ms > 0) {
      wait_ms = std::min(wait_ms, options_.maintenance_interval_ms);
    }
    bg_cv_.wait_for(l, std::chrono::milliseconds(wait_ms));
    if (stop_) break;
    l.unlock();
    const int64_t now = clock_->MonotonicNanos();
    if (options_.fsync == FsyncMode::kInterval && now >= next_sync) {
      Status s = wal_->SyncNow();
      if (!s.ok()) spdlog::error("WAL fsync failed: {}", s.ToString());
      next_sync = now + options_.fsync_interval_ms * 1'000'000;
    }
    if (options_.maintenance_interval_ms > 0 && now >= next_maint) {
      Status s = RunMaintenance();
      if (!s.ok()) spdlog::error("storage maintenance failed: {}", s.ToString());
      next_maint = now + options_.maintenance_interval_ms * 1'000'000;
    }
    l.lock();
  }
}

// --- Blocks: cut, compaction, retention ---

std::string DiskStore::NextBlockName() {
  char b[32];
  std::snprintf(b, sizeof b, "b-%016llx", static_cast<unsigned long long>(next_block_seq_++));
  return b;
}

Status DiskStore::WriteBlockTmp(const std::string& tmp, BlockMeta meta,
                                const std::function<Status(BlockWriter&)>& fill,
                                BlockMeta* out) {
  (void)RemoveTree(env_, tmp);
  MM_ASSIGN_OR_RETURN(std::unique_ptr<BlockWriter> w, BlockWriter::Create(env_, tmp));
  MM_RETURN_IF_ERROR(fill(*w));
  MM_ASSIGN_OR_RETURN(*out, w->Finish(std::move(meta)));
  return Status::Ok();
}

Status DiskStore::PublishBlock(const std::string& tmp, const std::string& name) {
  const std::string bdir = options_.path + "/blocks";
  MM_RETURN_IF_ERROR(env_->RenameFile(tmp, bdir + "/" + name));
  MM_RETURN_IF_ERROR(env_->SyncDir(bdir));
  MM_ASSIGN_OR_RETURN(std::unique_ptr<Block> b, Block::Open(env_, bdir + "/" + name));
  std::unique_lock l(blocks_mu_);
  blocks_.push_back(std::move(b));
  std::sort(blocks_.begin(), blocks_.end(),
            [](const auto& a, const auto& b) { return a->meta().min_t < b->meta().min_t; });
  return Status::Ok();
}

Status DiskStore::CutBlock(int64_t w, int64_t end) {
  int64_t start;
  {
    // After this, no writer can add a sample before `end` (writers apply under apply_mu_).
    std::lock_guard l(apply_mu_);
    // A window cut in two (ForceFlush, then the rest) gives two blocks with disjoint ranges.
    start = std::max(w, head_->min_valid_time());
    head_->SetMinValidTime(end);
  }
  const std::string name = NextBlockName();
  const std::string tmp = options_.path + "/blocks/" + name + ".tmp";
  BlockMeta meta;
  meta.min_t = start;
  meta.max_t = end - 1;
  meta.level = 1;
  meta.sources = {name};
  const uint32_t target =
      std::clamp<uint32_t>(options_.block_chunk_samples, 1, tsdb::kMaxChunkSamples);
  SelectOptions so{.min_t = w, .max_t = end - 1, .with_strings = true};
  BlockMeta written;
  Status s = WriteBlockTmp(
      tmp, meta,
      [&](BlockWriter& bw) -> Status {
        for (size_t si = 0; si < head_->shard_count(); ++si) {
          MM_ASSIGN_OR_RETURN(std::vector<KeyedSeries> part, head_->SelectShard(si, {}, so));
          for (const KeyedSeries& k : part) {
            std::vector<std::string> enc =
                EncodeChunks(k.samples, target, options_.block_range_ms);
            std::vector<tsdb::ChunkData> chunks;
            size_t pos = 0;
            for (const std::string& c : enc) {
              const size_t n = tsdb::ChunkIterator(c).count();
              chunks.push_back({c, k.samples[pos].t, k.samples[pos + n - 1].t});
              pos += n;
            }
            MM_RETURN_IF_ERROR(bw.AddSeries(k.key, chunks, k.strings));
          }
        }
        return Status::Ok();
      },
      &written);
  if (s.ok()) s = PublishBlock(tmp, name);
  if (!s.ok()) {
    // The head keeps the data (and the WAL too): the cut is retried next time.
    (void)RemoveTree(env_, tmp);
    return s;
  }
  head_->TruncateBefore(end);
  size_t dropped;
  {
    // Under apply_mu_: a writer never holds a head series between its apply and its WAL record.
    std::lock_guard l(apply_mu_);
    dropped = head_->DropEmptySeries();
  }
  spdlog::info("cut block {} [{}, {}]: {} series, {} samples, {} bytes; {} idle series left the head",
               name, start, end - 1, written.series, written.samples, written.bytes, dropped);
  std::lock_guard l(stats_mu_);
  ++stats_.blocks_cut;
  return Status::Ok();
}

Status DiskStore::Checkpoint() {
  uint32_t seg;
  {
    std::lock_guard l(apply_mu_);
    MM_ASSIGN_OR_RETURN(seg, wal_->Roll());
  }
  // Every record of segments < seg was applied before the roll: the head now holds all of
  // it that is not in blocks. Write that state as the checkpoint.
  const std::string wdir = options_.path + "/wal";
  const std::string name = "checkpoint." + tsdb::WalSegmentName(seg - 1);
  const std::string tmp = wdir + "/" + name + ".tmp";
  (void)RemoveTree(env_, tmp);
  MM_RETURN_IF_ERROR(env_->CreateDir(tmp));
  MM_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(tmp + "/" + tsdb::WalSegmentName(0), false));
  WriteLog log;
  std::string rec, scratch;
  Status s;
  auto flush = [&](bool force) -> Status {
    const size_t n = log.series.size() + log.samples.size() + log.strings.size();
    if (n == 0 || (!force && n < kCheckpointRecordBytes / 16)) return Status::Ok();
    rec.clear();
    tsdb::EncodeWriteLog(log, rec, scratch);
    log.Clear();
    return f->Append(rec);
  };
  head_->ForEachSeries([&](uint64_t id, std::string_view key) {
    if (!s.ok()) return;
    log.series.push_back({id, key});
    s = flush(false);
  });
  MM_RETURN_IF_ERROR(s);
  MM_RETURN_IF_ERROR(flush(true));
  SelectOptions so{.with_strings = true};
  for (size_t si = 0; si < head_->shard_count(); ++si) {
    MM_ASSIGN_OR_RETURN(std::vector<KeyedSeries> part, head_->SelectShard(si, {}, so));
    for (const KeyedSeries& k : part) {
      for (const Sample& x : k.samples) log.samples.push_back({k.id, x.t, x.v});
      for (const StringSample& x : k.strings) log.strings.push_back({k.id, x.t, x.v});
      MM_RETURN_IF_ERROR(flush(false));
    }
    MM_RETURN_IF_ERROR(flush(true));
  }
  MM_RETURN_IF_ERROR(f->Sync());
  MM_RETURN_IF_ERROR(f->Close());
  MM_RETURN_IF_ERROR(env_->SyncDir(tmp));
  MM_RETURN_IF_ERROR(env_->RenameFile(tmp, wdir + "/" + name));
  MM_RETURN_IF_ERROR(env_->SyncDir(wdir));
  // Now the older segments and checkpoints are redundant.
  MM_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(wdir));
  for (const std::string& n : names) {
    uint32_t num = 0;
    if (ParseNum(std::string_view(n), num) && num < seg) {
      MM_RETURN_IF_ERROR(env_->DeleteFile(wdir + "/" + n));
    } else if (StartsWith(n, "checkpoint.") && n != name) {
      MM_RETURN_IF_ERROR(RemoveTree(env_, wdir + "/" + n));
    }
  }
  return env_->SyncDir(wdir);
}

Status DiskStore::CompactOnce(bool* did, bool eager) {
  *did = false;
  auto blocks = BlocksSnapshot();
  if (blocks.size() < 2) return Status::Ok();
  const int64_t head_start = head_->min_valid_time();
  int64_t max_range = 31LL * 24 * 3600 * 1000;
  if (options_.retention_ms > 0) max_range = std::min(max_range, options_.retention_ms / 10);
  for (int64_t range = options_.block_range_ms * 3; range <= max_range; range *= 3) {
    size_t i = 0;
    while (i < blocks.size()) {
      const int64_t w = FloorDiv(blocks[i]->meta().min_t, range) * range;
      size_t j = i;
      while (j < blocks.size() && blocks[j]->meta().min_t >= w &&
             blocks[j]->meta().max_t < w + range) {
        ++j;
      }
      // A window is merged once the head has passed it; eagerly (force flush) at once: a
      // later cut into the same window gives one more block, merged again later.
      if (j - i >= 2 && (eager || w + range <= head_start)) {
        std::vector<std::shared_ptr<const Block>> group(blocks.begin() + i, blocks.begin() + j);
        const std::string name = NextBlockName();
        const std::string tmp = options_.path + "/blocks/" + name + ".tmp";
        BlockMeta meta;
        meta.min_t = group.front()->meta().min_t;
        meta.max_t = group.back()->meta().max_t;
        for (const auto& g : group) {
          meta.level = std::max(meta.level, g->meta().level + 1);
          meta.sources.push_back(g->name());
        }
        BlockMeta written;
        Status s = WriteBlockTmp(
            tmp, meta,
            [&](BlockWriter& bw) -> Status {
              // k-way merge of the blocks' sorted keys.
              std::vector<uint32_t> pos(group.size(), 0);
              while (true) {
                std::string_view next;
                bool any = false;
                for (size_t g = 0; g < group.size(); ++g) {
                  if (pos[g] >= group[g]->series_count()) continue;
                  std::string_view k = group[g]->key(pos[g]);
                  if (!any || k < next) next = k;
                  any = true;
                }
                if (!any) return Status::Ok();
                const std::string key(next);
                std::vector<tsdb::ChunkData> chunks;
                std::vector<StringSample> strings;
                for (size_t g = 0; g < group.size(); ++g) {
                  if (pos[g] >= group[g]->series_count() || group[g]->key(pos[g]) != key) continue;
                  MM_ASSIGN_OR_RETURN(auto cs, group[g]->ReadChunks(pos[g]));
                  chunks.insert(chunks.end(), cs.begin(), cs.end());
                  MM_ASSIGN_OR_RETURN(auto ss, group[g]->ReadStrings(pos[g]));
                  for (auto& x : ss) strings.push_back(std::move(x));
                  ++pos[g];
                }
                MM_RETURN_IF_ERROR(bw.AddSeries(key, chunks, strings));
              }
            },
            &written);
        if (s.ok()) s = PublishBlock(tmp, name);
        if (!s.ok()) {
          (void)RemoveTree(env_, tmp);
          return s;
        }
        {
          std::unique_lock l(blocks_mu_);
          std::erase_if(blocks_, [&](const auto& b) {
            return std::find(group.begin(), group.end(), b) != group.end();
          });
        }
        for (const auto& g : group) MM_RETURN_IF_ERROR(RemoveTree(env_, g->dir()));
        MM_RETURN_IF_ERROR(env_->SyncDir(options_.path + "/blocks"));
        spdlog::info("compacted {} blocks into {} [{}, {}], {} bytes", group.size(), name,
                     meta.min_t, meta.max_t, written.bytes);
        std::lock_guard l(stats_mu_);
        ++stats_.compactions;
        *did = true;
        return Status::Ok();
      }
      i = std::max(j, i + 1);
    }
  }
  return Status::Ok();
}

Status DiskStore::ApplyRetention() {
  if (options_.retention_ms <= 0 && options_.retention_bytes == 0) return Status::Ok();
  auto blocks = BlocksSnapshot();
  if (blocks.empty()) return Status::Ok();
  int64_t newest = head_->TimeRange().second;
  for (const auto& b : blocks) newest = std::max(newest, b->meta().max_t);
  uint64_t total = 0;
  for (const auto& b : blocks) total += b->meta().bytes;
  std::vector<std::shared_ptr<const Block>> drop;
  for (const auto& b : blocks) {  // oldest first
    const bool too_old = options_.retention_ms > 0 && b->meta().max_t < newest - options_.retention_ms;
    const bool too_big = options_.retention_bytes > 0 && total > options_.retention_bytes;
    if (!too_old && !too_big) break;
    drop.push_back(b);
    total -= b->meta().bytes;
  }
  if (drop.empty()) return Status::Ok();
  {
    std::unique_lock l(blocks_mu_);
    std::erase_if(blocks_, [&](const auto& b) {
      return std::find(drop.begin(), drop.end(), b) != drop.end();
    });
  }
  for (const auto& b : drop) {
    spdlog::info("retention: dropping block {} [{}, {}]", b->name(), b->meta().min_t,
                 b->meta().max_t);
    MM_RETURN_IF_ERROR(RemoveTree(env_, b->dir()));
  }
  MM_RETURN_IF_ERROR(env_->SyncDir(options_.path + "/blocks"));
  std::lock_guard l(stats_mu_);
  stats_.blocks_dropped += drop.size();
  return Status::Ok();
}

Status DiskStore::RunMaintenance() {
  if (closed_.load()) return Status::Ok();
  std::lock_guard l(maint_mu_);
  return MaintenanceLocked(false);
}

Status DiskStore::ForceFlush() {
  if (closed_.load()) return Status::Ok();
  std::lock_guard l(maint_mu_);
  return MaintenanceLocked(true);
}

Status DiskStore::MaintenanceLocked(bool whole_head) {
  const int64_t range = options_.block_range_ms;
  // With whole_head, everything up to the newest sample now (later writes stay in the head).
  const int64_t newest = whole_head ? head_->TimeRange().second : INT64_MIN;
  bool cut = false;
  while (true) {
    auto [lo, hi] = head_->TimeRange();
    if (lo == INT64_MAX || hi == INT64_MIN) break;
    const int64_t w = FloorDiv(lo, range) * range;
    int64_t end = w + range;
    if (whole_head) {
      if (lo > newest) break;
      end = std::min(end, newest + 1);
    } else if (hi - w <= range + range / 2) {
      break;
    }
    MM_RETURN_IF_ERROR(CutBlock(w, end));
    cut = true;
    if (head_->TimeRange().first < end) {
      return Status::Internal("cutting the head at " + std::to_string(end) +
                              " left older samples in it");
    }
  }
  if (cut) MM_RETURN_IF_ERROR(Checkpoint());
  bool did = true;
  while (did) MM_RETURN_IF_ERROR(CompactOnce(&did, whole_head));
  return ApplyRetention();
}

DiskStoreStats DiskStore::Stats() const {
  DiskStoreStats st;
  {
    std::lock_guard l(stats_mu_);
    st = stats_;
  }
  st.head = head_->Stats();
  for (const auto& b : BlocksSnapshot()) {
    ++st.blocks;
    st.block_bytes += b->meta().bytes;
    st.block_samples += b->meta().samples;
  }
  if (wal_) st.wal_syncs = wal_->syncs();
  return st;
}

}  // namespace mm::storage
