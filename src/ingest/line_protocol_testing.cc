#include "ingest/line_protocol_testing.h"

#include <charconv>

namespace mm::ingest::testing {
namespace {

bool PlainName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void AppendQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          *out += "\\x";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else {
          *out += ch;
        }
    }
  }
  *out += '"';
}

void AppendName(std::string_view s, std::string* out) {
  if (PlainName(s)) {
    *out += s;
  } else {
    AppendQuoted(s, out);
  }
}

void AppendDouble(double d, std::string* out) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, r.ptr);
}

// Escapes `chars` (and the backslash) with a backslash.
void AppendEscaped(std::string_view s, std::string_view chars, std::string* out) {
  for (char c : s) {
    if (c == '\\' || chars.find(c) != std::string_view::npos) *out += '\\';
    *out += c;
  }
}

}  // namespace

std::vector<std::string> CanonicalSamples(const PointBatch& batch) {
  std::vector<std::string> lines;
  for (const PointRef& p : batch.points()) {
    std::string prefix;
    AppendName(p.measurement, &prefix);
    prefix += '{';
    bool first = true;
    for (const TagRef& t : batch.tags(p)) {
      if (!first) prefix += ',';
      first = false;
      AppendName(t.key, &prefix);
      prefix += '=';
      AppendName(t.value, &prefix);
    }
    prefix += "} ";
    for (const FieldRef& f : batch.fields(p)) {
      std::string line = prefix;
      AppendName(f.key, &line);
      line += '=';
      switch (f.type) {
        case FieldType::kFloat:
          line += "float:";
          AppendDouble(f.f, &line);
          break;
        case FieldType::kInt:
          line += "int:" + std::to_string(f.i);
          break;
        case FieldType::kUint:
          line += "uint:" + std::to_string(f.u);
          break;
        case FieldType::kBool:
          line += f.b ? "bool:true" : "bool:false";
          break;
        case FieldType::kString:
          line += "string:";
          AppendQuoted(f.s, &line);
          break;
      }
      line += " @" + std::to_string(p.timestamp_ns);
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

std::string EncodeLineProtocol(const PointBatch& batch) {
  std::string out;
  for (const PointRef& p : batch.points()) {
    AppendEscaped(p.measurement, ", ", &out);
    for (const TagRef& t : batch.tags(p)) {
      out += ',';
      AppendEscaped(t.key, ",= ", &out);
      out += '=';
      AppendEscaped(t.value, ",= ", &out);
    }
    char sep = ' ';
    for (const FieldRef& f : batch.fields(p)) {
      out += sep;
      sep = ',';
      AppendEscaped(f.key, ",= ", &out);
      out += '=';
      switch (f.type) {
        case FieldType::kFloat:
          AppendDouble(f.f, &out);
          break;
        case FieldType::kInt:
          out += std::to_string(f.i) + "i";
          break;
        case FieldType::kUint:
          out += std::to_string(f.u) + "u";
          break;
        case FieldType::kBool:
          out += f.b ? "true" : "false";
          break;
        case FieldType::kString:
          out += '"';
          AppendEscaped(f.s, "\"", &out);
          out += '"';
          break;
      }
    }
    out += ' ';
    out += std::to_string(p.timestamp_ns);
    out += '\n';
  }
  return out;
}

}  // namespace mm::ingest::testing
