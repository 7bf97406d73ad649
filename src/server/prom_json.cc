#include "server/prom_json.h"

#include <charconv>
#include <cmath>

namespace mm::server {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range code points are invalid.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy runs of plain ASCII at once.
    size_t run = i;
    while (run < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        out.append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    ++i;
  }
  out.push_back('"');
}

void AppendPromTimestamp(std::string& out, int64_t ms) {
  // Same digits as Prometheus' marshalTimestamp: seconds, then '.' and 3 digits if any.
  uint64_t t;
  if (ms < 0) {
    out.push_back('-');
    t = static_cast<uint64_t>(-(ms + 1)) + 1;
  } else {
    t = static_cast<uint64_t>(ms);
  }
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, t / 1000);
  out.append(buf, p);
  uint64_t frac = t % 1000;
  if (frac != 0) {
    out.push_back('.');
    out.push_back(static_cast<char>('0' + frac / 100));
    out.push_back(static_cast<char>('0' + frac / 10 % 10));
    out.push_back(static_cast<char>('0' + frac % 10));
  }
}

void AppendPromValue(std::string& out, double v) {
  out.push_back('"');
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "+Inf" : "-Inf");
  } else {
    // Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent.
    char buf[400];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out.append(buf, p);
  }
  out.push_back('"');
}

void AppendLabelsObject(std::string& out, const Labels& labels) {
  out.push_back('{');
  bool first = true;
  for (const auto& l : labels) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, l.name);
    out.push_back(':');
    AppendJsonString(out, l.value);
  }
  out.push_back('}');
}

std::string EncodeQueryResult(const QueryResult& result) {
  std::string out;
  size_t n_samples = 0;
  for (const auto& s : result.series) n_samples += s.samples.size();
  out.reserve(64 + result.series.size() * 96 + n_samples * 32);
  out.append(R"({"status":"success","data":{"resultType":")");
  switch (result.type) {
    case QueryResult::Type::kScalar:
    case QueryResult::Type::kString:
      out.append(result.type == QueryResult::Type::kScalar ? "scalar" : "string");
      out.append(R"(","result":[)");
      AppendPromTimestamp(out, result.scalar.timestamp_ms);
      out.push_back(',');
      if (result.type == QueryResult::Type::kScalar) {
        AppendPromValue(out, result.scalar.value);
      } else {
        AppendJsonString(out, result.string_value);
      }
      out.push_back(']');
      break;
    case QueryResult::Type::kVector:
    case QueryResult::Type::kMatrix: {
      bool matrix = result.type == QueryResult::Type::kMatrix;
      out.append(matrix ? "matrix" : "vector");
      out.append(R"(","result":[)");
      bool first = true;
      for (const auto& s : result.series) {
        if (!matrix && s.samples.empty()) continue;  // nothing to show at this instant
        if (!first) out.push_back(',');
        first = false;
        out.append(R"({"metric":)");
        AppendLabelsObject(out, s.labels);
        if (matrix) {
          out.append(R"(,"values":[)");
          for (size_t i = 0; i < s.samples.size(); ++i) {
            if (i) out.push_back(',');
            out.push_back('[');
            AppendPromTimestamp(out, s.samples[i].timestamp_ms);
            out.push_back(',');
            AppendPromValue(out, s.samples[i].value);
            out.push_back(']');
          }
          out.push_back(']');
        } else {
          const SamplePoint& p = s.samples.back();
          out.append(R"(,"value":[)");
          AppendPromTimestamp(out, p.timestamp_ms);
          out.push_back(',');
          AppendPromValue(out, p.value);
          out.push_back(']');
        }
        out.push_back('}');
      }
      out.push_back(']');
      break;
    }
  }
  out.push_back('}');
  if (!result.warnings.empty()) {
    out.append(R"(,"warnings":[)");
    for (size_t i = 0; i < result.warnings.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(out, result.warnings[i]);
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

std::string EncodeSeriesList(const std::vector<Labels>& series) {
  std::string out;
  out.reserve(32 + series.size() * 96);
  out.append(R"({"status":"success","data":[)");
  for (size_t i = 0; i < series.size(); ++i) {
    if (i) out.push_back(',');
    AppendLabelsObject(out, series[i]);
  }
  out.append("]}");
  return out;
}

std::string EncodeStringList(const std::vector<std::string>& values) {
  std::string out;
  out.append(R"({"status":"success","data":[)");
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, values[i]);
  }
  out.append("]}");
  return out;
}

std::string EncodeSuccessRaw(std::string_view raw_json_data) {
  std::string out(R"({"status":"success","data":)");
  out.append(raw_json_data);
  out.push_back('}');
  return out;
}

std::string EncodeError(std::string_view error_type, std::string_view message) {
  std::string out(R"({"status":"error","errorType":)");
  AppendJsonString(out, error_type);
  out.append(R"(,"error":)");
  AppendJsonString(out, message);
  out.push_back('}');
  return out;
}

}  // namespace mm::server
