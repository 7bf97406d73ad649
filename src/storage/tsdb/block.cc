#include "storage/tsdb/block.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>

#include "storage/tsdb/bits.h"
#include "storage/tsdb/chunk.h"
#include "storage/tsdb/crc32c.h"
#include "storage/tsdb/series_key.h"

namespace mm::storage::tsdb {

namespace {

constexpr std::string_view kChunksMagic = "MMCHUNK1";
constexpr std::string_view kStringsMagic = "MMSTRS_1";
constexpr std::string_view kIndexMagic = "MMINDEX2";

std::string BaseName(const std::string& dir) {
  size_t p = dir.rfind('/');
  return p == std::string::npos ? dir : dir.substr(p + 1);
}

}  // namespace

std::string EncodeBlockMeta(const BlockMeta& m) {
  boost::json::object o;
  o["version"] = m.version;
  o["min_t"] = m.min_t;
  o["max_t"] = m.max_t;
  o["stats"] = {{"series", m.series},   {"samples", m.samples},
                {"chunks", m.chunks},   {"string_samples", m.string_samples},
                {"bytes", m.bytes}};
  boost::json::array sources;
  for (const std::string& s : m.sources) sources.emplace_back(s);
  o["compaction"] = {{"level", m.level}, {"sources", std::move(sources)}};
  return boost::json::serialize(o) + "\n";
}

Result<BlockMeta> ParseBlockMeta(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return Status::Corruption("meta.json: not a JSON object");
  try {
    const auto& o = v.as_object();
    BlockMeta m;
    m.version = static_cast<int>(o.at("version").to_number<int64_t>());
    if (m.version != kBlockFormatVersion) {
      return Status::FailedPrecondition("meta.json: block format version " +
                                        std::to_string(m.version) + ", this build reads " +
                                        std::to_string(kBlockFormatVersion));
    }
    m.min_t = o.at("min_t").to_number<int64_t>();
    m.max_t = o.at("max_t").to_number<int64_t>();
    const auto& st = o.at("stats").as_object();
    m.series = st.at("series").to_number<uint64_t>();
    m.samples = st.at("samples").to_number<uint64_t>();
    m.chunks = st.at("chunks").to_number<uint64_t>();
    m.string_samples = st.at("string_samples").to_number<uint64_t>();
    m.bytes = st.at("bytes").to_number<uint64_t>();
    const auto& c = o.at("compaction").as_object();
    m.level = static_cast<int>(c.at("level").to_number<int64_t>());
    for (const auto& s : c.at("sources").as_array()) m.sources.emplace_back(s.as_string());
    return m;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("meta.json: ") + e.what());
  }
}

// --- Writer ---

Result<std::unique_ptr<BlockWriter>> BlockWriter::Create(Env* env, std::string dir) {
  MM_RETURN_IF_ERROR(env->CreateDir(dir));
  std::unique_ptr<BlockWriter> w(new BlockWriter(env, dir));
  MM_ASSIGN_OR_RETURN(w->chunks_, env->NewWritableFile(dir + "/chunks", false));
  MM_ASSIGN_OR_RETURN(w->strings_, env->NewWritableFile(dir + "/strings", false));
  MM_RETURN_IF_ERROR(w->chunks_->Append(kChunksMagic));
  MM_RETURN_IF_ERROR(w->strings_->Append(kStringsMagic));
  return w;
}

Status BlockWriter::AddSeries(std::string_view key, std::span<const ChunkData> chunks,
                              std::span<const StringSample> strings) {
  SeriesOut s;
  s.key.assign(key);
  s.first_chunk = static_cast<uint32_t>(refs_.size());
  for (const ChunkData& c : chunks) {
    refs_.push_back({c.min_t, c.max_t, chunks_->Size()});
    scratch_.clear();
    PutUvarint(scratch_, c.bytes.size());
    scratch_.append(c.bytes);
    PutFixed32(scratch_, Crc32c(c.bytes));
    MM_RETURN_IF_ERROR(chunks_->Append(scratch_));
    samples_ += ChunkIterator(c.bytes).count();
  }
  s.chunk_count = static_cast<uint32_t>(chunks.size());
  if (!strings.empty()) {
    s.strings_off = strings_->Size() + 1;
    scratch_.clear();
    PutUvarint(scratch_, strings.size());
    int64_t prev = 0;
    for (const StringSample& x : strings) {
      PutVarint(scratch_, static_cast<int64_t>(uint64_t(x.t) - uint64_t(prev)));
      prev = x.t;
      PutUvarint(scratch_, x.v.size());
      scratch_.append(x.v);
    }
    PutFixed32(scratch_, Crc32c(scratch_));
    MM_RETURN_IF_ERROR(strings_->Append(scratch_));
    string_samples_ += strings.size();
  }
  series_.push_back(std::move(s));
  return Status::Ok();
}

