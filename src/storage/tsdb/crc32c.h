// CRC-32C (Castagnoli), the checksum of WAL records and block files (docs/storage_format.md).
// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace mm::storage::tsdb {

// Extends `crc` (the value returned for the preceding bytes; 0 to start) over `data`.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace mm::storage::tsdb
