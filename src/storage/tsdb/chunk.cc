#include "storage/tsdb/chunk.h"

#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <new>
#include <optional>

namespace mm::storage::tsdb {

namespace {

// 10^k, exactly representable as doubles for k <= 22.
constexpr std::array<double, 23> kPow10 = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kMaxExponent = 15;    // head: value = m / 10^e, 0 <= e <= 15
constexpr int kMaxNegExponent = 18;  // at cut: value = m * 10^k, k <= 18
constexpr double kMaxScaled = 9007199254740992.0;  // 2^53
constexpr uint64_t kMaxScaledInt = uint64_t{1} << 53;

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// m with v == m / 10^e bit-exactly (decoded the way ChunkIterator does), if there is one.
std::optional<int64_t> ToDecimal(double v, int e) {
  double s = v * kPow10[e];
  if (!(std::fabs(s) <= kMaxScaled)) return std::nullopt;  // also NaN and Inf
  int64_t m = static_cast<int64_t>(std::nearbyint(s));
  if (Bits(static_cast<double>(m) / kPow10[e]) != Bits(v)) return std::nullopt;  // e.g. -0.0
  return m;
}

double FromDecimal(int64_t m, int e) {
  return e >= 0 ? static_cast<double>(m) / kPow10[e] : static_cast<double>(m) * kPow10[-e];
}

uint64_t AbsU(int64_t m) {
  return m < 0 ? ~static_cast<uint64_t>(m) + 1 : static_cast<uint64_t>(m);
}

int64_t Sub(int64_t a, int64_t b) {  // wrapping
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t Add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

bool FitsSigned(int64_t v, int bits) {
  int64_t lim = int64_t{1} << (bits - 1);
  return v >= -lim && v < lim;
}

void WriteDod(BitBuf& b, int64_t dod) {
  if (dod == 0) {
    b.WriteBits(0b0, 1);
  } else if (FitsSigned(dod, 7)) {
    b.WriteBits(0b10, 2);
    b.WriteBits(static_cast<uint64_t>(dod), 7);
  } else if (FitsSigned(dod, 13)) {
    b.WriteBits(0b110, 3);
    b.WriteBits(static_cast<uint64_t>(dod), 13);
  } else if (FitsSigned(dod, 20)) {
    b.WriteBits(0b1110, 4);
    b.WriteBits(static_cast<uint64_t>(dod), 20);
  } else {
    b.WriteBits(0b1111, 4);
    b.WriteBits(static_cast<uint64_t>(dod), 64);
  }
}

int64_t SignExtend(uint64_t x, int bits) {
  return static_cast<int64_t>(x << (64 - bits)) >> (64 - bits);
}

int64_t ReadDod(BitReader& r) {
  switch (r.ReadOnes(4)) {
    case 0: return 0;
    case 1: return SignExtend(r.ReadBits(7), 7);
    case 2: return SignExtend(r.ReadBits(13), 13);
    case 3: return SignExtend(r.ReadBits(20), 20);
    default: return static_cast<int64_t>(r.ReadBits(64));
  }
}

int UvarintLen(uint64_t v) {
  int n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}

// Mode value (low 7 bits of the mode byte) for truncated binary residuals.
constexpr int kTruncatedBinary = 65;

// Per-chunk choice of the decimal residual coding: order, and either a width w (0..64, with
// escapes) or truncated binary over [0, max] (w == kTruncatedBinary), with the fewest bits.
struct ResidualPlan {
  bool order2 = false;
  int w = 64;
  uint64_t max = 0;  // for kTruncatedBinary
  uint64_t bits = std::numeric_limits<uint64_t>::max();
};

// Truncated binary code of [0, max] (max >= 1, max < 2^63): with r = max + 1 and
// k = floor(log2 r), the first u = 2^(k+1) - r values take k bits, the others k + 1.
struct TruncatedBinary {
  int k;
  uint64_t u;
  explicit TruncatedBinary(uint64_t max)
      : k(BitLength(max + 1) - 1), u((uint64_t{1} << (k + 1)) - (max + 1)) {}
};

void PlanWidth(std::span<const uint64_t> us, bool order2, uint64_t extra_bits, ResidualPlan& best) {
  std::array<uint64_t, 65> hist{}, all_ones{};
  uint64_t max = 0;
  for (uint64_t u : us) {
    int b = BitLength(u);
    ++hist[b];
    if (b > 0 && u == (b == 64 ? ~uint64_t{0} : (uint64_t{1} << b) - 1)) ++all_ones[b];
    max = std::max(max, u);
  }
  if (max >= 1 && max < (uint64_t{1} << 62)) {
    const TruncatedBinary tb(max);
    uint64_t cost = extra_bits + 8 * static_cast<uint64_t>(UvarintLen(max)) +
                    us.size() * static_cast<uint64_t>(tb.k);
    for (uint64_t u : us) cost += u >= tb.u ? 1 : 0;
    if (cost < best.bits) best = {order2, kTruncatedBinary, max, cost};
  }
  const uint64_t k = us.size();
  // Escapes for width w: bit length > w, or exactly w one-bits. Suffix sums make this O(65).
  std::array<uint64_t, 66> above_cnt{}, above_bits{};
  for (int b = 64; b >= 0; --b) {
    above_cnt[b] = above_cnt[b + 1] + hist[b];
    above_bits[b] = above_bits[b + 1] + hist[b] * static_cast<uint64_t>(b);
  }
  for (int w = 0; w <= 64; ++w) {
    uint64_t cost;
    if (w == 0) {
      if (hist[0] != k) continue;
      cost = 0;
    } else if (w == 64) {
      cost = 64 * k;
    } else {
      uint64_t esc_cnt = above_cnt[w + 1] + all_ones[w];
      uint64_t esc_len = above_bits[w + 1] + all_ones[w] * static_cast<uint64_t>(w);
      cost = k * static_cast<uint64_t>(w) + esc_cnt * 6 + esc_len;
    }
    cost += extra_bits;
    if (cost < best.bits) best = {order2, w, 0, cost};
  }
}

void EncodeDecimalValues(std::vector<int64_t> ms, int e, std::string& out) {
  if (e == 0) {
    // Integers with common trailing zeros (1200, 3400, ...) scale down: value = m * 10^k.
    int k = kMaxNegExponent;
    bool any = false;
    for (int64_t m : ms) {
      if (m == 0) continue;
      any = true;
      int z = 0;
      while (z < k && m % 10 == 0) m /= 10, ++z;
      k = z;
      if (k == 0) break;
    }
    if (any && k > 0) {
      int64_t div = static_cast<int64_t>(kPow10[k]);
      for (int64_t& m : ms) m /= div;
      e = -k;
    }
  }
  const size_t n = ms.size();
  std::vector<uint64_t> r1, r2;
  r1.reserve(n);
  for (size_t i = 1; i < n; ++i) r1.push_back(ZigZag(ms[i] - ms[i - 1]));
  ResidualPlan plan;
  PlanWidth(r1, false, 0, plan);
  if (n >= 3) {
    r2.reserve(n);
    for (size_t i = 2; i < n; ++i) {
      r2.push_back(ZigZag((ms[i] - ms[i - 1]) - (ms[i - 1] - ms[i - 2])));
    }
    PlanWidth(r2, true, 8 * static_cast<uint64_t>(UvarintLen(ZigZag(ms[1] - ms[0]))), plan);
  }
  out.push_back(static_cast<char>(static_cast<int8_t>(e)));
  out.push_back(static_cast<char>((plan.order2 ? 0x80 : 0) | plan.w));
  PutVarint(out, ms[0]);
  if (plan.order2) PutVarint(out, ms[1] - ms[0]);
  const std::vector<uint64_t>& us = plan.order2 ? r2 : r1;
  BitBuf b;
  const int w = plan.w;
  if (w == kTruncatedBinary) {
    PutUvarint(out, plan.max);
    const TruncatedBinary tb(plan.max);
    for (uint64_t u : us) {
      if (u < tb.u) {
        b.WriteBits(u, tb.k);
      } else {
        b.WriteBits(u + tb.u, tb.k + 1);
      }
    }
  } else if (w > 0) {
    const uint64_t esc = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
    for (uint64_t u : us) {
      if (w == 64 || u < esc) {
        b.WriteBits(u, w);
      } else {
        int len = BitLength(u);
        b.WriteBits(esc, w);
        b.WriteBits(static_cast<uint64_t>(len - 1), 6);
        b.WriteBits(u, len);
      }
    }
  }
  out.append(b.bytes());
}

}  // namespace

// ---- ChunkBytes ----

ChunkBytes ChunkBytes::Copy(std::string_view bytes, int64_t min_t, int64_t max_t) {
  ChunkBytes c;
  void* mem = ::operator new(sizeof(Rep) + bytes.size());
  c.rep_ = new (mem) Rep{{1}, static_cast<uint32_t>(bytes.size()), min_t, max_t};
  if (!bytes.empty()) std::memcpy(static_cast<char*>(mem) + sizeof(Rep), bytes.data(), bytes.size());
  return c;
}

ChunkBytes::~ChunkBytes() {
  if (rep_ != nullptr && rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    rep_->~Rep();
    ::operator delete(rep_);
  }
}

// ---- HeadChunk ----

void HeadChunk::Append(int64_t t, double v) {
  if (n_ == 0) {
    t0_ = t_last_ = t;
    d_last_ = 0;
  } else {
    int64_t d = Sub(t, t_last_);
    if (n_ == 1) d1_ = d;
    if (n_ >= 2) WriteDod(ts_, Sub(d, d_last_));
    d_last_ = d;
    t_last_ = t;
  }
  if (xor_) {
    AppendXor(Bits(v));
  } else {
    AppendDecimal(v);
  }
  ++n_;
}

void HeadChunk::AppendDecimal(double v) {
  std::optional<int64_t> m = ToDecimal(v, e_);
  if (!m) {
    for (int e = e_ + 1; e <= kMaxExponent; ++e) {
      m = ToDecimal(v, e);
      if (m) {
        if (!Rescale(e)) m.reset();
        break;
      }
    }
    if (!m) {
      SwitchToXor();
      AppendXor(Bits(v));
      return;
    }
  }
  max_abs_m_ = std::max(max_abs_m_, AbsU(*m));
  vals_.AppendUvarint(ZigZag(n_ == 0 ? *m : *m - m_last_));
  m_last_ = *m;
}

bool HeadChunk::Rescale(int new_e) {
  if (n_ == 0) {
    e_ = static_cast<int8_t>(new_e);
    return true;
  }
  uint64_t factor = static_cast<uint64_t>(kPow10[new_e - e_]);
  if (max_abs_m_ > kMaxScaledInt / factor) return false;
  std::vector<int64_t> ms = DecimalValues();
  vals_.Clear();
  int64_t prev = 0;
  for (size_t i = 0; i < ms.size(); ++i) {
    int64_t m = ms[i] * static_cast<int64_t>(factor);
    vals_.AppendUvarint(ZigZag(i == 0 ? m : m - prev));
    prev = m;
  }
  m_last_ = prev;
  max_abs_m_ *= factor;
  e_ = static_cast<int8_t>(new_e);
  return true;
}

std::vector<int64_t> HeadChunk::DecimalValues() const {
  std::vector<int64_t> ms;
  ms.reserve(n_);
  const uint8_t* p = vals_.data();
  const uint8_t* end = p + vals_.byte_size();
  int64_t m = 0;
  for (uint32_t i = 0; i < n_; ++i) {
    uint64_t u = 0;
    bool ok = GetUvarint(p, end, u);
    MM_DCHECK(ok, "head varint buffer is well-formed");
    (void)ok;
    m = i == 0 ? UnZigZag(u) : m + UnZigZag(u);
    ms.push_back(m);
  }
  return ms;
}

void HeadChunk::SwitchToXor() {
  std::vector<int64_t> ms = DecimalValues();
  vals_.Clear();
  xor_ = true;
  lz_ = 0xff;
  uint32_t n = n_;
  for (uint32_t i = 0; i < n; ++i) {
    n_ = i;  // AppendXor looks at n_ to spot the first value
    AppendXor(Bits(FromDecimal(ms[i], e_)));
  }
  n_ = n;
}

void HeadChunk::AppendXor(uint64_t bits) {
  if (n_ == 0) {
    vals_.WriteBits(bits, 64);
  } else {
    uint64_t x = bits ^ xor_last_;
    if (x == 0) {
      vals_.WriteBits(0b0, 1);
    } else {
      int lz = std::min(__builtin_clzll(x), 31);
      int tz = __builtin_ctzll(x);
      if (lz_ != 0xff && lz >= lz_ && tz >= tz_) {
        vals_.WriteBits(0b10, 2);
        vals_.WriteBits(x >> tz_, 64 - lz_ - tz_);
      } else {
        int sig = 64 - lz - tz;
        vals_.WriteBits(0b11, 2);
        vals_.WriteBits(static_cast<uint64_t>(lz), 5);
        vals_.WriteBits(static_cast<uint64_t>(sig & 63), 6);
        vals_.WriteBits(x >> tz, sig);
        lz_ = static_cast<uint8_t>(lz);
        tz_ = static_cast<uint8_t>(tz);
      }
    }
  }
  xor_last_ = bits;
}

std::string HeadChunk::Encode() const {
  MM_DCHECK(n_ > 0, "an empty head has no chunk");
  std::string out;
  out.reserve(16 + data_bytes() + (xor_ ? 0 : 8));
  out.push_back(static_cast<char>(xor_ ? ChunkEncoding::kXor : ChunkEncoding::kDecimal));
  PutUvarint(out, n_);
  PutVarint(out, t0_);
  if (n_ >= 2) {
    PutUvarint(out, static_cast<uint64_t>(FirstDelta()));
  }
  // A regular series (every dod 0, so every bit of the stream 0) stores no stream at all.
  bool regular = true;
  for (char c : ts_.bytes()) regular = regular && c == 0;
  const bool stream = n_ >= 3 && !regular;
  PutUvarint(out, stream ? ts_.byte_size() : 0);
  if (stream) out.append(ts_.bytes());
  if (xor_) {
    out.append(vals_.bytes());
  } else {
    EncodeDecimalValues(DecimalValues(), e_, out);
  }
  return out;
}

void HeadChunk::Reset() {
  n_ = 0;
  t0_ = t_last_ = d_last_ = d1_ = 0;
  max_abs_m_ = 0;
  m_last_ = 0;
  xor_last_ = 0;
  ts_.Clear();
  vals_.Clear();
  e_ = 0;
  xor_ = false;
  lz_ = 0xff;
  tz_ = 0;
}

void HeadChunk::DecodeInto(int64_t min_t, int64_t max_t, std::vector<Sample>& out) const {
  if (n_ == 0 || t_last_ < min_t || t0_ > max_t) return;
  BitReader ts(ts_.data(), ts_.byte_size());
  BitReader xr(vals_.data(), vals_.byte_size());
  const uint8_t* p = vals_.data();
  const uint8_t* end = p + vals_.byte_size();
  int64_t t = t0_, d = 0, m = 0;
  uint64_t bits = 0;
  int lz = 0, tz = 0;
  for (uint32_t i = 0; i < n_; ++i) {
    if (i == 1) {
      d = FirstDelta();
      t = Add(t, d);
    } else if (i >= 2) {
      d = Add(d, ReadDod(ts));
      t = Add(t, d);
    }
    double v;
    if (!xor_) {
      uint64_t u = 0;
      (void)GetUvarint(p, end, u);
      m = i == 0 ? UnZigZag(u) : m + UnZigZag(u);
      v = FromDecimal(m, e_);
    } else {
      if (i == 0) {
        bits = xr.ReadBits(64);
      } else if (xr.ReadBit()) {
        if (xr.ReadBit()) {
          lz = static_cast<int>(xr.ReadBits(5));
          int sig = static_cast<int>(xr.ReadBits(6));
          if (sig == 0) sig = 64;
          tz = 64 - lz - sig;
        }
        bits ^= xr.ReadBits(64 - lz - tz) << tz;
      }
      v = std::bit_cast<double>(bits);
    }
    if (t > max_t) break;
    if (t >= min_t) out.push_back({t, v});
  }
}

std::string EncodeChunk(std::span<const Sample> samples) {
  HeadChunk h;
  for (const Sample& s : samples) h.Append(s.t, s.v);
  return h.Encode();
}

// ---- ChunkIterator ----

ChunkIterator::ChunkIterator(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  uint64_t n = 0, d1 = 0, ts_len = 0;
  int64_t t0 = 0;
  if (p == end || (*p != 1 && *p != 2)) {
    Fail();
    return;
  }
  enc_ = static_cast<ChunkEncoding>(*p++);
  if (!GetUvarint(p, end, n) || n == 0 || n > kMaxChunkSamples || !GetVarint(p, end, t0) ||
      (n >= 2 && !GetUvarint(p, end, d1)) || !GetUvarint(p, end, ts_len) ||
      ts_len > static_cast<uint64_t>(end - p)) {
    Fail();
    return;
  }
  n_ = static_cast<uint32_t>(n);
  t_ = t0;
  d1_ = static_cast<int64_t>(d1);
  regular_ = n >= 3 && ts_len == 0;
  ts_ = BitReader(p, ts_len);
  p += ts_len;
  if (enc_ == ChunkEncoding::kDecimal) {
    if (end - p < 2) {
      Fail();
      return;
    }
    e_ = static_cast<int8_t>(*p++);
    uint8_t mode = *p++;
    order2_ = (mode & 0x80) != 0;
    w_ = mode & 0x7f;
    int64_t m0 = 0, md = 0;
    if (e_ > kMaxExponent || e_ < -kMaxNegExponent || (w_ > 64 && w_ != kTruncatedBinary) ||
        !GetVarint(p, end, m0) || (order2_ && !GetVarint(p, end, md))) {
      Fail();
      return;
    }
    if (w_ == kTruncatedBinary) {
      uint64_t max = 0;
      if (!GetUvarint(p, end, max) || max == 0 || max >= (uint64_t{1} << 62)) {
        Fail();
        return;
      }
      const TruncatedBinary tb(max);
      tb_k_ = tb.k;
      tb_u_ = tb.u;
    }
    m_ = static_cast<uint64_t>(m0);
    md_ = static_cast<uint64_t>(md);
  }
  vals_ = BitReader(p, static_cast<size_t>(end - p));
}

bool ChunkIterator::Fail() {
  failed_ = true;
  return false;
}

Status ChunkIterator::status() const {
  return failed_ ? Status::Corruption("invalid chunk bytes") : Status::Ok();
}

uint64_t ChunkIterator::ReadResidual() {
  if (w_ == 0) return 0;
  if (w_ == kTruncatedBinary) {
    uint64_t x = vals_.ReadBits(tb_k_);
    if (x < tb_u_) return x;
    return ((x << 1) | vals_.ReadBits(1)) - tb_u_;
  }
  uint64_t x = vals_.ReadBits(w_);
  if (w_ == 64) return x;
  if (x == (uint64_t{1} << w_) - 1) {
    int len = static_cast<int>(vals_.ReadBits(6)) + 1;
    x = vals_.ReadBits(len);
  }
  return x;
}

bool ChunkIterator::NextValue() {
  if (enc_ == ChunkEncoding::kDecimal) {
    if (i_ == 1) {
      md_ = order2_ ? md_ : static_cast<uint64_t>(UnZigZag(ReadResidual()));
      m_ += md_;
    } else if (i_ >= 2) {
      uint64_t r = static_cast<uint64_t>(UnZigZag(ReadResidual()));
      if (order2_) {
        md_ += r;
        m_ += md_;
      } else {
        m_ += r;
      }
    }
    v_ = FromDecimal(static_cast<int64_t>(m_), e_);
    return true;
  }
  if (i_ == 0) {
    bits_ = vals_.ReadBits(64);
  } else if (vals_.ReadBit()) {
    if (vals_.ReadBit()) {
      lz_ = static_cast<int>(vals_.ReadBits(5));
      int sig = static_cast<int>(vals_.ReadBits(6));
      if (sig == 0) sig = 64;
      tz_ = 64 - lz_ - sig;
      if (tz_ < 0) return Fail();
      has_window_ = true;
    } else if (!has_window_) {
      return Fail();
    }
    bits_ ^= vals_.ReadBits(64 - lz_ - tz_) << tz_;
  }
  v_ = std::bit_cast<double>(bits_);
  return true;
}

bool ChunkIterator::Next() {
  if (failed_ || i_ >= n_) return false;
  if (i_ == 1) {
    d_ = d1_;
    t_ = Add(t_, d_);
  } else if (i_ >= 2) {
    if (!regular_) d_ = Add(d_, ReadDod(ts_));
    t_ = Add(t_, d_);
  }
  if (!NextValue()) return false;
  if (ts_.failed() || vals_.failed()) return Fail();
  ++i_;
  return true;
}

Status DecodeChunkInto(std::string_view bytes, int64_t min_t, int64_t max_t,
                       std::vector<Sample>& out) {
  ChunkIterator it(bytes);
  while (it.Next()) {
    if (it.t() > max_t) break;
    if (it.t() >= min_t) out.push_back({it.t(), it.v()});
  }
  return it.status();
}

}  // namespace mm::storage::tsdb
