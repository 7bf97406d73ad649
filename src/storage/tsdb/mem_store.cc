#include "storage/tsdb/mem_store.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "storage/tsdb/chunk.h"
#include "storage/tsdb/index.h"
#include "storage/tsdb/series_key.h"

namespace mm::storage {

using tsdb::ChunkBytes;
using tsdb::HeadChunk;
using tsdb::kKeySep;

namespace {

constexpr std::string_view kNamePrefix = "__name__\xff";
constexpr uint32_t kNone = UINT32_MAX;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool HasSep(std::string_view s) { return std::memchr(s.data(), kKeySep, s.size()) != nullptr; }

using ChunkRef = ChunkBytes;  // bytes + time range, shared with readers

// The rarely used parts of a series, allocated on first use.
struct SeriesExtra {
  std::vector<Sample> ooo;            // out-of-order samples, in arrival order
  // Out-of-order samples older than the open chunk, sealed kOooSealSamples at a time: each
  // chunk sorted and deduplicated, the chunks in sealing order (a later one wins on equal t).
  std::vector<ChunkBytes> ooo_chunks;
  uint32_t ooo_chunk_samples = 0;
  std::vector<StringSample> strings;  // string field values, in arrival order
  bool strings_sorted = true;
};

// Out-of-order samples wait raw (16 bytes each) until this many (256 bytes), then are sealed: merged into
// the open chunk when they fall in its range (late samples of a live series, the common case),
// else encoded as an out-of-order chunk (~1-2 bytes each).
constexpr size_t kOooSealSamples = 16;
// Sealed out-of-order chunks per series before they are merged into one.
constexpr size_t kMaxOooChunks = 4;

// Stable sort by time, then the last of equal timestamps wins.
void SortDedupe(std::vector<Sample>& v);

struct SeriesData {
  uint64_t id = 0;
  uint64_t hash = 0;
  std::unique_ptr<char[]> key;
  uint32_t key_size = 0;
  bool has_float = false;
  int64_t last_t = 0;  // last in-order float sample (valid when has_float)
  int64_t cut_at_t = INT64_MAX;  // the open chunk is cut before a sample with t >= this
  int64_t min_t = INT64_MAX;
  int64_t max_t = INT64_MIN;
  std::vector<ChunkRef> chunks;
  HeadChunk head;
  std::unique_ptr<SeriesExtra> extra;

  std::string_view key_view() const { return {key.get(), key_size}; }
  bool Overlaps(int64_t lo, int64_t hi) const { return min_t <= hi && max_t >= lo; }
  void Extend(int64_t t) {
    min_t = std::min(min_t, t);
    max_t = std::max(max_t, t);
  }
  SeriesExtra& Extra() {
    if (!extra) extra = std::make_unique<SeriesExtra>();
    return *extra;
  }
};

// Open addressing, linear probing: hash → local series index. Equal hashes (collisions) are
// told apart by the caller's key comparison; probing continues past them.
class SeriesTable {
 public:
  template <typename Eq>
  uint32_t Find(uint64_t hash, Eq&& eq) const {
    if (slots_.empty()) return kNone;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.idx == kNone) return kNone;
      if (s.hash == hash && eq(s.idx)) return s.idx;
    }
  }
  void Insert(uint64_t hash, uint32_t idx) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    Place(hash, idx);
    ++size_;
  }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t idx = kNone;
  };
  void Place(uint64_t hash, uint32_t idx) {
    const size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    while (slots_[i].idx != kNone) i = (i + 1) & mask;
    slots_[i] = {hash, idx};
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, old.size() * 2), Slot{});
    for (const Slot& s : old) {
      if (s.idx != kNone) Place(s.hash, s.idx);
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

void DedupeLastWins(std::vector<Sample>& v) {
  size_t w = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i + 1 < v.size() && v[i + 1].t == v[i].t) continue;
    v[w++] = v[i];
  }
  v.resize(w);
}

void DedupeLastWins(std::vector<StringSample>& v) {
  size_t w = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i + 1 < v.size() && v[i + 1].t == v[i].t) continue;
    if (w != i) v[w] = std::move(v[i]);
    ++w;
  }
  v.resize(w);
}

void SortDedupe(std::vector<Sample>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
  DedupeLastWins(v);
}

// What TruncateChunks took away.
struct DroppedSamples {
  uint64_t samples = 0, chunks = 0, bytes = 0;
};

