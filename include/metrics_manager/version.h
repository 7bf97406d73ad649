// The library version, also printed by `metrics-manager version`.
#pragma once

namespace mm {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace mm
