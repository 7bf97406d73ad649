#include "core/point_batch.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"

namespace mm {

double FieldRef::AsDouble() const {
  switch (type) {
    case FieldType::kFloat: return f;
    case FieldType::kInt: return static_cast<double>(i);
    case FieldType::kUint: return static_cast<double>(u);
    case FieldType::kBool: return b ? 1.0 : 0.0;
    case FieldType::kString: break;
  }
  MM_DCHECK(false, "AsDouble on a string field");
  return 0;
}

std::string_view PointBatch::Intern(std::string_view s) {
  if (s.empty()) return {};
  if (arena_used_ + s.size() > arena_cap_) {
    size_t cap = std::max<size_t>(64 * 1024, s.size());
    arena_.push_back(std::make_unique<char[]>(cap));
    arena_used_ = 0;
    arena_cap_ = cap;
  }
  char* dst = arena_.back().get() + arena_used_;
  std::memcpy(dst, s.data(), s.size());
  arena_used_ += s.size();
  return {dst, s.size()};
}

void PointBatch::Add(std::string_view measurement, std::span<const TagRef> tags,
                     std::span<const FieldRef> fields, int64_t timestamp_ns) {
  PointRef p;
  p.measurement = measurement;
  p.tag_begin = static_cast<uint32_t>(tags_.size());
  tags_.insert(tags_.end(), tags.begin(), tags.end());
  auto first = tags_.begin() + p.tag_begin;
  bool sorted = std::is_sorted(first, tags_.end(),
                               [](const TagRef& a, const TagRef& b) { return a.key < b.key; });
  if (!sorted) {
    std::stable_sort(first, tags_.end(),
                     [](const TagRef& a, const TagRef& b) { return a.key < b.key; });
  }
  // Unique keys: a later duplicate wins.
  auto out = first;
  for (auto it = first; it != tags_.end(); ++it) {
    if (out != first && (out - 1)->key == it->key) {
      *(out - 1) = *it;
    } else {
      *out++ = *it;
    }
  }
  tags_.erase(out, tags_.end());
  p.tag_count = static_cast<uint32_t>(tags_.size() - p.tag_begin);
  p.field_begin = static_cast<uint32_t>(fields_.size());
  fields_.insert(fields_.end(), fields.begin(), fields.end());
  p.field_count = static_cast<uint32_t>(fields.size());
  p.timestamp_ns = timestamp_ns;
  points_.push_back(p);
}

void PointBatch::AddOwned(const Point& p, int64_t now_ns) {
  std::vector<TagRef> tags;
  tags.reserve(p.tags.size());
  for (const auto& [k, v] : p.tags) tags.push_back({Intern(k), Intern(v)});
  std::vector<FieldRef> fields;
  fields.reserve(p.fields.size());
  for (const auto& [k, v] : p.fields) {
    FieldRef f;
    f.key = Intern(k);
    if (auto* d = std::get_if<double>(&v)) {
      f.type = FieldType::kFloat, f.f = *d;
    } else if (auto* i = std::get_if<int64_t>(&v)) {
      f.type = FieldType::kInt, f.i = *i;
    } else if (auto* u = std::get_if<uint64_t>(&v)) {
      f.type = FieldType::kUint, f.u = *u;
    } else if (auto* b = std::get_if<bool>(&v)) {
      f.type = FieldType::kBool, f.b = *b;
    } else {
      f.type = FieldType::kString, f.s = Intern(std::get<std::string>(v));
    }
    fields.push_back(f);
  }
  Add(Intern(p.measurement), tags, fields, p.timestamp_ns == 0 ? now_ns : p.timestamp_ns);
}

void PointBatch::Append(PointBatch&& other) {
  uint32_t tag_off = static_cast<uint32_t>(tags_.size());
  uint32_t field_off = static_cast<uint32_t>(fields_.size());
  tags_.insert(tags_.end(), other.tags_.begin(), other.tags_.end());
  fields_.insert(fields_.end(), other.fields_.begin(), other.fields_.end());
  for (PointRef p : other.points_) {
    p.tag_begin += tag_off;
    p.field_begin += field_off;
    points_.push_back(p);
  }
  for (auto& a : other.arena_) arena_.insert(arena_.end() - (arena_.empty() ? 0 : 1), std::move(a));
  for (auto& b : other.buffers_) buffers_.push_back(std::move(b));
  other.Clear();
}

void PointBatch::Clear() {
  points_.clear();
  tags_.clear();
  fields_.clear();
  arena_.clear();
  arena_used_ = arena_cap_ = 0;
  buffers_.clear();
}

std::string SeriesName(std::string_view measurement, std::string_view field) {
  if (field == "value") return std::string(measurement);
  std::string s;
  s.reserve(measurement.size() + 1 + field.size());
  s += measurement;
  s += '_';
  s += field;
  return s;
}

}  // namespace mm