// Drops the samples before before_t from time-ordered `chunks`: whole chunks, and a chunk across
// before_t (a cut that is not at a chunk window's edge, as a force flush's) is re-encoded with
// its later samples. `scratch` is working memory.
DroppedSamples TruncateChunks(std::vector<ChunkBytes>& chunks, int64_t before_t,
                              std::vector<Sample>& scratch) {
  DroppedSamples d;
  size_t keep = 0;
  for (ChunkBytes& c : chunks) {
    if (c.min_t() >= before_t) {
      chunks[keep++] = std::move(c);
      continue;
    }
    const uint32_t n = tsdb::ChunkIterator(c.view()).count();
    d.bytes += c.size();
    if (c.max_t() < before_t) {
      d.samples += n;
      ++d.chunks;
      continue;
    }
    scratch.clear();
    Status st = tsdb::DecodeChunkInto(c.view(), before_t, INT64_MAX, scratch);
    MM_CHECK(st.ok() && !scratch.empty(), "a head chunk decodes");
    std::string bytes = tsdb::EncodeChunk(scratch);
    d.bytes -= bytes.size();
    d.samples += n - scratch.size();
    c = ChunkBytes::Copy(bytes, scratch.front().t, scratch.back().t);
    chunks[keep++] = std::move(c);
  }
  chunks.resize(keep);
  return d;
}

bool FullRange(int64_t min_t, int64_t max_t) { return min_t == INT64_MIN && max_t == INT64_MAX; }

}  // namespace

struct alignas(64) MemStore::Shard {
  mutable std::mutex mu;
  std::deque<SeriesData> series;  // local id → series; stable addresses
  SeriesTable table;
  tsdb::PostingsIndex index;
  uint64_t samples = 0;
  uint64_t string_samples = 0;
  uint64_t chunks = 0;
  uint64_t chunk_samples = 0;
  uint64_t chunk_bytes = 0;
  uint64_t key_bytes = 0;
  uint64_t rejected_ooo = 0;
  uint64_t rejected_too_old = 0;
};

// The key of a point's field as pieces of the batch: prefix tags (names < "__name__"), the
// name, suffix tags, each already `n 0xFF v 0xFF`; the tags are serialized once per point.
struct MemStore::KeyParts {
  std::string_view prefix, measurement, field, suffix;
  bool has_name = true;   // false only for an empty measurement with field "value"
  bool has_field = true;  // false when the field is "value" (the name is the measurement)

  void AppendTo(std::string& out) const {
    out.append(prefix);
    if (has_name) {
      out.append(kNamePrefix);
      out.append(measurement);
      if (has_field) {
        out.push_back('_');
        out.append(field);
      }
      out.push_back(kKeySep);
    }
    out.append(suffix);
  }
};

struct MemStore::WriteScratch {
  struct PointInfo {
    uint32_t off = 0, prefix_len = 0, suffix_len = 0;
    int64_t t = 0;
    bool valid = true;
  };
  struct Entry {
    uint64_t hash;
    uint32_t point;
    uint32_t field;
    uint32_t key_off;  // the series key in `keys`
    uint32_t key_len;
    uint32_t rep;  // the first entry of the batch with this key (== own index when first)
  };
  // Batch-local key → first entry, so a series that recurs in a batch (every point of a host
  // in a batch of many time steps) has its key stored and looked up in the shard once.
  struct MemoSlot {
    uint64_t hash = 0;
    uint32_t entry = kNone;
  };
  std::string labels;  // per point: serialized prefix tags then suffix tags
  std::vector<PointInfo> points;
  std::vector<Entry> entries, sorted;
  std::vector<uint32_t> shard_start;
  std::string keys;  // the distinct series keys of the batch, back to back
  std::vector<MemoSlot> memo;
  std::vector<uint32_t> rep_idx;  // rep entry → the series' local index in its shard

  KeyParts Parts(const PointBatch& batch, uint32_t point, uint32_t field) const {
    const PointRef& p = batch.points()[point];
    const PointInfo& info = points[point];
    KeyParts k;
    k.prefix = std::string_view(labels).substr(info.off, info.prefix_len);
    k.suffix = std::string_view(labels).substr(info.off + info.prefix_len, info.suffix_len);
    k.measurement = p.measurement;
    k.field = batch.fields(p)[field].key;
    k.has_field = k.field != "value";  // as SeriesName()
    k.has_name = !(p.measurement.empty() && !k.has_field);
    return k;
  }
};

MemStore::MemStore(MemStoreOptions options) : options_(options) {
  size_t n = options_.shards;
  if (n == 0) {
    size_t cores = std::max(1u, std::thread::hardware_concurrency());
    n = std::max<size_t>(16, std::bit_ceil(cores * 4));
  }
  n = std::bit_ceil(std::max<size_t>(n, 1));
  shard_bits_ = std::countr_zero(n);
  options_.shards = n;
  if (options_.chunk_target_samples == 0) options_.chunk_target_samples = 120;
  options_.chunk_target_samples = std::min(options_.chunk_target_samples, tsdb::kMaxChunkSamples);
  if (options_.clock == nullptr) options_.clock = Clock::Real();
  shards_ = std::make_unique<Shard[]>(n);
}

MemStore::~MemStore() = default;

std::unique_ptr<Storage> NewMemStore(MemStoreOptions options) {
  return std::make_unique<MemStore>(options);
}

