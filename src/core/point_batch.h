// PointBatch: a batch of Influx-shaped points as parsers and sources hand them to the pipeline
// and storage. Strings are views into buffers the batch owns (its arena) or keeps alive (a
// request body), so parsing allocates per batch, not per point. Tags of each point are sorted
// by key and unique. Not synchronized; move it between threads, do not share it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics_manager/point.h"

namespace mm {

enum class FieldType : uint8_t { kFloat, kInt, kUint, kBool, kString };

struct FieldRef {
  std::string_view key;
  FieldType type = FieldType::kFloat;
  union {           // 48 bytes per field instead of 72: batches hold millions of these
    double f = 0;   // kFloat
    int64_t i;      // kInt
    uint64_t u;     // kUint
    bool b;         // kBool
  };
  std::string_view s;  // kString

  // The numeric value as a sample value (bool → 0/1). REQUIRES: type != kString.
  double AsDouble() const;
};

struct TagRef {
  std::string_view key;
  std::string_view value;
};

struct PointRef {
  std::string_view measurement;
  uint32_t tag_begin = 0, tag_count = 0;
  uint32_t field_begin = 0, field_count = 0;
  int64_t timestamp_ns = 0;
};

class PointBatch {
 public:
  PointBatch() = default;
  PointBatch(PointBatch&&) noexcept = default;
  PointBatch& operator=(PointBatch&&) noexcept = default;
  PointBatch(const PointBatch&) = delete;
  PointBatch& operator=(const PointBatch&) = delete;

  // Copies `s` into the batch's arena; the view stays valid for the batch's lifetime.
  std::string_view Intern(std::string_view s);
  // Keeps a buffer alive that views of this batch point into.
  void KeepAlive(std::shared_ptr<const std::string> buffer) { buffers_.push_back(std::move(buffer)); }

  // Appends a point; `tags` are sorted here (stable; a later duplicate key wins).
  // The views must already point into memory the batch owns or keeps alive.
  void Add(std::string_view measurement, std::span<const TagRef> tags,
           std::span<const FieldRef> fields, int64_t timestamp_ns);
  // Copies an owning public Point in (timestamp 0 → `now_ns`).
  void AddOwned(const Point& p, int64_t now_ns);

  // Capacity hint for parsers that can estimate a body's size up front (avoids regrowth).
  void Reserve(size_t points, size_t tags, size_t fields) {
    points_.reserve(points);
    tags_.reserve(tags);
    fields_.reserve(fields);
  }

  size_t size() const { return points_.size(); }
  bool empty() const { return points_.empty(); }
  size_t field_count() const { return fields_.size(); }
  const std::vector<PointRef>& points() const { return points_; }
  std::span<const TagRef> tags(const PointRef& p) const {
    return {tags_.data() + p.tag_begin, p.tag_count};
  }
  std::span<const FieldRef> fields(const PointRef& p) const {
    return {fields_.data() + p.field_begin, p.field_count};
  }
  // Moves all points of `other` in (adopting its buffers).
  void Append(PointBatch&& other);
  void Clear();

 private:
  std::vector<PointRef> points_;
  std::vector<TagRef> tags_;
  std::vector<FieldRef> fields_;
  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_used_ = 0, arena_cap_ = 0;
  std::vector<std::shared_ptr<const std::string>> buffers_;
};

// The series name a field of a point maps to: "value" → measurement, else measurement_field.
static_assert(sizeof(FieldRef) == 48, "FieldRef is on the ingest hot path; keep it compact");

std::string SeriesName(std::string_view measurement, std::string_view field);

}  // namespace mm
