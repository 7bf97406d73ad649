// PostingsIndex: the inverted index of one store shard: label name → value → sorted series
// ids (postings), plus the postings of all series. Ids are the shard's local series numbers,
// added in increasing order. Not synchronized: the shard lock guards it.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/storage.h"

namespace mm::storage::tsdb {

using Postings = std::vector<uint32_t>;

Postings Intersect(const Postings& a, const Postings& b);
Postings Subtract(const Postings& a, const Postings& b);
Postings UnionAll(std::span<const Postings* const> lists);

class PostingsIndex {
 public:
  // Indexes series `id` with the labels of `key` (a series key). REQUIRES: id > every id added.
  void Add(uint32_t id, std::string_view key);

  // Ids of the series matching all matchers (Prometheus semantics: a matcher that matches ""
  // also matches series without the label), sorted. No matchers: all series.
  Postings Select(std::span<const LabelMatcher> matchers) const;

  const Postings& all() const { return all_; }
  std::vector<std::string_view> LabelNames() const;
  std::vector<std::string_view> LabelValues(std::string_view name) const;
  // Estimate of the heap bytes the index holds.
  size_t memory_bytes() const { return bytes_; }

 private:
  struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using ValueMap = std::unordered_map<std::string, Postings, StrHash, std::equal_to<>>;

  // Union of the postings of the values of `name` for which `match(value) == want`.
  template <typename Match>
  Postings CollectValues(std::string_view name, bool want, Match&& match) const;

  std::unordered_map<std::string, ValueMap, StrHash, std::equal_to<>> names_;
  Postings all_;
  size_t bytes_ = 0;
};

}  // namespace mm::storage::tsdb