Result<WriteStats> MemStore::Write(const PointBatch& batch) { return Write(batch, nullptr); }

Result<WriteStats> MemStore::Write(const PointBatch& batch, WriteLog* log) {
  if (log != nullptr) log->Clear();
  if (closed_.load(std::memory_order_relaxed)) {
    return Status::FailedPrecondition("write to a closed store");
  }
  WriteStats stats;
  thread_local WriteScratch s;
  s.labels.clear();
  s.points.clear();
  s.entries.clear();
  s.keys.clear();
  const auto& points = batch.points();
  s.points.resize(points.size());

  // Phase 1, no lock: serialize each point's tags once, hash every field's series key.
  for (uint32_t pi = 0; pi < points.size(); ++pi) {
    const PointRef& p = points[pi];
    WriteScratch::PointInfo& info = s.points[pi];
    info.off = static_cast<uint32_t>(s.labels.size());
    info.t = FloorDiv(p.timestamp_ns, 1'000'000);
    info.valid = !HasSep(p.measurement);
    auto tags = batch.tags(p);
    size_t i = 0;
    auto append_tag = [&](const TagRef& tag) {
      if (tag.value.empty()) return;  // an empty label equals an absent one
      if (HasSep(tag.key) || HasSep(tag.value)) info.valid = false;
      s.labels.append(tag.key);
      s.labels.push_back(kKeySep);
      s.labels.append(tag.value);
      s.labels.push_back(kKeySep);
    };
    for (; i < tags.size() && tags[i].key < kMetricNameLabel; ++i) append_tag(tags[i]);
    info.prefix_len = static_cast<uint32_t>(s.labels.size() - info.off);
    for (; i < tags.size(); ++i) {
      if (tags[i].key != kMetricNameLabel) append_tag(tags[i]);
    }
    info.suffix_len = static_cast<uint32_t>(s.labels.size() - info.off - info.prefix_len);
  }
  s.memo.assign(1024, {});  // grows to keep at most half its slots used
  size_t memo_mask = s.memo.size() - 1, memo_used = 0;
  for (uint32_t pi = 0; pi < points.size(); ++pi) {
    auto fields = batch.fields(points[pi]);
    for (uint32_t fi = 0; fi < fields.size(); ++fi) {
      if (!s.points[pi].valid || HasSep(fields[fi].key)) {
        ++stats.samples_rejected;
        rejected_invalid_labels_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const size_t off = s.keys.size();
      s.Parts(batch, pi, fi).AppendTo(s.keys);
      const uint32_t len = static_cast<uint32_t>(s.keys.size() - off);
      const uint64_t hash = XXH3_64bits(s.keys.data() + off, len);
      const uint32_t self = static_cast<uint32_t>(s.entries.size());
      uint32_t rep = self;
      size_t i = hash & memo_mask;
      for (; s.memo[i].entry != kNone; i = (i + 1) & memo_mask) {
        const WriteScratch::Entry& r = s.entries[s.memo[i].entry];
        if (s.memo[i].hash == hash && r.key_len == len &&
            std::memcmp(s.keys.data() + r.key_off, s.keys.data() + off, len) == 0) {
          rep = s.memo[i].entry;
          break;
        }
      }
      uint32_t key_off = static_cast<uint32_t>(off);
      if (rep == self) {
        s.memo[i] = {hash, self};
        if (++memo_used * 2 > s.memo.size()) {
          std::vector<WriteScratch::MemoSlot> old(s.memo.size() * 2);
          old.swap(s.memo);
          memo_mask = s.memo.size() - 1;
          for (const WriteScratch::MemoSlot& m : old) {
            if (m.entry == kNone) continue;
            size_t j = m.hash & memo_mask;
            while (s.memo[j].entry != kNone) j = (j + 1) & memo_mask;
            s.memo[j] = m;
          }
        }
      } else {
        s.keys.resize(off);  // seen in this batch: share the first entry's key bytes
        key_off = s.entries[rep].key_off;
      }
      s.entries.push_back({hash, pi, fi, key_off, len, rep});
    }
  }
  s.rep_idx.assign(s.entries.size(), kNone);

  // Group by shard (stable, so a series' samples keep batch order).
  const size_t nshards = shard_count();
  s.shard_start.assign(nshards + 1, 0);
  for (const auto& e : s.entries) ++s.shard_start[ShardOf(e.hash) + 1];
  for (size_t i = 0; i < nshards; ++i) s.shard_start[i + 1] += s.shard_start[i];
  s.sorted.resize(s.entries.size());
  {
    std::vector<uint32_t>& pos = s.shard_start;  // advanced below, then restored
    for (const auto& e : s.entries) s.sorted[pos[ShardOf(e.hash)]++] = e;
    for (size_t i = nshards; i > 0; --i) pos[i] = pos[i - 1];
    pos[0] = 0;
  }

  // Phase 2: one lock per shard.
  const int64_t min_valid = min_valid_t_.load(std::memory_order_relaxed);
  const int64_t window = options_.ooo_window_ms;
  int64_t batch_max = INT64_MIN;
  uint64_t too_old = 0;
  int64_t first_too_old_t = 0;
  for (size_t si = 0; si < nshards; ++si) {
    const uint32_t begin = s.shard_start[si], end = s.shard_start[si + 1];
    if (begin == end) continue;
    Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    for (uint32_t ei = begin; ei < end; ++ei) {
      const WriteScratch::Entry& e = s.sorted[ei];
      const int64_t t = s.points[e.point].t;
      if (t < min_valid) {
        if (too_old++ == 0) first_too_old_t = t;
        ++shard.rejected_too_old;
        ++stats.samples_rejected;
        continue;
      }
      const std::string_view key(s.keys.data() + e.key_off, e.key_len);
      uint32_t idx = s.rep_idx[e.rep];
      if (idx == kNone) {
        idx = shard.table.Find(e.hash,
                               [&](uint32_t i) { return shard.series[i].key_view() == key; });
      }
      if (idx == kNone) {
        idx = static_cast<uint32_t>(shard.series.size());
        SeriesData& ns = shard.series.emplace_back();
        ns.id = next_series_id_.fetch_add(1, std::memory_order_relaxed);
        ns.hash = e.hash;
        ns.key_size = e.key_len;
        ns.key = std::make_unique<char[]>(key.size());
        std::memcpy(ns.key.get(), key.data(), key.size());
        shard.key_bytes += key.size();
        shard.table.Insert(e.hash, idx);
        shard.index.Add(idx, key);
        ++stats.series_created;
        if (log != nullptr) log->series.push_back({ns.id, ns.key_view()});
      }
      s.rep_idx[e.rep] = idx;
      const FieldRef& f = batch.fields(points[e.point])[e.field];
      // Out of order by more than the window behind this series' newest sample: refused
      // (a new series may start anywhere after the head start: backfill).
      if (window > 0 && f.type != FieldType::kString && shard.series[idx].has_float &&
          t < shard.series[idx].last_t - window) {
        if (too_old++ == 0) first_too_old_t = t;
        ++shard.rejected_too_old;
        ++stats.samples_rejected;
        continue;
      }
      if (f.type == FieldType::kString) {
        AppendStringLocked(shard, idx, t, f.s);
        if (log != nullptr) log->strings.push_back({shard.series[idx].id, t, f.s});
      } else {
        const double v = f.AsDouble();
        if (!AppendFloatLocked(shard, idx, t, v)) {
          ++stats.samples_rejected;
          continue;
        }
        batch_max = std::max(batch_max, t);
        if (log != nullptr) log->samples.push_back({shard.series[idx].id, t, v});
      }
      ++stats.samples_stored;
    }
  }
  if (batch_max != INT64_MIN) {
    int64_t cur = max_t_.load(std::memory_order_relaxed);
    while (batch_max > cur && !max_t_.compare_exchange_weak(cur, batch_max)) {
    }
  }
  if (too_old > 0) {
    stats.rejected_reason =
        std::to_string(too_old) + " samples too old: more than the out-of-order window (" +
        std::to_string(window / 1000) + " s) behind their series' newest sample, or before " +
        "the head start (" + std::to_string(min_valid) + " ms; older data is in blocks); " +
        "first refused: " + std::to_string(first_too_old_t) + " ms";
  }
  return stats;
}

bool MemStore::AppendFloatLocked(Shard& shard, uint32_t idx, int64_t t, double v) {
  SeriesData& ser = shard.series[idx];
  if (ser.has_float && t < ser.last_t) {
    SeriesExtra& x = ser.Extra();
    if (x.ooo.size() + x.ooo_chunk_samples >= options_.max_ooo_samples_per_series) {
      ++shard.rejected_ooo;
      return false;
    }
    x.ooo.push_back({t, v});
    ++shard.samples;
    if (x.ooo.size() >= kOooSealSamples) SealOooLocked(shard, idx);
  } else {
    AppendInOrderLocked(shard, idx, t, v);
    ++shard.samples;
  }
  ser.Extend(t);
  return true;
}

void MemStore::AppendInOrderLocked(Shard& shard, uint32_t idx, int64_t t, double v) {
  SeriesData& ser = shard.series[idx];
  HeadChunk& head = ser.head;
  const int64_t span = options_.chunk_max_span_ms;
  if (head.count() > 0 && (head.count() >= options_.chunk_target_samples || t >= ser.cut_at_t)) {
    std::string bytes = head.Encode();
    ser.chunks.push_back(ChunkBytes::Copy(bytes, head.first_t(), head.last_t()));
    ++shard.chunks;
    shard.chunk_samples += head.count();
    shard.chunk_bytes += bytes.size();
    head.Reset();
  }
  if (head.count() == 0) {
    // The end of this chunk's aligned time window (the next sample at or past it cuts).
    ser.cut_at_t = INT64_MAX;
    if (span > 0) {
      const int64_t w = FloorDiv(t, span);
      if (w < INT64_MAX / span) ser.cut_at_t = (w + 1) * span;
    }
  }
  head.Append(t, v);
  ser.has_float = true;
  ser.last_t = t;
}

void MemStore::SealOooLocked(Shard& shard, uint32_t idx) {
  SeriesData& ser = shard.series[idx];
  SeriesExtra& x = *ser.extra;
  std::vector<Sample> late = std::move(x.ooo);
  x.ooo.clear();
  std::stable_sort(late.begin(), late.end(),
                   [](const Sample& a, const Sample& b) { return a.t < b.t; });
  // Those in the open chunk's range are merged into it (it is re-encoded with them).
  const int64_t head_first = ser.head.count() > 0 ? ser.head.first_t() : INT64_MAX;
  const auto split = std::lower_bound(late.begin(), late.end(), head_first,
                                      [](const Sample& a, int64_t t) { return a.t < t; });
  size_t dropped = 0;  // duplicates (equal timestamps) the merges remove from the count
  if (split != late.end()) {
    std::vector<Sample> merged;
    ser.head.DecodeInto(INT64_MIN, INT64_MAX, merged);
    const size_t before = merged.size() + static_cast<size_t>(late.end() - split);
    merged.insert(merged.end(), split, late.end());  // later writes: they win on equal t
    SortDedupe(merged);
    dropped += before - merged.size();
    const int64_t last_t = ser.last_t;
    ser.head.Reset();
    for (const Sample& m : merged) AppendInOrderLocked(shard, idx, m.t, m.v);
    ser.last_t = last_t;
  }
  // Older ones become an out-of-order chunk; too many of those are merged into one.
  if (split != late.begin()) {
    std::vector<Sample> old(late.begin(), split);
    const size_t before = old.size();
    DedupeLastWins(old);
    dropped += before - old.size();
    x.ooo_chunks.push_back(ChunkBytes::Copy(tsdb::EncodeChunk(old), old.front().t, old.back().t));
    x.ooo_chunk_samples += static_cast<uint32_t>(old.size());
    if (x.ooo_chunks.size() > kMaxOooChunks) {
      std::vector<Sample> all;
      for (const ChunkBytes& c : x.ooo_chunks) {  // in sealing order: later ones win
        Status st = tsdb::DecodeChunkInto(c.view(), INT64_MIN, INT64_MAX, all);
        MM_CHECK(st.ok(), "an out-of-order chunk decodes");
      }
      SortDedupe(all);
      dropped += x.ooo_chunk_samples - all.size();
      x.ooo_chunks.clear();
      for (size_t i = 0; i < all.size(); i += tsdb::kMaxChunkSamples) {
        std::span<const Sample> part(all.data() + i,
                                     std::min<size_t>(tsdb::kMaxChunkSamples, all.size() - i));
        x.ooo_chunks.push_back(
            ChunkBytes::Copy(tsdb::EncodeChunk(part), part.front().t, part.back().t));
      }
      x.ooo_chunk_samples = static_cast<uint32_t>(all.size());
    }
  }
  shard.samples -= dropped;
}

void MemStore::AppendStringLocked(Shard& shard, uint32_t idx, int64_t t, std::string_view v) {
  SeriesData& ser = shard.series[idx];
  SeriesExtra& x = ser.Extra();
  if (!x.strings.empty() && t < x.strings.back().t) x.strings_sorted = false;
  x.strings.push_back({t, std::string(v)});
  ++shard.string_samples;
  ser.Extend(t);
}

std::pair<uint64_t, std::string_view> MemStore::SeriesIdKey(size_t shard, uint32_t idx) const {
  const Shard& sh = shards_[shard];
  std::lock_guard lock(sh.mu);
  const SeriesData& ser = sh.series[idx];
  return {ser.id, ser.key_view()};
}

size_t MemStore::ShardSeriesCount(size_t shard) const {
  const Shard& sh = shards_[shard];
  std::lock_guard lock(sh.mu);
  return sh.series.size();
}

void MemStore::SetMinValidTime(int64_t t) {
  int64_t cur = min_valid_t_.load(std::memory_order_relaxed);
  while (t > cur && !min_valid_t_.compare_exchange_weak(cur, t)) {
  }
}

void MemStore::TruncateBefore(int64_t before_t) {
  for (size_t si = 0; si < shard_count(); ++si) {
    Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    for (SeriesData& ser : shard.series) {
      if (ser.min_t >= before_t || ser.max_t == INT64_MIN) continue;
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      auto extend = [&](int64_t a, int64_t b) {
        lo = std::min(lo, a);
        hi = std::max(hi, b);
      };
      std::vector<Sample> tail;
      const DroppedSamples main = TruncateChunks(ser.chunks, before_t, tail);
      shard.chunks -= main.chunks;
      shard.chunk_bytes -= main.bytes;
      shard.chunk_samples -= main.samples;
      shard.samples -= main.samples;
      for (const ChunkRef& c : ser.chunks) extend(c.min_t(), c.max_t());
      if (ser.head.count() > 0) {
        if (ser.head.last_t() < before_t) {
          shard.samples -= ser.head.count();
          ser.head.Reset();
        } else {
          if (ser.head.first_t() < before_t) {
            tail.clear();
            ser.head.DecodeInto(before_t, INT64_MAX, tail);
            shard.samples -= ser.head.count() - tail.size();
            ser.head.Reset();
            for (const Sample& x : tail) ser.head.Append(x.t, x.v);
          }
          extend(ser.head.first_t(), ser.head.last_t());
        }
      }
      if (ser.extra) {
        SeriesExtra& x = *ser.extra;
        const DroppedSamples ooo = TruncateChunks(x.ooo_chunks, before_t, tail);
        shard.samples -= ooo.samples;
        x.ooo_chunk_samples -= static_cast<uint32_t>(ooo.samples);
        for (const ChunkRef& c : x.ooo_chunks) extend(c.min_t(), c.max_t());
        shard.samples -= std::erase_if(x.ooo, [&](const Sample& s) { return s.t < before_t; });
        shard.string_samples -=
            std::erase_if(x.strings, [&](const StringSample& s) { return s.t < before_t; });
        for (const Sample& s : x.ooo) extend(s.t, s.t);
        for (const StringSample& s : x.strings) extend(s.t, s.t);
      }
      ser.min_t = lo;
      ser.max_t = hi;
    }
  }
}

size_t MemStore::DropEmptySeries() {
  auto empty = [](const SeriesData& ser) {
    return ser.chunks.empty() && ser.head.count() == 0 &&
           (!ser.extra || (ser.extra->ooo.empty() && ser.extra->ooo_chunks.empty() &&
                           ser.extra->strings.empty()));
  };
  size_t dropped = 0;
  for (size_t si = 0; si < shard_count(); ++si) {
    Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    if (std::none_of(shard.series.begin(), shard.series.end(), empty)) continue;
    // Rebuilt without them: local indexes are dense (the table and postings refer to them).
    std::deque<SeriesData> kept;
    SeriesTable table;
    tsdb::PostingsIndex index;
    uint64_t key_bytes = 0;
    for (SeriesData& ser : shard.series) {
      if (empty(ser)) {
        ++dropped;
        continue;
      }
      const uint32_t idx = static_cast<uint32_t>(kept.size());
      kept.push_back(std::move(ser));
      const SeriesData& k = kept.back();
      table.Insert(k.hash, idx);
      index.Add(idx, k.key_view());
      key_bytes += k.key_size;
    }
    shard.series = std::move(kept);
    shard.table = std::move(table);
    shard.index = std::move(index);
    shard.key_bytes = key_bytes;
  }
  return dropped;
}

std::pair<int64_t, int64_t> MemStore::TimeRange() const {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t si = 0; si < shard_count(); ++si) {
    const Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    for (const SeriesData& ser : shard.series) {
      lo = std::min(lo, ser.min_t);
      hi = std::max(hi, ser.max_t);
    }
  }
  return {lo, hi};
}

