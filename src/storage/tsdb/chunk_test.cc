#include "storage/tsdb/chunk.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

namespace mm::storage::tsdb {
namespace {

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

std::vector<Sample> Decode(std::string_view bytes) {
  std::vector<Sample> out;
  Status st = DecodeChunkInto(bytes, INT64_MIN, INT64_MAX, out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

// Encodes, decodes (both the cut chunk and the head) and checks bit-exact equality.
std::string RoundTrip(const std::vector<Sample>& in) {
  HeadChunk h;
  for (const Sample& s : in) h.Append(s.t, s.v);
  std::string bytes = h.Encode();
  std::vector<Sample> out = Decode(bytes);
  std::vector<Sample> head;
  h.DecodeInto(INT64_MIN, INT64_MAX, head);
  EXPECT_EQ(out.size(), in.size());
  EXPECT_EQ(head.size(), in.size());
  for (size_t i = 0; i < in.size() && i < out.size() && i < head.size(); ++i) {
    EXPECT_EQ(out[i].t, in[i].t) << "sample " << i;
    EXPECT_EQ(Bits(out[i].v), Bits(in[i].v)) << "sample " << i << " " << in[i].v;
    EXPECT_EQ(head[i].t, in[i].t) << "head sample " << i;
    EXPECT_EQ(Bits(head[i].v), Bits(in[i].v)) << "head sample " << i;
  }
  return bytes;
}

std::vector<Sample> Regular(const std::vector<double>& values, int64_t start = 1'700'000'000'000,
                            int64_t step = 10'000) {
  std::vector<Sample> s;
  for (size_t i = 0; i < values.size(); ++i) s.push_back({start + static_cast<int64_t>(i) * step, values[i]});
  return s;
}

TEST(ChunkTest, SingleAndTwoSamples) {
  RoundTrip({{5, 1.5}});
  RoundTrip({{-5, 1.5}, {7, 2.25}});
  RoundTrip({{0, 0}, {0, 0}});
}

TEST(ChunkTest, TwoDecimalRandomWalkIsCompact) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> step(0, 1);
  double x = 50;
  std::vector<double> vals;
  for (int i = 0; i < 120; ++i) {
    x = std::clamp(x + step(rng), 0.0, 100.0);
    vals.push_back(std::round(x * 100) / 100);
  }
  std::string bytes = RoundTrip(Regular(vals));
  EXPECT_EQ(bytes[0], static_cast<char>(ChunkEncoding::kDecimal));
  // ~1 byte per value + 1 bit per timestamp; XOR would be ~7 bytes per value.
  EXPECT_LT(bytes.size(), 120 * 1.4) << bytes.size();
}

TEST(ChunkTest, RegularTimestampsStoreNoStream) {
  std::vector<double> vals(240, 1.0);
  for (size_t i = 0; i < vals.size(); ++i) vals[i] = static_cast<double>(i % 7);
  std::string regular = RoundTrip(Regular(vals));
  std::vector<Sample> jitter = Regular(vals);
  jitter[100].t += 1;  // one late sample: the DoD stream is back (one bit per sample)
  std::string irregular = RoundTrip(jitter);
  EXPECT_GE(irregular.size(), regular.size() + 240 / 8) << regular.size() << " " << irregular.size();
  // Two and three samples, regular and not.
  RoundTrip({{0, 1}, {10, 2}, {20, 3}});
  RoundTrip({{0, 1}, {10, 2}, {21, 3}});
  RoundTrip({{0, 1}, {0, 2}, {0, 3}, {0, 4}});
}

TEST(ChunkTest, UniformStepsUseTruncatedBinary) {
  // Steps uniform in [-1.00, +1.00]: 201 residuals, log2(201) = 7.65 bits of entropy. A plain
  // 8-bit width costs 8 bits; truncated binary 7.73 on average.
  std::mt19937_64 rng(7);
  int64_t m = 5000;
  std::vector<double> vals;
  for (int i = 0; i < 480; ++i) {
    m = std::clamp<int64_t>(m + static_cast<int64_t>(rng() % 201) - 100, 0, 10000);
    vals.push_back(static_cast<double>(m) / 100);
  }
  std::string bytes = RoundTrip(Regular(vals));
  EXPECT_LT(bytes.size(), 479 * 7.8 / 8 + 20) << bytes.size();
  // Every range of the truncated code: max 1 (k = 1), 2^k - 1, 2^k and large values.
  for (int64_t span : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{4}, int64_t{5}, int64_t{127},
                       int64_t{128}, int64_t{129}, int64_t{1000003}, int64_t{1} << 40}) {
    std::vector<double> v;
    std::mt19937_64 r2(static_cast<uint64_t>(span));
    int64_t x = 0;
    for (int i = 0; i < 300; ++i) {
      x += static_cast<int64_t>(r2() % static_cast<uint64_t>(span + 1)) - span / 2;
      v.push_back(static_cast<double>(x));
    }
    RoundTrip(Regular(v));
  }
}

TEST(ChunkTest, ConstantsCostAlmostNothing) {
  std::string bytes = RoundTrip(Regular(std::vector<double>(120, 42.5)));
  EXPECT_LT(bytes.size(), 40u);
  bytes = RoundTrip(Regular(std::vector<double>(120, 0.0)));
  EXPECT_LT(bytes.size(), 40u);
}

TEST(ChunkTest, IntegersAndCounters) {
  std::vector<double> counter, big, round_thousands;
  for (int i = 0; i < 200; ++i) {
    counter.push_back(1e6 + i * 1234);
    big.push_back(9007199254740992.0 - i);  // 2^53 - i
    round_thousands.push_back(1000.0 * (i % 7));
  }
  std::string c = RoundTrip(Regular(counter));
  EXPECT_LT(c.size(), 60u);  // constant rate: second differences are 0
  RoundTrip(Regular(big));
  RoundTrip(Regular(round_thousands));
  RoundTrip(Regular({1e300, -1e300, 123456789012345678.0, 5e-324, 2.2250738585072014e-308}));
}

TEST(ChunkTest, SpecialFloatsAreBitExact) {
  const double stale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v = {1.5, stale, inf, -inf, -0.0, 0.0, std::nan(""), -std::nan(""),
                           std::numeric_limits<double>::quiet_NaN(), 2.25};
  std::string bytes = RoundTrip(Regular(v));
  EXPECT_EQ(bytes[0], static_cast<char>(ChunkEncoding::kXor));
  // A special value late in a decimal chunk switches it to XOR; earlier values stay exact.
  std::vector<double> late(100, 3.14);
  late.push_back(stale);
  late.push_back(3.15);
  RoundTrip(Regular(late));
  RoundTrip(Regular({-0.0}));
  RoundTrip(Regular({0.1 + 0.2, 0.3, 1.0 / 3}));
}

TEST(ChunkTest, ExponentGrowsMidChunk) {
  RoundTrip(Regular({1, 2, 3, 4.5, 4.25, 4.125, 0.001, 1e-9, 17}));
  RoundTrip(Regular({123456789.0, 0.5}));                   // rescale within 2^53
  RoundTrip(Regular({9007199254740990.0, 0.5, 1}));         // cannot rescale: XOR
  RoundTrip(Regular({1e15, 1e-15}));
}

TEST(ChunkTest, TimestampsJumpsNegativeIrregular) {
  RoundTrip({{-1'000'000, 1}, {-999'990, 2}, {-5, 3}, {0, 4}, {3, 5}});
  RoundTrip({{INT64_MIN, 1}, {0, 2}, {INT64_MAX, 3}});
  RoundTrip({{INT64_MIN, 1}, {INT64_MIN, 2}, {INT64_MAX, 3}, {INT64_MAX, 4}});
  std::vector<Sample> irregular;
  std::mt19937_64 rng(7);
  int64_t t = 1'700'000'000'000;
  for (int i = 0; i < 500; ++i) {
    int kind = static_cast<int>(rng() % 6);
    int64_t d = kind == 0 ? 0 : kind == 1 ? 10'000 + static_cast<int64_t>(rng() % 50)
                : kind == 2 ? static_cast<int64_t>(rng() % 5000)
                : kind == 3 ? static_cast<int64_t>(rng() % 1'000'000)
                : kind == 4 ? static_cast<int64_t>(rng() % (int64_t{1} << 40))
                            : 1;
    t += d;
    irregular.push_back({t, static_cast<double>(i)});
  }
  RoundTrip(irregular);
}

TEST(ChunkTest, RandomPropertyRoundTrip) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 300; ++iter) {
    size_t n = 1 + rng() % 300;
    int kind = static_cast<int>(rng() % 5);
    std::vector<Sample> s;
    int64_t t = static_cast<int64_t>(rng()) >> (rng() % 64);
    double walk = 0;
    int decimals = static_cast<int>(rng() % 8);
    for (size_t i = 0; i < n; ++i) {
      double v;
      switch (kind) {
        case 0: v = std::bit_cast<double>(rng()); break;  // any bit pattern, NaNs included
        case 1:
          walk += std::normal_distribution<double>(0, 3)(rng);
          v = std::round(walk * std::pow(10, decimals)) / std::pow(10, decimals);
          break;
        case 2: v = static_cast<double>(static_cast<int64_t>(rng()) >> (rng() % 64)); break;
        case 3: v = std::uniform_real_distribution<double>(-1e6, 1e6)(rng); break;
        default: v = (rng() % 10 == 0) ? std::bit_cast<double>(rng()) : static_cast<double>(rng() % 100) / 4;
      }
      s.push_back({t, v});
      uint64_t d = rng() % 4 == 0 ? rng() >> (rng() % 64) : 15'000;
      t = static_cast<int64_t>(static_cast<uint64_t>(t) + d);  // may wrap: order is not checked here
      if (kind == 4 && rng() % 2) t = s.back().t;  // equal timestamps
    }
    // The chunk requires non-decreasing t only for the store; encoding is exact for any int64s.
    RoundTrip(s);
  }
}

TEST(ChunkTest, HeadResetReusesAndRangeFilters) {
  HeadChunk h;
  for (int i = 0; i < 10; ++i) h.Append(i * 10, i * 0.5);
  std::vector<Sample> out;
  h.DecodeInto(25, 55, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].t, 30);
  EXPECT_EQ(out[2].v, 2.5);
  h.Reset();
  EXPECT_EQ(h.count(), 0u);
  h.Append(7, std::nan(""));
  EXPECT_FALSE(h.is_decimal());
  h.Reset();
  h.Append(8, 1.25);
  EXPECT_TRUE(h.is_decimal());
  std::vector<Sample> one = Decode(h.Encode());
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].v, 1.25);
}

