// libFuzzer target for the chunk codec (docs/storage_format.md, "Chunks"), which reads bytes
// from block files on disk. The first input byte picks the mode:
//   even: the rest is chunk bytes — decoding must give samples or Corruption, never a crash;
//   odd:  the rest describes samples (time steps and values from a palette of decimals, large
//         integers, special floats and raw bits) — encoding then decoding must give them back
//         bit-exactly (the head's own decoder too), or the target aborts.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "storage/tsdb/chunk.h"

namespace {

using mm::storage::Sample;
using mm::storage::tsdb::ChunkIterator;
using mm::storage::tsdb::HeadChunk;

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool Has(size_t n) const { return static_cast<size_t>(end - p) >= n; }
  uint64_t Take(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && p < end; ++i) v = (v << 8) | *p++;
    return v;
  }
};

double Value(Reader& r) {
  const uint8_t kind = static_cast<uint8_t>(r.Take(1));
  const int64_t x = static_cast<int64_t>(r.Take(3)) - (1 << 23);
  switch (kind % 8) {
    case 0: return static_cast<double>(x) / 100;   // two decimals
    case 1: return static_cast<double>(x) / 1000;  // three decimals
    case 2: return static_cast<double>(x) * 1e6;   // large integers
    case 3: return static_cast<double>(x);
    case 4: return std::numeric_limits<double>::quiet_NaN();
    case 5: return x < 0 ? -0.0 : std::numeric_limits<double>::infinity();
    case 6: return std::bit_cast<double>(static_cast<uint64_t>(r.Take(8)));  // any bits
    default: return static_cast<double>(x % 201) / 100;  // small steps
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    std::vector<Sample> out;
    (void)mm::storage::tsdb::DecodeChunkInto(
        {reinterpret_cast<const char*>(data + 1), size - 1}, INT64_MIN, INT64_MAX, out);
    return 0;
  }
  Reader r{data + 1, data + size};
  std::vector<Sample> in;
  int64_t t = static_cast<int64_t>(r.Take(4)) * 1000;
  while (r.Has(4) && in.size() < 2000) {
    const uint8_t step = static_cast<uint8_t>(r.Take(1));
    // Mostly regular steps, some jitter, repeats (equal timestamps) and big gaps.
    t += step < 200 ? 10'000 : step < 240 ? step : step < 250 ? 0 : (int64_t{step} << 24);
    in.push_back({t, Value(r)});
  }
  if (in.empty()) return 0;
  HeadChunk h;
  for (const Sample& s : in) h.Append(s.t, s.v);
  const std::string bytes = h.Encode();
  std::vector<Sample> out, head;
  if (!mm::storage::tsdb::DecodeChunkInto(bytes, INT64_MIN, INT64_MAX, out).ok()) std::abort();
  h.DecodeInto(INT64_MIN, INT64_MAX, head);
  if (out.size() != in.size() || head.size() != in.size()) std::abort();
  for (size_t i = 0; i < in.size(); ++i) {
    const uint64_t want = std::bit_cast<uint64_t>(in[i].v);
    if (out[i].t != in[i].t || std::bit_cast<uint64_t>(out[i].v) != want) std::abort();
    if (head[i].t != in[i].t || std::bit_cast<uint64_t>(head[i].v) != want) std::abort();
  }
  return 0;
}
