#include "storage/tsdb/index.h"

#include <algorithm>
#include <optional>

#include "storage/tsdb/series_key.h"

namespace mm::storage::tsdb {

namespace {
// Rough per-node cost of the unordered maps (node, hash, bucket pointer) and a std::string.
constexpr size_t kMapNodeBytes = 48;
constexpr size_t kStringBytes = 32;

void PushPosting(Postings& p, uint32_t id, size_t& bytes) {
  size_t cap = p.capacity();
  p.push_back(id);
  bytes += (p.capacity() - cap) * sizeof(uint32_t);
}
}  // namespace

Postings Intersect(const Postings& a, const Postings& b) {
  Postings out;
  out.reserve(std::min(a.size(), b.size()));
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings Subtract(const Postings& a, const Postings& b) {
  Postings out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings UnionAll(std::span<const Postings* const> lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return *lists[0];
  size_t total = 0;
  for (const Postings* p : lists) total += p->size();
  Postings out;
  out.reserve(total);
  for (const Postings* p : lists) out.insert(out.end(), p->begin(), p->end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void PostingsIndex::Add(uint32_t id, std::string_view key) {
  PushPosting(all_, id, bytes_);
  ForEachKeyLabel(key, [&](std::string_view name, std::string_view value) {
    auto nit = names_.find(name);
    if (nit == names_.end()) {
      nit = names_.emplace(std::string(name), ValueMap()).first;
      bytes_ += kMapNodeBytes + kStringBytes + sizeof(ValueMap) + name.size();
    }
    auto vit = nit->second.find(value);
    if (vit == nit->second.end()) {
      vit = nit->second.emplace(std::string(value), Postings()).first;
      bytes_ += kMapNodeBytes + kStringBytes + sizeof(Postings) + value.size();
    }
    PushPosting(vit->second, id, bytes_);
  });
}

template <typename Match>
Postings PostingsIndex::CollectValues(std::string_view name, bool want, Match&& match) const {
  auto nit = names_.find(name);
  if (nit == names_.end()) return {};
  std::vector<const Postings*> lists;
  for (const auto& [value, postings] : nit->second) {
    if (match(value) == want) lists.push_back(&postings);
  }
  return UnionAll(lists);
}

Postings PostingsIndex::Select(std::span<const LabelMatcher> matchers) const {
  std::optional<Postings> acc;  // nullopt: not narrowed yet (all series)
  // Matchers that do not match "" select series having a matching value: intersect.
  for (const LabelMatcher& m : matchers) {
    if (m.MatchesEmpty()) continue;
    Postings p;
    if (m.type() == MatchType::kEqual) {
      auto nit = names_.find(m.name());
      if (nit != names_.end()) {
        auto vit = nit->second.find(m.value());
        if (vit != nit->second.end()) p = vit->second;
      }
    } else {
      p = CollectValues(m.name(), true, [&](std::string_view v) { return m.Matches(v); });
    }
    acc = acc ? Intersect(*acc, p) : std::move(p);
    if (acc->empty()) return {};
  }
  Postings result = acc ? std::move(*acc) : all_;
  // Matchers that match "" keep series without the label: subtract those with a non-matching
  // value instead.
  for (const LabelMatcher& m : matchers) {
    if (!m.MatchesEmpty() || result.empty()) continue;
    Postings excluded =
        CollectValues(m.name(), false, [&](std::string_view v) { return m.Matches(v); });
    if (!excluded.empty()) result = Subtract(result, excluded);
  }
  return result;
}

std::vector<std::string_view> PostingsIndex::LabelNames() const {
  std::vector<std::string_view> out;
  out.reserve(names_.size());
  for (const auto& [name, values] : names_) out.push_back(name);
  return out;
}

std::vector<std::string_view> PostingsIndex::LabelValues(std::string_view name) const {
  std::vector<std::string_view> out;
  auto nit = names_.find(name);
  if (nit == names_.end()) return out;
  out.reserve(nit->second.size());
  for (const auto& [value, postings] : nit->second) out.push_back(value);
  return out;
}

}  // namespace mm::storage::tsdb