Result<BlockMeta> BlockWriter::Finish(BlockMeta meta) {
  std::sort(series_.begin(), series_.end(),
            [](const SeriesOut& a, const SeriesOut& b) { return a.key < b.key; });
  // Symbol table: every label name and value once, sorted; series refer to them by number.
  std::vector<std::string_view> symbols;
  for (const SeriesOut& s : series_) {
    ForEachKeyLabel(s.key, [&](std::string_view n, std::string_view v) {
      symbols.push_back(n);
      symbols.push_back(v);
    });
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  auto symbol = [&](std::string_view x) {
    return static_cast<uint64_t>(std::lower_bound(symbols.begin(), symbols.end(), x) -
                                 symbols.begin());
  };
  std::string idx(kIndexMagic);
  PutUvarint(idx, symbols.size());
  for (std::string_view x : symbols) {
    PutUvarint(idx, x.size());
    idx.append(x);
  }
  PutUvarint(idx, series_.size());
  std::vector<std::pair<uint64_t, uint64_t>> labels;
  for (const SeriesOut& s : series_) {
    labels.clear();
    ForEachKeyLabel(s.key, [&](std::string_view n, std::string_view v) {
      labels.emplace_back(symbol(n), symbol(v));
    });
    PutUvarint(idx, labels.size());
    for (auto [n, v] : labels) {
      PutUvarint(idx, n);
      PutUvarint(idx, v);
    }
    PutUvarint(idx, s.chunk_count);
    int64_t prev = 0;
    for (uint32_t i = 0; i < s.chunk_count; ++i) {
      const ChunkRefOut& r = refs_[s.first_chunk + i];
      PutVarint(idx, static_cast<int64_t>(uint64_t(r.min_t) - uint64_t(prev)));
      PutUvarint(idx, uint64_t(r.max_t) - uint64_t(r.min_t));
      PutUvarint(idx, r.offset);
      prev = r.max_t;
    }
    PutUvarint(idx, s.strings_off);
  }
  PutFixed32(idx, Crc32c(idx));

  MM_RETURN_IF_ERROR(chunks_->Sync());
  MM_RETURN_IF_ERROR(strings_->Sync());
  const uint64_t data_bytes = chunks_->Size() + strings_->Size();
  MM_RETURN_IF_ERROR(chunks_->Close());
  MM_RETURN_IF_ERROR(strings_->Close());
  {
    MM_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(dir_ + "/index", false));
    MM_RETURN_IF_ERROR(f->Append(idx));
    MM_RETURN_IF_ERROR(f->Sync());
    MM_RETURN_IF_ERROR(f->Close());
  }
  meta.version = kBlockFormatVersion;
  meta.series = series_.size();
  meta.samples = samples_;
  meta.chunks = refs_.size();
  meta.string_samples = string_samples_;
  meta.bytes = 0;
  std::string json = EncodeBlockMeta(meta);
  // The size recorded includes meta.json itself (a fixed point: the digits rarely change it).
  for (int i = 0; i < 3; ++i) {
    meta.bytes = data_bytes + idx.size() + json.size();
    json = EncodeBlockMeta(meta);
  }
  {
    MM_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(dir_ + "/meta.json", false));
    MM_RETURN_IF_ERROR(f->Append(json));
    MM_RETURN_IF_ERROR(f->Sync());
    MM_RETURN_IF_ERROR(f->Close());
  }
  MM_RETURN_IF_ERROR(env_->SyncDir(dir_));
  return meta;
}

// --- Reader ---

Status Block::Corrupt(const std::string& what) const {
  return Status::Corruption("block " + dir_ + ": " + what);
}

