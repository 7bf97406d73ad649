// Bit- and byte-level primitives of the on-disk formats (docs/storage_format.md): zigzag, uvarints,
// little-endian fixed-width integers, a bounds-checked byte cursor (WAL records, block files), a
// compact growable bit buffer (the head's open-chunk streams) and a bounds-checked bit reader.
// Value types; not synchronized.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace mm::storage::tsdb {

inline uint64_t ZigZag(int64_t x) {
  return (static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63);
}
inline int64_t UnZigZag(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

inline void PutUvarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline void PutVarint(std::string& out, int64_t v) { PutUvarint(out, ZigZag(v)); }

// Reads a uvarint at `p` (advancing it); false if truncated or longer than 10 bytes.
inline bool GetUvarint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70 && p < end; shift += 7) {
    uint8_t b = *p++;
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) {
      v = result;
      return true;
    }
  }
  return false;
}
inline bool GetVarint(const uint8_t*& p, const uint8_t* end, int64_t& v) {
  uint64_t u;
  if (!GetUvarint(p, end, u)) return false;
  v = UnZigZag(u);
  return true;
}

// Little-endian fixed-width integers (lengths and CRCs of WAL records and block files).
inline void PutFixed32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
inline void PutFixed64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
inline uint32_t GetFixed32(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{b[i]} << (8 * i);
  return v;
}
inline uint64_t GetFixed64(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{b[i]} << (8 * i);
  return v;
}

// Reads varints and byte runs from a byte string; every read is bounds-checked and says false
// when the bytes run out (then the cursor is not to be used further).
struct ByteCursor {
  const uint8_t* p;
  const uint8_t* end;
  explicit ByteCursor(std::string_view s)
      : p(reinterpret_cast<const uint8_t*>(s.data())), end(p + s.size()) {}
  bool U(uint64_t& v) { return GetUvarint(p, end, v); }
  bool S(int64_t& v) { return GetVarint(p, end, v); }
  bool Bytes(uint64_t n, std::string_view& out) {
    if (static_cast<uint64_t>(end - p) < n) return false;
    out = std::string_view(reinterpret_cast<const char*>(p), n);
    p += n;
    return true;
  }
};

inline int BitLength(uint64_t u) { return u == 0 ? 0 : 64 - __builtin_clzll(u); }

// A growable buffer of bits (MSB first within each byte), 16 bytes when empty. Kept small
// because every series' open chunk holds two of them. Move-only.
class BitBuf {
 public:
  BitBuf() = default;
  BitBuf(const BitBuf&) = delete;
  BitBuf& operator=(const BitBuf&) = delete;
  BitBuf(BitBuf&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        nbits_(std::exchange(o.nbits_, 0)),
        cap_(std::exchange(o.cap_, 0)) {}
  BitBuf& operator=(BitBuf&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = std::exchange(o.data_, nullptr);
      nbits_ = std::exchange(o.nbits_, 0);
      cap_ = std::exchange(o.cap_, 0);
    }
    return *this;
  }
  ~BitBuf() { std::free(data_); }

  // Writes the low `n` bits of `v` (0 <= n <= 64), most significant first.
  void WriteBits(uint64_t v, int n) {
    if (n == 0) return;
    if (n < 64) v &= (uint64_t{1} << n) - 1;
    Reserve((nbits_ + static_cast<uint32_t>(n) + 7) / 8);
    while (n > 0) {
      uint32_t byte = nbits_ >> 3;
      int used = static_cast<int>(nbits_ & 7);
      if (used == 0) data_[byte] = 0;
      int take = std::min(8 - used, n);
      uint8_t bits = static_cast<uint8_t>((v >> (n - take)) & ((1u << take) - 1));
      data_[byte] |= static_cast<uint8_t>(bits << (8 - used - take));
      nbits_ += static_cast<uint32_t>(take);
      n -= take;
    }
  }
  void WriteBit(bool b) { WriteBits(b ? 1 : 0, 1); }
  // REQUIRES: byte aligned (used for the head's varint buffer only).
  void AppendUvarint(uint64_t v) {
    Reserve(nbits_ / 8 + 10);
    while (v >= 0x80) {
      data_[nbits_ >> 3] = static_cast<uint8_t>(v | 0x80);
      nbits_ += 8;
      v >>= 7;
    }
    data_[nbits_ >> 3] = static_cast<uint8_t>(v);
    nbits_ += 8;
  }

  const uint8_t* data() const { return data_; }
  size_t bit_size() const { return nbits_; }
  size_t byte_size() const { return (nbits_ + 7) / 8; }
  size_t capacity() const { return cap_; }
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(data_), byte_size()};
  }
  void Clear() { nbits_ = 0; }
  void Release() {
    std::free(data_);
    data_ = nullptr;
    nbits_ = cap_ = 0;
  }

 private:
  void Reserve(size_t bytes) {
    if (bytes <= cap_) return;
    size_t cap = std::max<size_t>({bytes, 16, static_cast<size_t>(cap_) * 3 / 2});
    auto* p = static_cast<uint8_t*>(std::realloc(data_, cap));
    if (p == nullptr) std::abort();  // out of memory: nothing sensible left to do
    data_ = p;
    cap_ = static_cast<uint32_t>(cap);
  }

  uint8_t* data_ = nullptr;
  uint32_t nbits_ = 0;
  uint32_t cap_ = 0;
};

// Reads bit fields MSB first from a byte range; reading past the end sets failed() and yields 0.
class BitReader {
 public:
  BitReader() = default;
  BitReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}

  uint64_t ReadBits(int n) {
    uint64_t out = 0;
    while (n > 0) {
      if (avail_ == 0) {
        if (p_ == end_) {
          failed_ = true;
          return 0;
        }
        cur_ = *p_++;
        avail_ = 8;
      }
      int take = std::min(n, avail_);
      out = (out << take) | ((cur_ >> (avail_ - take)) & ((1u << take) - 1));
      avail_ -= take;
      n -= take;
    }
    return out;
  }
  bool ReadBit() { return ReadBits(1) != 0; }
  // Counts leading one bits, reading at most `max` bits (stops after the first zero).
  int ReadOnes(int max) {
    int ones = 0;
    while (ones < max && ReadBit()) ++ones;
    return ones;
  }
  bool failed() const { return failed_; }

 private:
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint32_t cur_ = 0;
  int avail_ = 0;
  bool failed_ = false;
};

}  // namespace mm::storage::tsdb
