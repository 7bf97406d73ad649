#include "server/export_jsonl.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace mm::server {

namespace {

constexpr uint64_t kDefaultNaN = 0x7ff8000000000000ULL;

void AppendJsonString(std::string_view s, std::string& out) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out.append(buf);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
}

void AppendMetric(const Labels& labels, std::string& out) {
  out.append("{\"metric\":{");
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(l.name, out);
    out.push_back(':');
    AppendJsonString(l.value, out);
  }
  out.append("},");
}

}  // namespace

void AppendExportValue(double v, std::string& out) {
  if (v == 0 && std::signbit(v)) {
    out.append("-0.0");  // "-0" reads back as the integer 0 in most JSON parsers
  } else if (std::isfinite(v)) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
    out.append(buf, p);
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "\"+Inf\"" : "\"-Inf\"");
  } else {
    const uint64_t bits = std::bit_cast<uint64_t>(v);
    if (bits == kDefaultNaN) {
      out.append("\"NaN\"");
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "\"NaN:0x%016llx\"", static_cast<unsigned long long>(bits));
      out.append(buf);
    }
  }
}

void AppendExportJsonl(const storage::SeriesSamples& series, std::string& out) {
  if (!series.samples.empty()) {
    AppendMetric(series.labels, out);
    out.append("\"values\":[");
    for (size_t i = 0; i < series.samples.size(); ++i) {
      if (i) out.push_back(',');
      AppendExportValue(series.samples[i].v, out);
    }
    out.append("],\"timestamps\":[");
    for (size_t i = 0; i < series.samples.size(); ++i) {
      if (i) out.push_back(',');
      AppendInt(series.samples[i].t, out);
    }
    out.append("]}\n");
  }
  if (!series.string_samples.empty()) {
    AppendMetric(series.labels, out);
    out.append("\"string_values\":[");
    for (size_t i = 0; i < series.string_samples.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(series.string_samples[i].v, out);
    }
    out.append("],\"timestamps\":[");
    for (size_t i = 0; i < series.string_samples.size(); ++i) {
      if (i) out.push_back(',');
      AppendInt(series.string_samples[i].t, out);
    }
    out.append("]}\n");
  }
}

Result<std::string> ExportSeries(storage::Storage& storage,
                                 std::span<const std::vector<storage::LabelMatcher>> sets,
                                 int64_t min_t, int64_t max_t) {
  std::vector<storage::SeriesSamples> all;
  const storage::SelectOptions options{.min_t = min_t, .max_t = max_t, .with_strings = true};
  for (const auto& set : sets) {
    MM_ASSIGN_OR_RETURN(std::vector<storage::SeriesSamples> part, storage.Select(set, options));
    for (auto& s : part) all.push_back(std::move(s));
  }
  if (sets.size() > 1) {
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.labels < b.labels; });
    all.erase(std::unique(all.begin(), all.end(),
                          [](const auto& a, const auto& b) { return a.labels == b.labels; }),
              all.end());
  }
  std::string out;
  for (const auto& s : all) AppendExportJsonl(s, out);
  return out;
}

}  // namespace mm::server
