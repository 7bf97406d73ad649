#include "server/testing/vector_storage.h"

#include <algorithm>
#include <set>

namespace mm::server {

Result<storage::WriteStats> VectorStorage::Write(const PointBatch& batch) {
  std::lock_guard lock(mu_);
  if (!write_error_.ok()) return write_error_;
  storage::WriteStats stats;
  for (const PointRef& p : batch.points()) {
    for (const FieldRef& f : batch.fields(p)) {
      if (f.type == FieldType::kString) continue;
      std::vector<Label> labels;
      labels.push_back({std::string(kMetricNameLabel), SeriesName(p.measurement, f.key)});
      for (const TagRef& t : batch.tags(p)) {
        labels.push_back({std::string(t.key), std::string(t.value)});
      }
      auto [it, created] = series_.try_emplace(Labels::FromUnsorted(std::move(labels)));
      stats.series_created += created;
      auto& samples = it->second;
      storage::Sample s{p.timestamp_ns / 1'000'000, f.AsDouble()};
      auto pos = std::lower_bound(samples.begin(), samples.end(), s.t,
                                  [](const storage::Sample& a, int64_t t) { return a.t < t; });
      if (pos != samples.end() && pos->t == s.t) {
        *pos = s;
      } else {
        samples.insert(pos, s);
      }
      ++stats.samples_stored;
    }
  }
  return stats;
}

void VectorStorage::Add(const Labels& labels, int64_t t_ms, double v) {
  std::lock_guard lock(mu_);
  auto& samples = series_[labels];
  samples.push_back({t_ms, v});
  std::sort(samples.begin(), samples.end(),
            [](const storage::Sample& a, const storage::Sample& b) { return a.t < b.t; });
}

size_t VectorStorage::sample_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [l, s] : series_) n += s.size();
  return n;
}

void VectorStorage::FailWrites(Status s) {
  std::lock_guard lock(mu_);
  write_error_ = std::move(s);
}

void VectorStorage::FailReads(Status s) {
  std::lock_guard lock(mu_);
  read_error_ = std::move(s);
}

std::vector<const std::pair<const Labels, std::vector<storage::Sample>>*> VectorStorage::Matching(
    std::span<const storage::LabelMatcher> m, int64_t min_t, int64_t max_t) const {
  std::vector<const std::pair<const Labels, std::vector<storage::Sample>>*> out;
  for (const auto& entry : series_) {
    bool ok = std::all_of(m.begin(), m.end(), [&](const storage::LabelMatcher& lm) {
      return lm.Matches(entry.first.Get(lm.name()));
    });
    if (!ok) continue;
    bool in_range = std::any_of(entry.second.begin(), entry.second.end(),
                                [&](const storage::Sample& s) { return s.t >= min_t && s.t <= max_t; });
    if (in_range) out.push_back(&entry);
  }
  return out;
}

Result<std::vector<storage::SeriesSamples>> VectorStorage::Select(
    std::span<const storage::LabelMatcher> m, const storage::SelectOptions& o) {
  std::lock_guard lock(mu_);
  if (!read_error_.ok()) return read_error_;
  std::vector<storage::SeriesSamples> out;
  for (const auto* e : Matching(m, o.min_t, o.max_t)) {
    storage::SeriesSamples s;
    s.labels = e->first;
    for (const auto& sample : e->second) {
      if (sample.t >= o.min_t && sample.t <= o.max_t) s.samples.push_back(sample);
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<Labels>> VectorStorage::Series(std::span<const storage::LabelMatcher> m,
                                                  int64_t min_t, int64_t max_t) {
  std::lock_guard lock(mu_);
  if (!read_error_.ok()) return read_error_;
  std::vector<Labels> out;
  for (const auto* e : Matching(m, min_t, max_t)) out.push_back(e->first);
  return out;
}

Result<std::vector<std::string>> VectorStorage::LabelNames(
    std::span<const storage::LabelMatcher> m, int64_t min_t, int64_t max_t) {
  std::lock_guard lock(mu_);
  if (!read_error_.ok()) return read_error_;
  std::set<std::string> names;
  for (const auto* e : Matching(m, min_t, max_t)) {
    for (const auto& l : e->first) names.insert(l.name);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> VectorStorage::LabelValues(
    std::string_view name, std::span<const storage::LabelMatcher> m, int64_t min_t,
    int64_t max_t) {
  std::lock_guard lock(mu_);
  if (!read_error_.ok()) return read_error_;
  std::set<std::string> values;
  for (const auto* e : Matching(m, min_t, max_t)) {
    std::string_view v = e->first.Get(name);
    if (!v.empty()) values.insert(std::string(v));
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace mm::server