Result<std::unique_ptr<Block>> Block::Open(Env* env, std::string dir) {
  std::unique_ptr<Block> b(new Block);
  b->dir_ = dir;
  b->name_ = BaseName(dir);
  auto meta_text = env->ReadFile(dir + "/meta.json");
  if (!meta_text.ok()) return b->Corrupt(meta_text.status().message());
  auto meta = ParseBlockMeta(*meta_text);
  if (!meta.ok()) {
    if (meta.status().code() == StatusCode::kFailedPrecondition) {
      return Status::FailedPrecondition("block " + dir + ": " + meta.status().message());
    }
    return b->Corrupt(meta.status().message());
  }
  b->meta_ = std::move(meta).value();

  auto idx_text = env->ReadFile(dir + "/index");
  if (!idx_text.ok()) return b->Corrupt(idx_text.status().message());
  const std::string& idx = *idx_text;
  if (idx.size() < kIndexMagic.size() + 4 || idx.compare(0, kIndexMagic.size(), kIndexMagic) != 0) {
    return b->Corrupt("index: bad magic");
  }
  const std::string_view body(idx.data(), idx.size() - 4);
  if (Crc32c(body) != GetFixed32(idx.data() + idx.size() - 4)) {
    return b->Corrupt("index: CRC mismatch");
  }
  ByteCursor c(body.substr(kIndexMagic.size()));
  uint64_t nsym;
  if (!c.U(nsym) || nsym > body.size()) return b->Corrupt("index: symbol count");
  std::vector<std::string_view> symbols(nsym);
  for (uint64_t i = 0; i < nsym; ++i) {
    uint64_t len;
    if (!c.U(len) || !c.Bytes(len, symbols[i])) return b->Corrupt("index: symbol table");
    if (i > 0 && !(symbols[i - 1] < symbols[i])) return b->Corrupt("index: symbols not sorted");
  }
  uint64_t n;
  if (!c.U(n) || n > body.size()) return b->Corrupt("index: series count");
  b->series_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    SeriesMeta s;
    uint64_t nlabels, nchunks;
    if (!c.U(nlabels) || nlabels > body.size()) return b->Corrupt("index: series entry");
    for (uint64_t l = 0; l < nlabels; ++l) {
      uint64_t ni, vi;
      if (!c.U(ni) || !c.U(vi) || ni >= nsym || vi >= nsym) {
        return b->Corrupt("index: label reference");
      }
      s.key.append(symbols[ni]).push_back(kKeySep);
      s.key.append(symbols[vi]).push_back(kKeySep);
    }
    if (!c.U(nchunks) || nchunks > body.size()) return b->Corrupt("index: series entry");
    s.first_chunk = static_cast<uint32_t>(b->chunks_.size());
    s.chunk_count = static_cast<uint32_t>(nchunks);
    int64_t prev = 0;
    for (uint64_t k = 0; k < nchunks; ++k) {
      int64_t dmin;
      uint64_t span, off;
      if (!c.S(dmin) || !c.U(span) || !c.U(off)) return b->Corrupt("index: chunk reference");
      ChunkMeta cm;
      cm.min_t = static_cast<int64_t>(uint64_t(prev) + uint64_t(dmin));
      cm.max_t = static_cast<int64_t>(uint64_t(cm.min_t) + span);
      cm.offset = off;
      prev = cm.max_t;
      s.min_t = std::min(s.min_t, cm.min_t);
      s.max_t = std::max(s.max_t, cm.max_t);
      b->chunks_.push_back(cm);
    }
    if (!c.U(s.strings_off)) return b->Corrupt("index: strings reference");
    if (s.strings_off != 0) {
      // String runs carry no time range in the index: the block's range bounds them.
      s.min_t = std::min(s.min_t, b->meta_.min_t);
      s.max_t = std::max(s.max_t, b->meta_.max_t);
    }
    if (i > 0 && !(b->series_.back().key < s.key)) return b->Corrupt("index: keys not sorted");
    b->series_.push_back(std::move(s));
  }
  if (c.p != c.end) return b->Corrupt("index: trailing bytes");
  for (uint32_t i = 0; i < b->series_.size(); ++i) b->index_.Add(i, b->series_[i].key);

  MM_ASSIGN_OR_RETURN(b->chunk_file_, env->MapFile(dir + "/chunks"));
  MM_ASSIGN_OR_RETURN(b->string_file_, env->MapFile(dir + "/strings"));
  if (!b->chunk_file_->data().starts_with(kChunksMagic)) return b->Corrupt("chunks: bad magic");
  if (!b->string_file_->data().starts_with(kStringsMagic)) return b->Corrupt("strings: bad magic");
  return b;
}

