// Labels: the identity of a series — a metric name (label "__name__") plus label pairs, kept
// sorted by name with unique names. Value type; not synchronized (share it read-only).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mm {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

class Labels {
 public:
  Labels() = default;
  // Sorts; a later duplicate name replaces an earlier one. Empty values are dropped
  // (Prometheus semantics: an empty label equals an absent one).
  Labels(std::initializer_list<Label> labels);
  static Labels FromUnsorted(std::vector<Label> labels);

  // The value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricNameLabel); }

  // Stable 64-bit hash of the sorted pairs (XXH3); equal labels hash equal across runs.
  uint64_t Hash() const;
  // Prometheus notation: name{a="b", c="d"} (name omitted when absent; values escaped).
  std::string ToString() const;

  // Copies with one label set/removed (empty value removes).
  Labels With(std::string_view name, std::string_view value) const;
  Labels Without(std::string_view name) const;

  const std::vector<Label>& items() const { return items_; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  friend bool operator==(const Labels&, const Labels&) = default;
  friend auto operator<=>(const Labels& a, const Labels& b) { return a.items_ <=> b.items_; }

 private:
  std::vector<Label> items_;
};

}  // namespace mm
