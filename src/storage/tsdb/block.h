// Immutable on-disk blocks of DiskStore (format: docs/storage_format.md, "Blocks"). BlockWriter
// writes one into a directory (the caller renames it into place); Block opens one: its index
// (series keys, chunk references, a postings index rebuilt from the keys) stays in memory, the
// chunk and string files are memory-mapped (Env::MapFile) and read in place on query. BlockWriter: one thread. Block: immutable after
// Open, every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "storage/storage.h"
#include "storage/tsdb/index.h"
#include "storage/tsdb/mem_store.h"

namespace mm::storage::tsdb {

inline constexpr int kBlockFormatVersion = 2;

struct BlockMeta {
  int version = kBlockFormatVersion;
  int64_t min_t = 0;  // inclusive, ms
  int64_t max_t = 0;  // inclusive, ms
  uint64_t series = 0;
  uint64_t samples = 0;
  uint64_t chunks = 0;
  uint64_t string_samples = 0;
  uint64_t bytes = 0;  // chunks + strings + index + meta files
  int level = 1;
  std::vector<std::string> sources;
};
std::string EncodeBlockMeta(const BlockMeta& meta);
Result<BlockMeta> ParseBlockMeta(std::string_view json);

// One chunk as the writer takes it.
struct ChunkData {
  std::string_view bytes;  // a chunk (docs/storage_format.md, "Chunks")
  int64_t min_t = 0, max_t = 0;
};

class BlockWriter {
 public:
  // Creates `dir` and the files in it.
  static Result<std::unique_ptr<BlockWriter>> Create(Env* env, std::string dir);
  // Adds one series (each key once, any order); chunks in time order, strings sorted by t.
  Status AddSeries(std::string_view key, std::span<const ChunkData> chunks,
                   std::span<const StringSample> strings);
  // Writes the index and meta.json (stats filled in here), fsyncs every file and `dir`.
  Result<BlockMeta> Finish(BlockMeta meta);

 private:
  struct ChunkRefOut {
    int64_t min_t, max_t;
    uint64_t offset;
  };
  struct SeriesOut {
    std::string key;
    uint32_t first_chunk = 0, chunk_count = 0;
    uint64_t strings_off = 0;  // +1; 0 = none
  };
  BlockWriter(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}

  Env* env_;
  std::string dir_;
  std::unique_ptr<WritableFile> chunks_, strings_;
  std::vector<SeriesOut> series_;
  std::vector<ChunkRefOut> refs_;
  std::string scratch_;
  uint64_t samples_ = 0, string_samples_ = 0;
};

class Block {
 public:
  // Opens the block in `dir` (its name is the last path component). Corruption if a file is
  // missing, its magic, CRC or structure is wrong, or the format version is not ours.
  static Result<std::unique_ptr<Block>> Open(Env* env, std::string dir);

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  const std::string& name() const { return name_; }
  size_t series_count() const { return series_.size(); }
  std::string_view key(uint32_t i) const { return series_[i].key; }

  // Series (indexes, in key order) matching all matchers with chunks or strings in [lo, hi].
  std::vector<uint32_t> Match(std::span<const LabelMatcher> matchers, int64_t lo,
                              int64_t hi) const;
  // Samples (and strings when asked) of the matching series in the range.
  Result<std::vector<KeyedSeries>> Select(std::span<const LabelMatcher> matchers,
                                          const SelectOptions& options) const;
  const PostingsIndex& index() const { return index_; }

  // For compaction: the raw chunks (bytes, with their time ranges; the views live as long as
  // the block) and strings of series i.
  Result<std::vector<ChunkData>> ReadChunks(uint32_t i) const;
  Result<std::vector<StringSample>> ReadStrings(uint32_t i) const;

 private:
  struct ChunkMeta {
    int64_t min_t, max_t;
    uint64_t offset;
  };
  struct SeriesMeta {
    std::string key;
    int64_t min_t = INT64_MAX, max_t = INT64_MIN;
    uint32_t first_chunk = 0, chunk_count = 0;
    uint64_t strings_off = 0;  // +1; 0 = none
  };
  Result<std::string_view> ReadChunk(uint64_t offset) const;  // a view into the map
  Status Corrupt(const std::string& what) const;

  std::string dir_, name_;
  BlockMeta meta_;
  std::vector<SeriesMeta> series_;
  std::vector<ChunkMeta> chunks_;
  PostingsIndex index_;
  std::unique_ptr<MappedFile> chunk_file_, string_file_;
};

}  // namespace mm::storage::tsdb
