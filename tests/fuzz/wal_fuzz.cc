// libFuzzer target for WAL recovery (docs/storage_format.md, "Write-ahead log"). The first byte
// picks the mode: 0 — the rest is a segment, read record by record with every payload decoded,
// as replay does; it must end in records, a clean end or a reported corrupt tail, never a
// crash, a hang or a read past the segment. 1, 2, 3 — the rest is a series, samples or strings
// payload given to its decoder directly (record CRCs would keep most mutations from reaching
// the decoders otherwise).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "storage/tsdb/wal.h"

namespace {

class MemoryFile : public mm::RandomAccessFile {
 public:
  explicit MemoryFile(std::string bytes) : bytes_(std::move(bytes)) {}
  mm::Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    if (offset >= bytes_.size()) return std::string_view(scratch, 0);
    n = std::min<size_t>(n, bytes_.size() - offset);
    std::memcpy(scratch, bytes_.data() + offset, n);
    return std::string_view(scratch, n);
  }

 private:
  std::string bytes_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mm::storage::tsdb;
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 4;
  ++data;
  --size;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (mode != 0) {
    std::vector<WalSeries> series;
    std::vector<mm::storage::WriteLog::Float> samples;
    std::vector<mm::storage::WriteLog::String> strings;
    if (mode == 1) (void)DecodeWalSeries(bytes, series);
    if (mode == 2) (void)DecodeWalSamples(bytes, samples);
    if (mode == 3) (void)DecodeWalStrings(bytes, strings);
    return 0;
  }
  MemoryFile file{std::string(bytes)};
  WalReader reader(&file, size);
  std::vector<WalSeries> series;
  std::vector<mm::storage::WriteLog::Float> samples;
  std::vector<mm::storage::WriteLog::String> strings;
  uint64_t last = 0;
  while (reader.Next()) {
    if (reader.good_offset() <= last || reader.good_offset() > size) std::abort();
    last = reader.good_offset();
    series.clear();
    samples.clear();
    strings.clear();
    switch (reader.type()) {
      case WalRecordType::kSeries: (void)DecodeWalSeries(reader.payload(), series); break;
      case WalRecordType::kSamples: (void)DecodeWalSamples(reader.payload(), samples); break;
      case WalRecordType::kStrings: (void)DecodeWalStrings(reader.payload(), strings); break;
      default: break;
    }
  }
  if (reader.good_offset() > size) std::abort();
  return 0;
}
