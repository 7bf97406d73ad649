// mm::Point: what a user hands to MetricsManager::write — Influx-shaped: a measurement, tags,
// typed fields and a timestamp in nanoseconds since the Unix epoch (UTC).
// A point becomes one sample per field: field "value" → series named after the measurement,
// any other field → "measurement_field"; tags become labels. Value type.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace mm {

// float64, int64, uint64, bool, string — the five Influx field types.
using FieldValue = std::variant<double, int64_t, uint64_t, bool, std::string>;

struct Point {
  std::string measurement;
  std::map<std::string, std::string> tags;
  std::map<std::string, FieldValue> fields;
  int64_t timestamp_ns = 0;  // 0 = "now" (the time the engine receives it)
};

}  // namespace mm