MemStore::SeriesRef MemStore::ReplaySeries(uint64_t id, std::string_view key) {
  const uint64_t hash = tsdb::HashKey(key);
  const size_t si = ShardOf(hash);
  Shard& shard = shards_[si];
  std::lock_guard lock(shard.mu);
  uint32_t idx =
      shard.table.Find(hash, [&](uint32_t i) { return shard.series[i].key_view() == key; });
  if (idx == kNone) {
    idx = static_cast<uint32_t>(shard.series.size());
    SeriesData& ns = shard.series.emplace_back();
    ns.id = id;
    ns.hash = hash;
    ns.key_size = static_cast<uint32_t>(key.size());
    ns.key = std::make_unique<char[]>(key.size());
    std::memcpy(ns.key.get(), key.data(), key.size());
    shard.key_bytes += key.size();
    shard.table.Insert(hash, idx);
    shard.index.Add(idx, key);
    uint64_t next = next_series_id_.load();
    while (id >= next && !next_series_id_.compare_exchange_weak(next, id + 1)) {
    }
  }
  return {static_cast<uint32_t>(si), idx};
}

bool MemStore::ReplaySample(SeriesRef ref, int64_t t, double v) {
  if (t < min_valid_t_.load(std::memory_order_relaxed)) return false;
  Shard& shard = shards_[ref.shard];
  std::lock_guard lock(shard.mu);
  if (!AppendFloatLocked(shard, ref.idx, t, v)) return false;
  int64_t cur = max_t_.load(std::memory_order_relaxed);
  if (t > cur) max_t_.store(t, std::memory_order_relaxed);
  return true;
}