TEST(ChunkTest, CorruptBytesAreAnErrorNotACrash) {
  std::string good = EncodeChunk(Regular({1.5, 2.5, 3.75, 4, 5, 6, 7}));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = good;
    if (rng() % 2) bad.resize(rng() % bad.size());
    for (int k = 0; k < 3 && !bad.empty(); ++k) bad[rng() % bad.size()] ^= static_cast<char>(1 << (rng() % 8));
    std::vector<Sample> out;
    (void)DecodeChunkInto(bad, INT64_MIN, INT64_MAX, out);
    EXPECT_LE(out.size(), kMaxChunkSamples);
  }
  std::vector<Sample> out;
  // Found by the fuzzer: a regular, constant chunk needs no bits per sample, so a corrupt
  // count of 2^28 would decode 2^28 samples out of 18 bytes. Counts above the limit are refused.
  const std::string huge("\x01\xf6\xaf\xf9\x68\xf5\xd3\xd3\xaf\x00\x00\x00\x00\x00\x00\x00\x00", 17);
  EXPECT_EQ(DecodeChunkInto(huge, INT64_MIN, INT64_MAX, out).code(), StatusCode::kCorruption);
  EXPECT_TRUE(out.empty());
  std::vector<Sample> many(kMaxChunkSamples, Sample{0, 1.0});
  for (size_t i = 0; i < many.size(); ++i) many[i].t = static_cast<int64_t>(i) * 1000;
  const std::string most = RoundTrip(many);  // the largest allowed chunk decodes
  EXPECT_LT(most.size(), 40u);
  EXPECT_EQ(DecodeChunkInto("", INT64_MIN, INT64_MAX, out).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeChunkInto("\x07", INT64_MIN, INT64_MAX, out).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeChunkInto(good.substr(0, 3), INT64_MIN, INT64_MAX, out).code(),
            StatusCode::kCorruption);
}

TEST(ChunkTest, ChunkBytesIsShared) {
  ChunkBytes a = ChunkBytes::Copy("abc");
  ChunkBytes b = a;
  ChunkBytes c = std::move(a);
  EXPECT_EQ(b.view(), "abc");
  EXPECT_EQ(c.view(), "abc");
  EXPECT_EQ(a.size(), 0u);  // NOLINT: moved-from is empty by contract
  EXPECT_EQ(b.memory_bytes(), 24u + 3u);
  ChunkBytes d = ChunkBytes::Copy("xy", -5, 9);
  EXPECT_EQ(d.min_t(), -5);
  EXPECT_EQ(d.max_t(), 9);
}

}  // namespace
}  // namespace mm::storage::tsdb
