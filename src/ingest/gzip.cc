#include "ingest/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace mm::ingest {
namespace {

enum class Format { kGzip, kZlib, kRaw };

Format Detect(const unsigned char* b, size_t n) {
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return Format::kGzip;
  // RFC 1950: CM = 8 (deflate), CINFO <= 7, no preset dictionary, header checksum.
  if (n >= 2 && (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 && (b[1] & 0x20) == 0 &&
      ((b[0] << 8) | b[1]) % 31 == 0) {
    return Format::kZlib;
  }
  return Format::kRaw;
}

class Inflater {
 public:
  ~Inflater() {
    if (initialized_) inflateEnd(&zs_);
  }
  bool Init(int window_bits) {
    initialized_ = inflateInit2(&zs_, window_bits) == Z_OK;
    return initialized_;
  }
  z_stream* stream() { return &zs_; }

 private:
  z_stream zs_{};
  bool initialized_ = false;
};

Status Corrupt(const z_stream& zs, std::string_view what) {
  std::string m = "invalid compressed body: ";
  m += what;
  if (zs.msg != nullptr) {
    m += " (";
    m += zs.msg;
    m += ")";
  }
  return Status::InvalidArgument(std::move(m));
}

}  // namespace

Result<std::string> GunzipBody(std::string_view compressed, size_t max_out) {
  if (compressed.empty()) return Status::InvalidArgument("invalid compressed body: empty");
  const auto* in = reinterpret_cast<const unsigned char*>(compressed.data());
  const Format format = Detect(in, compressed.size());
  Inflater inflater;
  // 15+32: zlib or gzip header, detected by zlib; -15: raw deflate, no header.
  if (!inflater.Init(format == Format::kRaw ? -15 : 15 + 32)) {
    return Status::Internal("inflateInit2 failed");
  }
  z_stream& zs = *inflater.stream();

  // Feed at most 1 GiB at a time: z_stream counts in 32-bit uInt.
  constexpr size_t kChunk = size_t{1} << 30;
  size_t in_left = compressed.size();
  zs.next_in = const_cast<unsigned char*>(in);
  auto refill = [&] {
    if (zs.avail_in == 0 && in_left > 0) {
      zs.avail_in = static_cast<uInt>(std::min(in_left, kChunk));
      in_left -= zs.avail_in;
    }
  };
  const size_t limit = max_out == std::numeric_limits<size_t>::max() ? max_out : max_out + 1;
  std::string out;
  size_t produced = 0;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() >= limit) break;  // over max_out: reported below
      size_t grow = std::max<size_t>({out.size(), compressed.size() * 2, 4096});
      out.resize(std::min(limit, out.size() + grow));
    }
    refill();
    zs.next_out = reinterpret_cast<unsigned char*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(std::min(out.size() - produced, kChunk));
    const uInt avail_before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced += avail_before - zs.avail_out;
    if (produced > max_out) break;
    if (rc == Z_STREAM_END) {
      refill();
      if (zs.avail_in == 0) break;  // all input consumed: done
      // Only gzip may have more members (e.g. `cat a.gz b.gz`); anything else is trailing junk.
      if (format == Format::kGzip && zs.avail_in >= 2 && zs.next_in[0] == 0x1f &&
          zs.next_in[1] == 0x8b) {
        if (inflateReset(&zs) != Z_OK) return Status::Internal("inflateReset failed");
        continue;
      }
      return Status::InvalidArgument("invalid compressed body: data after the end of the stream");
    }
    if (rc == Z_NEED_DICT) return Corrupt(zs, "needs a preset dictionary");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return Corrupt(zs, "corrupt data");
    refill();
    if (zs.avail_in == 0 && zs.avail_out > 0) return Corrupt(zs, "truncated stream");
  }
  if (produced > max_out) {
    return Status::InvalidArgument("decompressed body exceeds the limit of " +
                                   std::to_string(max_out) + " bytes");
  }
  out.resize(produced);
  return out;
}

}  // namespace mm::ingest
