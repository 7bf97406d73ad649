#include "metrics_manager/labels.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <algorithm>

namespace mm {

namespace {
void Normalize(std::vector<Label>& items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  // Keep the last of equal names, drop empty values.
  std::vector<Label> out;
  out.reserve(items.size());
  for (auto& l : items) {
    if (!out.empty() && out.back().name == l.name) {
      out.back() = std::move(l);
    } else {
      out.push_back(std::move(l));
    }
  }
  std::erase_if(out, [](const Label& l) { return l.value.empty(); });
  items = std::move(out);
}
}  // namespace

Labels::Labels(std::initializer_list<Label> labels) : items_(labels) { Normalize(items_); }

Labels Labels::FromUnsorted(std::vector<Label> labels) {
  Labels l;
  l.items_ = std::move(labels);
  Normalize(l.items_);
  return l;
}

std::string_view Labels::Get(std::string_view name) const {
  auto it = std::lower_bound(items_.begin(), items_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != items_.end() && it->name == name) return it->value;
  return {};
}

bool Labels::Has(std::string_view name) const { return !Get(name).empty(); }

uint64_t Labels::Hash() const {
  // Separators that cannot occur in valid UTF-8 keep ("a","bc") and ("ab","c") apart.
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  static constexpr char kSep = '\xff';
  for (const auto& l : items_) {
    XXH3_64bits_update(&state, l.name.data(), l.name.size());
    XXH3_64bits_update(&state, &kSep, 1);
    XXH3_64bits_update(&state, l.value.data(), l.value.size());
    XXH3_64bits_update(&state, &kSep, 1);
  }
  return XXH3_64bits_digest(&state);
}

namespace {
void AppendQuoted(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  out += '"';
}
}  // namespace

std::string Labels::ToString() const {
  std::string out(MetricName());
  out += '{';
  bool first = true;
  for (const auto& l : items_) {
    if (l.name == kMetricNameLabel) continue;
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += '=';
    AppendQuoted(out, l.value);
  }
  out += '}';
  return out;
}

Labels Labels::With(std::string_view name, std::string_view value) const {
  std::vector<Label> items = items_;
  items.push_back(Label{std::string(name), std::string(value)});
  return FromUnsorted(std::move(items));
}

Labels Labels::Without(std::string_view name) const {
  Labels l = *this;
  std::erase_if(l.items_, [&](const Label& x) { return x.name == name; });
  return l;
}

}  // namespace mm
