// mm::QueryResult: the answer to a PromQL query, in the shapes of the Prometheus HTTP API:
// a scalar, a string, an instant vector (one sample per series) or a range matrix.
// Timestamps are milliseconds since the Unix epoch. Value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics_manager/labels.h"

namespace mm {

struct SamplePoint {
  int64_t timestamp_ms = 0;
  double value = 0;
  friend bool operator==(const SamplePoint&, const SamplePoint&) = default;
};

struct SeriesResult {
  Labels labels;
  std::vector<SamplePoint> samples;  // one for a vector, many for a matrix
};

struct QueryResult {
  enum class Type { kScalar, kString, kVector, kMatrix };
  Type type = Type::kVector;
  std::vector<SeriesResult> series;  // kVector, kMatrix
  SamplePoint scalar;                // kScalar
  std::string string_value;          // kString (timestamp in scalar.timestamp_ms)
  std::vector<std::string> warnings;

  // For a vector: the value of the first series, or `fallback` if it is empty.
  double ValueOr(double fallback) const {
    if (type == Type::kScalar) return scalar.value;
    if (!series.empty() && !series.front().samples.empty()) return series.front().samples.back().value;
    return fallback;
  }
};

}  // namespace mm
