// Chunks of the embedded store (format: docs/storage_format.md). HeadChunk is a series' open
// chunk, encoded incrementally as samples arrive; Encode() turns it into the immutable bytes
// held by a ChunkBytes (reference-counted, so readers keep a chunk alive after dropping the
// series lock); ChunkIterator decodes them. HeadChunk is not synchronized (the store's shard
// lock guards it); ChunkBytes may be copied and read from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/storage.h"
#include "storage/tsdb/bits.h"

namespace mm::storage::tsdb {

enum class ChunkEncoding : uint8_t { kDecimal = 1, kXor = 2 };

// The most samples a chunk may hold. A regular, constant series costs almost no bits per
// sample, so decoders refuse more than this rather than trust a count from disk; stores keep
// their chunk sizes below it.
inline constexpr uint32_t kMaxChunkSamples = 1u << 16;

// Immutable chunk bytes and their time range, with an intrusive reference count: one
// allocation (24 bytes of header), and a reference is one pointer.
class ChunkBytes {
 public:
  ChunkBytes() = default;
  static ChunkBytes Copy(std::string_view bytes, int64_t min_t = 0, int64_t max_t = 0);
  ChunkBytes(const ChunkBytes& o) : rep_(o.rep_) {
    if (rep_ != nullptr) rep_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  ChunkBytes(ChunkBytes&& o) noexcept : rep_(std::exchange(o.rep_, nullptr)) {}
  ChunkBytes& operator=(ChunkBytes o) noexcept {
    std::swap(rep_, o.rep_);
    return *this;
  }
  ~ChunkBytes();

  std::string_view view() const {
    return rep_ == nullptr ? std::string_view()
                           : std::string_view(reinterpret_cast<const char*>(rep_ + 1), rep_->size);
  }
  size_t size() const { return rep_ == nullptr ? 0 : rep_->size; }
  int64_t min_t() const { return rep_->min_t; }  // REQUIRES: not empty
  int64_t max_t() const { return rep_->max_t; }
  // Heap bytes this chunk holds (header + data).
  size_t memory_bytes() const { return rep_ == nullptr ? 0 : sizeof(Rep) + rep_->size; }

 private:
  struct Rep {
    std::atomic<uint32_t> refs;
    uint32_t size;
    int64_t min_t, max_t;
  };
  Rep* rep_ = nullptr;
};

// The open chunk of a series. Timestamps go straight into the final DoD bitstream; values stay
// decimal (scaled integers, varint differences) while they can, else switch to the XOR stream.
class HeadChunk {
 public:
  HeadChunk() = default;
  HeadChunk(HeadChunk&&) noexcept = default;
  HeadChunk& operator=(HeadChunk&&) noexcept = default;

  // REQUIRES: count() == 0 || t >= last_t().
  void Append(int64_t t, double v);
  uint32_t count() const { return n_; }
  int64_t first_t() const { return t0_; }
  int64_t last_t() const { return t_last_; }
  bool is_decimal() const { return !xor_; }

  // The chunk's final bytes (REQUIRES: count() > 0). Does not change the head.
  std::string Encode() const;
  // Empties the head, keeping its buffers for the next chunk.
  void Reset();
  // Appends the samples with min_t <= t <= max_t, in order.
  void DecodeInto(int64_t min_t, int64_t max_t, std::vector<Sample>& out) const;

  // Bytes of encoded data held, and heap bytes allocated (>= data bytes).
  size_t data_bytes() const { return ts_.byte_size() + vals_.byte_size(); }
  size_t heap_bytes() const { return ts_.capacity() + vals_.capacity(); }

 private:
  void AppendDecimal(double v);
  bool Rescale(int new_e);
  void SwitchToXor();
  void AppendXor(uint64_t bits);
  std::vector<int64_t> DecimalValues() const;
  int64_t FirstDelta() const { return d1_; }

  int64_t t0_ = 0;
  int64_t t_last_ = 0;
  int64_t d_last_ = 0;  // t_last_ - previous t
  int64_t d1_ = 0;      // t1 - t0
  uint64_t max_abs_m_ = 0;
  int64_t m_last_ = 0;
  uint64_t xor_last_ = 0;
  BitBuf ts_;    // DoD codes of samples 2..n-1
  BitBuf vals_;  // decimal: uvarint zigzag(m0), zigzag(m_i - m_{i-1})...; XOR: encoding-2 stream
  uint32_t n_ = 0;
  int8_t e_ = 0;
  bool xor_ = false;
  uint8_t lz_ = 0xff, tz_ = 0;  // XOR window; lz_ == 0xff: none yet
};

// Encodes samples (sorted by t) as one chunk; the samples must be non-empty.
std::string EncodeChunk(std::span<const Sample> samples);

// Iterates over the samples of chunk bytes. The bytes must outlive the iterator.
//   ChunkIterator it(bytes); while (it.Next()) use(it.t(), it.v()); if (!it.status().ok()) ...
class ChunkIterator {
 public:
  explicit ChunkIterator(std::string_view bytes);
  bool Next();
  int64_t t() const { return t_; }
  double v() const { return v_; }
  uint32_t count() const { return n_; }
  ChunkEncoding encoding() const { return enc_; }
  // Corruption if the bytes are not a valid chunk.
  Status status() const;

 private:
  bool Fail();
  bool NextValue();
  uint64_t ReadResidual();

  BitReader ts_, vals_;
  uint32_t n_ = 0, i_ = 0;
  ChunkEncoding enc_ = ChunkEncoding::kXor;
  bool failed_ = false;
  int64_t t_ = 0, d_ = 0, d1_ = 0;
  double v_ = 0;
  // decimal
  int e_ = 0;
  bool order2_ = false;
  bool regular_ = false;  // no DoD stream: every dod is 0
  int w_ = 0;
  int tb_k_ = 0;  // truncated binary residuals (w_ == 65)
  uint64_t tb_u_ = 0;
  uint64_t m_ = 0, md_ = 0;
  // xor
  uint64_t bits_ = 0;
  int lz_ = 0, tz_ = 0;
  bool has_window_ = false;
};

// Samples of a decoded chunk in [min_t, max_t] appended to `out` (decoding stops past max_t).
Status DecodeChunkInto(std::string_view bytes, int64_t min_t, int64_t max_t,
                       std::vector<Sample>& out);

}  // namespace mm::storage::tsdb
