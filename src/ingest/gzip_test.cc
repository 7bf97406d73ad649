#include "ingest/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace mm::ingest {
namespace {

// window_bits: 15+16 gzip, 15 zlib, -15 raw deflate.
std::string Deflate(std::string_view data, int window_bits, int level = 6) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Text(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "cpu,host=h" + std::to_string(i % 97) + " v=1\n";
  s.resize(n);
  return s;
}

TEST(GunzipTest, AllThreeFormatsRoundTrip) {
  std::string text = Text(100000);
  for (int wb : {15 + 16, 15, -15}) {
    Result<std::string> r = GunzipBody(Deflate(text, wb), 1 << 20);
    ASSERT_TRUE(r.ok()) << wb << " " << r.status().ToString();
    EXPECT_EQ(*r, text) << wb;
  }
}

TEST(GunzipTest, EmptyPayloadCompressesToEmptyOutput) {
  for (int wb : {15 + 16, 15, -15}) {
    Result<std::string> r = GunzipBody(Deflate("", wb), 10);
    ASSERT_TRUE(r.ok()) << wb << " " << r.status().ToString();
    EXPECT_EQ(*r, "");
  }
}

TEST(GunzipTest, ConcatenatedGzipMembers) {
  std::string a = Text(5000), b = "second member\n";
  Result<std::string> r = GunzipBody(Deflate(a, 31) + Deflate(b, 31), 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, a + b);
}

TEST(GunzipTest, LimitIsExactAndStopsZipBombs) {
  std::string text = Text(4096);
  std::string gz = Deflate(text, 31);
  EXPECT_TRUE(GunzipBody(gz, 4096).ok());
  Result<std::string> over = GunzipBody(gz, 4095);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(over.status().message().find("exceeds the limit of 4095 bytes"), std::string::npos);

  // 1 GiB of zeros compresses to ~1 MB; a 10 MB limit must stop it early.
  std::string zeros(64 << 20, '\0');
  std::string bomb = Deflate(zeros, 31, 9);
  EXPECT_LT(bomb.size(), 100000u);
  Result<std::string> r = GunzipBody(bomb, 10 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exceeds"), std::string::npos);
}

TEST(GunzipTest, CorruptInputs) {
  std::string text = Text(20000);
  std::string gz = Deflate(text, 31);

  EXPECT_FALSE(GunzipBody("", 100).ok());
  Result<std::string> trunc = GunzipBody(std::string_view(gz).substr(0, gz.size() / 2), 1 << 20);
  ASSERT_FALSE(trunc.ok());
  EXPECT_NE(trunc.status().message().find("truncated"), std::string::npos)
      << trunc.status().message();

  // Missing the 8-byte trailer (CRC + size) is truncation too.
  EXPECT_FALSE(GunzipBody(std::string_view(gz).substr(0, gz.size() - 4), 1 << 20).ok());

  std::string flipped = gz;
  flipped[gz.size() - 6] ^= 0x55;  // CRC mismatch
  Result<std::string> crc = GunzipBody(flipped, 1 << 20);
  ASSERT_FALSE(crc.ok());
  EXPECT_NE(crc.status().message().find("corrupt"), std::string::npos) << crc.status().message();

  Result<std::string> trailing = GunzipBody(Deflate(text, 15) + "junk", 1 << 20);
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("after the end"), std::string::npos);
  EXPECT_FALSE(GunzipBody(gz + "xy", 1 << 20).ok());

  EXPECT_FALSE(GunzipBody("this is not compressed at all", 1 << 20).ok());
  EXPECT_FALSE(GunzipBody(std::string("\x1f\x8b", 2), 1 << 20).ok());
}

}  // namespace
}  // namespace mm::ingest
