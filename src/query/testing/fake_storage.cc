#include "query/testing/fake_storage.h"

#include <algorithm>
#include <set>

namespace mm::query::testing {

void FakeStorage::Add(const Labels& labels, std::span<const storage::Sample> samples) {
  std::lock_guard lock(mu_);
  auto it = std::lower_bound(series_.begin(), series_.end(), labels,
                             [](const StoredSeries& s, const Labels& l) { return s.labels < l; });
  if (it == series_.end() || it->labels != labels)
    it = series_.insert(it, StoredSeries{labels, {}});
  auto& v = it->samples;
  for (const auto& s : samples) {
    auto pos = std::lower_bound(v.begin(), v.end(), s.t,
                                [](const storage::Sample& x, int64_t t) { return x.t < t; });
    if (pos != v.end() && pos->t == s.t) {
      *pos = s;
    } else {
      v.insert(pos, s);
    }
  }
}

void FakeStorage::Clear() {
  std::lock_guard lock(mu_);
  series_.clear();
}

size_t FakeStorage::series_count() const {
  std::lock_guard lock(mu_);
  return series_.size();
}

Result<storage::WriteStats> FakeStorage::Write(const PointBatch& batch) {
  storage::WriteStats stats;
  for (const auto& p : batch.points()) {
    std::vector<Label> tags;
    for (const auto& t : batch.tags(p)) tags.push_back({std::string(t.key), std::string(t.value)});
    for (const auto& f : batch.fields(p)) {
      if (f.type == FieldType::kString) {
        ++stats.samples_rejected;
        continue;
      }
      std::vector<Label> l = tags;
      l.push_back({std::string(kMetricNameLabel), SeriesName(p.measurement, f.key)});
      const storage::Sample s{p.timestamp_ns / 1'000'000, f.AsDouble()};
      Add(Labels::FromUnsorted(std::move(l)), std::span(&s, 1));
      ++stats.samples_stored;
    }
  }
  return stats;
}

std::vector<const FakeStorage::StoredSeries*> FakeStorage::MatchingLocked(
    std::span<const storage::LabelMatcher> matchers, int64_t min_t, int64_t max_t) const {
  std::vector<const StoredSeries*> out;
  for (const auto& s : series_) {
    bool ok = true;
    for (const auto& m : matchers) {
      if (!m.Matches(s.labels.Get(m.name()))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    const bool any = std::any_of(s.samples.begin(), s.samples.end(), [&](const storage::Sample& x) {
      return x.t >= min_t && x.t <= max_t;
    });
    if (any) out.push_back(&s);
  }
  return out;
}

Result<std::vector<storage::SeriesSamples>> FakeStorage::Select(
    std::span<const storage::LabelMatcher> matchers, const storage::SelectOptions& options) {
  std::lock_guard lock(mu_);
  std::vector<storage::SeriesSamples> out;
  for (const StoredSeries* s : MatchingLocked(matchers, options.min_t, options.max_t)) {
    storage::SeriesSamples ss;
    ss.labels = s->labels;
    for (const auto& x : s->samples) {
      if (x.t >= options.min_t && x.t <= options.max_t) ss.samples.push_back(x);
    }
    out.push_back(std::move(ss));
  }
  return out;
}

Result<std::vector<Labels>> FakeStorage::Series(std::span<const storage::LabelMatcher> matchers,
                                                int64_t min_t, int64_t max_t) {
  std::lock_guard lock(mu_);
  std::vector<Labels> out;
  for (const StoredSeries* s : MatchingLocked(matchers, min_t, max_t)) out.push_back(s->labels);
  return out;
}

Result<std::vector<std::string>> FakeStorage::LabelNames(
    std::span<const storage::LabelMatcher> matchers, int64_t min_t, int64_t max_t) {
  std::lock_guard lock(mu_);
  std::set<std::string> names;
  for (const StoredSeries* s : MatchingLocked(matchers, min_t, max_t)) {
    for (const auto& l : s->labels) names.insert(l.name);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> FakeStorage::LabelValues(
    std::string_view name, std::span<const storage::LabelMatcher> matchers, int64_t min_t,
    int64_t max_t) {
  std::lock_guard lock(mu_);
  std::set<std::string> values;
  for (const StoredSeries* s : MatchingLocked(matchers, min_t, max_t)) {
    std::string_view v = s->labels.Get(name);
    if (!v.empty()) values.insert(std::string(v));
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace mm::query::testing
