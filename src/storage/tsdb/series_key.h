// Series keys: the canonical bytes of a label set, `name 0xFF value 0xFF ...` in label order
// (docs/storage_format.md, "Series identity"). XXH3 of the key equals Labels::Hash(). The store
// keeps one key per series as its compact label storage. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "metrics_manager/labels.h"

namespace mm::storage::tsdb {

inline constexpr char kKeySep = '\xff';

std::string SeriesKey(const Labels& labels);
uint64_t HashKey(std::string_view key);  // == Labels::Hash() of the same labels
Labels LabelsFromKey(std::string_view key);

// Calls f(name, value) for every label of a key, in order.
template <typename F>
void ForEachKeyLabel(std::string_view key, F&& f) {
  size_t pos = 0;
  while (pos < key.size()) {
    size_t a = key.find(kKeySep, pos);
    if (a == std::string_view::npos) return;
    size_t b = key.find(kKeySep, a + 1);
    if (b == std::string_view::npos) return;
    f(key.substr(pos, a - pos), key.substr(a + 1, b - a - 1));
    pos = b + 1;
  }
}

// The value of label `name` in a key, or "" when absent.
std::string_view KeyLabelValue(std::string_view key, std::string_view name);

}  // namespace mm::storage::tsdb
