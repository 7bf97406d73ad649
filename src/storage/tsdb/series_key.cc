#include "storage/tsdb/series_key.h"

#include <xxhash.h>

#include <vector>

namespace mm::storage::tsdb {

std::string SeriesKey(const Labels& labels) {
  std::string key;
  for (const Label& l : labels) {
    key += l.name;
    key += kKeySep;
    key += l.value;
    key += kKeySep;
  }
  return key;
}

uint64_t HashKey(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

Labels LabelsFromKey(std::string_view key) {
  std::vector<Label> items;
  ForEachKeyLabel(key, [&](std::string_view n, std::string_view v) {
    items.push_back(Label{std::string(n), std::string(v)});
  });
  return Labels::FromUnsorted(std::move(items));
}

std::string_view KeyLabelValue(std::string_view key, std::string_view name) {
  std::string_view out;
  ForEachKeyLabel(key, [&](std::string_view n, std::string_view v) {
    if (n == name) out = v;
  });
  return out;
}

}  // namespace mm::storage::tsdb