bool MemStore::ReplayString(SeriesRef ref, int64_t t, std::string_view v) {
  if (t < min_valid_t_.load(std::memory_order_relaxed)) return false;
  Shard& shard = shards_[ref.shard];
  std::lock_guard lock(shard.mu);
  AppendStringLocked(shard, ref.idx, t, v);
  return true;
}

std::vector<uint32_t> MemStore::MatchLocked(const Shard& shard,
                                            std::span<const LabelMatcher> matchers,
                                            int64_t min_t, int64_t max_t) const {
  std::vector<uint32_t> ids = shard.index.Select(matchers);
  std::erase_if(ids, [&](uint32_t i) { return !shard.series[i].Overlaps(min_t, max_t); });
  return ids;
}

Result<std::vector<KeyedSeries>> MemStore::SelectShard(size_t si,
                                                       std::span<const LabelMatcher> matchers,
                                                       const SelectOptions& options) const {
  const int64_t lo = options.min_t, hi = options.max_t;
  struct Collected {
    std::string key;
    uint64_t id = 0;
    std::vector<ChunkRef> chunks;
    std::vector<Sample> head;
    std::vector<Sample> ooo;
    std::vector<ChunkRef> ooo_chunks;
    std::vector<StringSample> strings;
    bool strings_sorted = true;
  };
  std::vector<Collected> collected;
  const Shard& shard = shards_[si];
  {
    std::lock_guard lock(shard.mu);
    for (uint32_t id : MatchLocked(shard, matchers, lo, hi)) {
      const SeriesData& ser = shard.series[id];
      Collected& c = collected.emplace_back();
      c.key.assign(ser.key_view());
      c.id = ser.id;
      for (const ChunkRef& ch : ser.chunks) {
        if (ch.min_t() <= hi && ch.max_t() >= lo) c.chunks.push_back(ch);
      }
      ser.head.DecodeInto(lo, hi, c.head);
      if (ser.extra) {
        for (const ChunkRef& ch : ser.extra->ooo_chunks) {
          if (ch.min_t() <= hi && ch.max_t() >= lo) c.ooo_chunks.push_back(ch);
        }
        for (const Sample& x : ser.extra->ooo) {
          if (x.t >= lo && x.t <= hi) c.ooo.push_back(x);
        }
        if (options.with_strings) {
          for (const StringSample& x : ser.extra->strings) {
            if (x.t >= lo && x.t <= hi) c.strings.push_back(x);
          }
          c.strings_sorted = ser.extra->strings_sorted;
        }
      }
    }
  }
  // Decode outside the lock: cut chunks are immutable and kept alive by their references.
  std::vector<KeyedSeries> out;
  for (Collected& c : collected) {
    KeyedSeries ss;
    for (const ChunkRef& ch : c.chunks) {
      Status st = tsdb::DecodeChunkInto(ch.view(), lo, hi, ss.samples);
      if (!st.ok()) return Status::Internal("series " + c.key + ": " + st.message());
    }
    ss.samples.insert(ss.samples.end(), c.head.begin(), c.head.end());
    if (!c.ooo.empty() || !c.ooo_chunks.empty()) {
      // In-order samples first, then sealed OOO chunks in sealing order, then the waiting OOO
      // samples in arrival order: a stable sort keeps the later write last among equal
      // timestamps.
      for (const ChunkRef& ch : c.ooo_chunks) {
        Status st = tsdb::DecodeChunkInto(ch.view(), lo, hi, ss.samples);
        if (!st.ok()) return Status::Internal("series " + c.key + ": " + st.message());
      }
      ss.samples.insert(ss.samples.end(), c.ooo.begin(), c.ooo.end());
      std::stable_sort(ss.samples.begin(), ss.samples.end(),
                       [](const Sample& a, const Sample& b) { return a.t < b.t; });
    }
    DedupeLastWins(ss.samples);
    if (!c.strings_sorted) {
      std::stable_sort(c.strings.begin(), c.strings.end(),
                       [](const StringSample& a, const StringSample& b) { return a.t < b.t; });
    }
    DedupeLastWins(c.strings);
    ss.strings = std::move(c.strings);
    if (ss.samples.empty() && ss.strings.empty()) continue;
    ss.key = std::move(c.key);
    ss.id = c.id;
    out.push_back(std::move(ss));
  }
  return out;
}