std::vector<uint32_t> Block::Match(std::span<const LabelMatcher> matchers, int64_t lo,
                                   int64_t hi) const {
  if (meta_.min_t > hi || meta_.max_t < lo) return {};
  std::vector<uint32_t> ids = index_.Select(matchers);
  std::erase_if(ids, [&](uint32_t i) { return series_[i].min_t > hi || series_[i].max_t < lo; });
  return ids;
}

Result<std::string_view> Block::ReadChunk(uint64_t offset) const {
  const std::string_view file = chunk_file_->data();
  if (offset < kChunksMagic.size() || offset >= file.size()) {
    return Corrupt("chunk at " + std::to_string(offset) + ": outside the chunks file");
  }
  ByteCursor c(file.substr(offset));
  uint64_t len;
  std::string_view chunk;
  if (!c.U(len) || !c.Bytes(len, chunk) || c.end - c.p < 4) {
    return Corrupt("chunk at " + std::to_string(offset) + " truncated");
  }
  if (Crc32c(chunk) != GetFixed32(c.p)) {
    return Corrupt("chunk at " + std::to_string(offset) + ": CRC mismatch");
  }
  return chunk;
}

Result<std::vector<ChunkData>> Block::ReadChunks(uint32_t i) const {
  const SeriesMeta& s = series_[i];
  std::vector<ChunkData> out;
  for (uint32_t k = 0; k < s.chunk_count; ++k) {
    const ChunkMeta& cm = chunks_[s.first_chunk + k];
    MM_ASSIGN_OR_RETURN(std::string_view bytes, ReadChunk(cm.offset));
    out.push_back({bytes, cm.min_t, cm.max_t});
  }
  return out;
}

Result<std::vector<StringSample>> Block::ReadStrings(uint32_t i) const {
  const SeriesMeta& s = series_[i];
  std::vector<StringSample> out;
  if (s.strings_off == 0) return out;
  const uint64_t off = s.strings_off - 1;
  const std::string_view file = string_file_->data();
  const std::string where = "strings at " + std::to_string(off);
  if (off < kStringsMagic.size() || off >= file.size()) return Corrupt(where + ": outside the file");
  ByteCursor c(file.substr(off));
  uint64_t n;
  if (!c.U(n) || n > file.size()) return Corrupt(where + " truncated");
  int64_t t = 0;
  for (uint64_t k = 0; k < n; ++k) {
    int64_t dt;
    uint64_t len;
    std::string_view v;
    if (!c.S(dt) || !c.U(len) || !c.Bytes(len, v)) return Corrupt(where + " truncated");
    t = static_cast<int64_t>(uint64_t(t) + uint64_t(dt));
    out.push_back({t, std::string(v)});
  }
  const size_t body = static_cast<size_t>(c.p - reinterpret_cast<const uint8_t*>(file.data()) - off);
  if (c.end - c.p < 4) return Corrupt(where + " truncated");
  if (Crc32c(file.substr(off, body)) != GetFixed32(c.p)) {
    return Corrupt(where + ": CRC mismatch");
  }
  return out;
}

Result<std::vector<KeyedSeries>> Block::Select(std::span<const LabelMatcher> matchers,
                                               const SelectOptions& options) const {
  const int64_t lo = options.min_t, hi = options.max_t;
  std::vector<KeyedSeries> out;
  for (uint32_t i : Match(matchers, lo, hi)) {
    const SeriesMeta& s = series_[i];
    KeyedSeries ks;
    for (uint32_t k = 0; k < s.chunk_count; ++k) {
      const ChunkMeta& cm = chunks_[s.first_chunk + k];
      if (cm.min_t > hi || cm.max_t < lo) continue;
      MM_ASSIGN_OR_RETURN(std::string_view bytes, ReadChunk(cm.offset));
      Status st = DecodeChunkInto(bytes, lo, hi, ks.samples);
      if (!st.ok()) return Corrupt("series " + s.key + ": " + st.message());
    }
    if (options.with_strings && s.strings_off != 0) {
      MM_ASSIGN_OR_RETURN(std::vector<StringSample> strs, ReadStrings(i));
      for (StringSample& x : strs) {
        if (x.t >= lo && x.t <= hi) ks.strings.push_back(std::move(x));
      }
    }
    if (ks.samples.empty() && ks.strings.empty()) continue;
    ks.key = s.key;
    out.push_back(std::move(ks));
  }
  return out;
}

}  // namespace mm::storage::tsdb
