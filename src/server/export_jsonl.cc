#include "server/export_jsonl.h"

#include <spdlog/spdlog.h>

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
  MM_ASSIGN_OR_RETURN(std::shared_ptr<ExportStream> stream,
                      ExportStream::Start(&storage, {sets.begin(), sets.end()}, min_t, max_t));
  std::string out;
  while (std::optional<std::string> piece = stream->Poll()) out += *piece;
  MM_RETURN_IF_ERROR(stream->status());
  return out;
}

Result<std::shared_ptr<ExportStream>> ExportStream::Start(
    storage::Storage* storage, std::vector<std::vector<storage::LabelMatcher>> sets,
    int64_t min_t, int64_t max_t, size_t piece_bytes) {
  std::shared_ptr<ExportStream> s(new ExportStream);
  s->storage_ = storage;
  s->options_ = {.min_t = min_t, .max_t = max_t, .with_strings = true};
  s->piece_bytes_ = std::max<size_t>(1, piece_bytes);
  for (const auto& set : sets) {
    MM_ASSIGN_OR_RETURN(std::vector<Labels> part, storage->Series(set, min_t, max_t));
    for (Labels& l : part) s->series_.push_back(std::move(l));
  }
  std::sort(s->series_.begin(), s->series_.end());
  s->series_.erase(std::unique(s->series_.begin(), s->series_.end()), s->series_.end());
  return s;
}

std::optional<std::string> ExportStream::Poll() {
  if (next_ >= series_.size()) return std::nullopt;
  std::string out;
  std::vector<storage::LabelMatcher> ms;
  while (next_ < series_.size() && out.size() < piece_bytes_) {
    const Labels& want = series_[next_++];
    ms.clear();
    for (const Label& l : want) {
      auto m = storage::LabelMatcher::Make(storage::MatchType::kEqual, l.name, l.value);
      if (!m.ok()) {
        status_ = m.status();
        spdlog::error("export: {}: {}", want.ToString(), status_.ToString());
        return std::nullopt;
      }
      ms.push_back(std::move(m).value());
    }
    auto got = storage_->Select(ms, options_);
    if (!got.ok()) {
      status_ = got.status();
      spdlog::error("export: reading {} failed, the export ends here: {}", want.ToString(),
                    status_.ToString());
      return std::nullopt;
    }
    // The matchers also match series with more labels: only the exact one is this line.
    for (const storage::SeriesSamples& ss : *got) {
      if (ss.labels == want) AppendExportJsonl(ss, out);
    }
  }
  return out;
}

}  // namespace mm::server