Result<std::vector<SeriesSamples>> MemStore::Select(std::span<const LabelMatcher> matchers,
                                                    const SelectOptions& options) {
  std::vector<SeriesSamples> out;
  for (size_t si = 0; si < shard_count(); ++si) {
    MM_ASSIGN_OR_RETURN(std::vector<KeyedSeries> part, SelectShard(si, matchers, options));
    for (KeyedSeries& k : part) {
      SeriesSamples ss;
      ss.labels = tsdb::LabelsFromKey(k.key);
      ss.samples = std::move(k.samples);
      ss.string_samples = std::move(k.strings);
      out.push_back(std::move(ss));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const SeriesSamples& a, const SeriesSamples& b) { return a.labels < b.labels; });
  return out;
}

Result<std::vector<Labels>> MemStore::Series(std::span<const LabelMatcher> matchers,
                                             int64_t min_t, int64_t max_t) {
  std::vector<std::string> keys;
  for (size_t si = 0; si < shard_count(); ++si) {
    const Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    for (uint32_t id : MatchLocked(shard, matchers, min_t, max_t)) {
      keys.emplace_back(shard.series[id].key_view());
    }
  }
  std::vector<Labels> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) out.push_back(tsdb::LabelsFromKey(k));
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> MemStore::LabelNames(std::span<const LabelMatcher> matchers,
                                                      int64_t min_t, int64_t max_t) {
  std::unordered_set<std::string> names;
  for (size_t si = 0; si < shard_count(); ++si) {
    const Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    if (matchers.empty() && FullRange(min_t, max_t)) {
      for (std::string_view n : shard.index.LabelNames()) names.emplace(n);
      continue;
    }
    for (uint32_t id : MatchLocked(shard, matchers, min_t, max_t)) {
      tsdb::ForEachKeyLabel(shard.series[id].key_view(),
                            [&](std::string_view n, std::string_view) { names.emplace(n); });
    }
  }
  std::vector<std::string> out(names.begin(), names.end());
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> MemStore::LabelValues(std::string_view name,
                                                       std::span<const LabelMatcher> matchers,
                                                       int64_t min_t, int64_t max_t) {
  std::unordered_set<std::string> values;
  for (size_t si = 0; si < shard_count(); ++si) {
    const Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    if (matchers.empty() && FullRange(min_t, max_t)) {
      for (std::string_view v : shard.index.LabelValues(name)) values.emplace(v);
      continue;
    }
    for (uint32_t id : MatchLocked(shard, matchers, min_t, max_t)) {
      std::string_view v = tsdb::KeyLabelValue(shard.series[id].key_view(), name);
      if (!v.empty()) values.emplace(v);
    }
  }
  std::vector<std::string> out(values.begin(), values.end());
  std::sort(out.begin(), out.end());
  return out;
}

Status MemStore::Flush() { return Status::Ok(); }  // nothing buffered outside the head yet

Status MemStore::Close() {
  closed_.store(true);
  return Status::Ok();
}

MemStoreStats MemStore::Stats() const {
  MemStoreStats st;
  st.rejected_invalid_labels = rejected_invalid_labels_.load(std::memory_order_relaxed);
  for (size_t si = 0; si < shard_count(); ++si) {
    const Shard& shard = shards_[si];
    std::lock_guard lock(shard.mu);
    st.series += shard.series.size();
    st.samples += shard.samples;
    st.string_samples += shard.string_samples;
    st.chunks += shard.chunks;
    st.chunk_samples += shard.chunk_samples;
    st.chunk_bytes += shard.chunk_bytes;
    st.rejected_out_of_order += shard.rejected_ooo;
    st.rejected_too_old += shard.rejected_too_old;
    st.index_bytes += shard.key_bytes + shard.index.memory_bytes() + shard.table.memory_bytes();
    for (const SeriesData& ser : shard.series) {
      st.head_chunk_bytes += ser.head.data_bytes();
      size_t overhead = sizeof(SeriesData) + ser.head.heap_bytes() - ser.head.data_bytes();
      st.chunk_meta_bytes += ser.chunks.capacity() * sizeof(ChunkRef);
      for (const ChunkRef& c : ser.chunks) {
        st.chunk_meta_bytes += c.memory_bytes() - c.size();
      }
      if (ser.extra) {
        overhead += sizeof(SeriesExtra) + ser.extra->ooo.capacity() * sizeof(Sample) +
                    ser.extra->ooo_chunks.capacity() * sizeof(ChunkBytes) +
                    ser.extra->strings.capacity() * sizeof(StringSample);
        for (const ChunkBytes& c : ser.extra->ooo_chunks) overhead += c.memory_bytes();
        for (const StringSample& x : ser.extra->strings) {
          if (x.v.capacity() > 15) overhead += x.v.capacity() + 1;
        }
      }
      st.head_overhead_bytes += overhead;
    }
  }
  return st;
}

std::optional<uint64_t> MemStore::SeriesId(const Labels& labels) const {
  const uint64_t hash = labels.Hash();
  const std::string key = tsdb::SeriesKey(labels);
  const Shard& shard = shards_[ShardOf(hash)];
  std::lock_guard lock(shard.mu);
  uint32_t idx =
      shard.table.Find(hash, [&](uint32_t i) { return shard.series[i].key_view() == key; });
  if (idx == kNone) return std::nullopt;
  return shard.series[idx].id;
}

}  // namespace mm::storage
