#include "ingest/jsonl_import.h"

#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace mm::ingest {

namespace {

constexpr std::string_view kNaNPrefix = "NaN:0x";

// A value as exported: a JSON number, or "NaN", "+Inf", "-Inf", "Inf", "NaN:0x<16 hex>".
bool ParseValue(simdjson::dom::element e, double& out) {
  double d;
  if (e.get_double().get(d) == simdjson::SUCCESS) {
    out = d;
    return true;
  }
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return false;
  if (s == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
  } else if (s == "+Inf" || s == "Inf") {
    out = std::numeric_limits<double>::infinity();
  } else if (s == "-Inf") {
    out = -std::numeric_limits<double>::infinity();
  } else if (s.size() == kNaNPrefix.size() + 16 && s.substr(0, kNaNPrefix.size()) == kNaNPrefix) {
    uint64_t bits = 0;
    for (char c : s.substr(kNaNPrefix.size())) {
      int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                                : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (v < 0) return false;
      bits = bits << 4 | static_cast<uint64_t>(v);
    }
    out = std::bit_cast<double>(bits);
    if (!std::isnan(out)) return false;
  } else {
    return false;
  }
  return true;
}

// Parses one line into `batch`; an error message, or "" when good.
std::string ParseLine(simdjson::dom::parser& parser, std::string_view line, PointBatch& batch,
                      std::vector<TagRef>& tags) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(line.data(), line.size()).get(doc); err) {
    return std::string("invalid JSON: ") + simdjson::error_message(err);
  }
  simdjson::dom::object metric;
  if (doc["metric"].get_object().get(metric) != simdjson::SUCCESS) {
    return "missing \"metric\" object";
  }
  std::string_view name;
  tags.clear();
  for (auto [k, v] : metric) {
    std::string_view value;
    if (v.get_string().get(value) != simdjson::SUCCESS) {
      return "label \"" + std::string(k) + "\" is not a string";
    }
    if (k == "__name__") {
      name = batch.Intern(value);
    } else if (!value.empty()) {
      tags.push_back({batch.Intern(k), batch.Intern(value)});
    }
  }
  if (name.empty()) return "the metric has no \"__name__\"";
  simdjson::dom::array ts;
  if (doc["timestamps"].get_array().get(ts) != simdjson::SUCCESS) {
    return "missing \"timestamps\" array";
  }
  simdjson::dom::array values, strings;
  const bool has_values = doc["values"].get_array().get(values) == simdjson::SUCCESS;
  const bool has_strings = doc["string_values"].get_array().get(strings) == simdjson::SUCCESS;
  if (has_values == has_strings) return "expected exactly one of \"values\", \"string_values\"";
  simdjson::dom::array vals = has_values ? values : strings;
  if (vals.size() != ts.size()) {
    return "\"timestamps\" has " + std::to_string(ts.size()) + " entries, the values " +
           std::to_string(vals.size());
  }
  static const std::string_view kValue = "value";
  const std::string_view field_key = batch.Intern(kValue);
  auto vit = vals.begin();
  size_t i = 0;
  for (simdjson::dom::element te : ts) {
    int64_t t;
    if (te.get_int64().get(t) != simdjson::SUCCESS) {
      return "timestamps[" + std::to_string(i) + "] is not an integer (milliseconds)";
    }
    if (t > INT64_MAX / 1'000'000 || t < INT64_MIN / 1'000'000) {
      return "timestamps[" + std::to_string(i) + "] is out of range";
    }
    FieldRef f;
    f.key = field_key;
    if (has_values) {
      f.type = FieldType::kFloat;
      if (!ParseValue(*vit, f.f)) return "values[" + std::to_string(i) + "] is not a number";
    } else {
      std::string_view s;
      if ((*vit).get_string().get(s) != simdjson::SUCCESS) {
        return "string_values[" + std::to_string(i) + "] is not a string";
      }
      f.type = FieldType::kString;
      f.s = batch.Intern(s);
    }
    batch.Add(name, tags, std::span<const FieldRef>(&f, 1), t * 1'000'000);
    ++vit;
    ++i;
  }
  return "";
}

}  // namespace

ParseResult ParseJsonlImport(std::shared_ptr<const std::string> body) {
  ParseResult r;
  simdjson::dom::parser parser;
  std::vector<TagRef> tags;
  std::string_view rest(*body);
  size_t line_no = 0;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    // A failed line must not leave points behind: parse into a scratch batch first.
    PointBatch one;
    std::string err = ParseLine(parser, line, one, tags);
    if (err.empty()) {
      r.batch.Append(std::move(one));
      ++r.lines_ok;
    } else {
      ++r.lines_failed;
      if (r.errors.size() < kMaxReportedErrors) r.errors.push_back({line_no, std::move(err)});
    }
  }
  return r;
}

}  // namespace mm::ingest
