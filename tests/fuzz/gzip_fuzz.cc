// libFuzzer target for GunzipBody: arbitrary bytes must give an error or at most max_out bytes,
// never a crash, a hang or a sanitizer report.
#include <cstdint>
#include <cstdlib>

#include "ingest/gzip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxOut = 1 << 20;
  mm::Result<std::string> r =
      mm::ingest::GunzipBody({reinterpret_cast<const char*>(data), size}, kMaxOut);
  if (r.ok() && r->size() > kMaxOut) std::abort();
  return 0;
}
