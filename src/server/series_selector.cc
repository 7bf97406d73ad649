#include "server/series_selector.h"

#include <string>

namespace mm::server {

namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view in) : in_(in) {}

  Result<std::vector<storage::LabelMatcher>> Parse() {
    std::vector<storage::LabelMatcher> out;
    SkipSpace();
    if (pos_ == in_.size()) return Error("no expression found in input");
    bool has_name = false;
    if (IsNameStart(in_[pos_]) || in_[pos_] == ':') {
      size_t start = pos_;
      while (pos_ < in_.size() && (IsNameChar(in_[pos_]) || in_[pos_] == ':')) ++pos_;
      MM_ASSIGN_OR_RETURN(auto m, storage::LabelMatcher::Make(
                                      storage::MatchType::kEqual, std::string(kMetricNameLabel),
                                      std::string(in_.substr(start, pos_ - start))));
      out.push_back(std::move(m));
      has_name = true;
      SkipSpace();
    }
    if (pos_ < in_.size() && in_[pos_] == '{') {
      ++pos_;
      MM_RETURN_IF_ERROR(ParseMatchers(has_name, &out));
      SkipSpace();
    } else if (!has_name) {
      return Error(std::string("unexpected character: '") + in_[pos_] + "'");
    }
    if (pos_ != in_.size()) {
      return Error("unexpected character after series selector: '" + std::string(1, in_[pos_]) +
                   "'");
    }
    bool any_non_empty = false;
    for (const auto& m : out) any_non_empty |= !m.MatchesEmpty();
    if (!any_non_empty) {
      return Status::InvalidArgument(
          "vector selector must contain at least one non-empty matcher");
    }
    return out;
  }

 private:
  Status ParseMatchers(bool has_name, std::vector<storage::LabelMatcher>* out) {
    while (true) {
      SkipSpace();
      if (pos_ >= in_.size()) return Error("unexpected end of input inside braces");
      if (in_[pos_] == '}') {
        ++pos_;
        return Status::Ok();
      }
      std::string name;
      bool quoted_name = false;
      if (in_[pos_] == '"' || in_[pos_] == '\'' || in_[pos_] == '`') {
        MM_ASSIGN_OR_RETURN(name, ParseString());
        quoted_name = true;
      } else if (IsNameStart(in_[pos_])) {
        size_t start = pos_;
        while (pos_ < in_.size() && IsNameChar(in_[pos_])) ++pos_;
        name = std::string(in_.substr(start, pos_ - start));
      } else {
        return Error(std::string("unexpected character inside braces: '") + in_[pos_] + "'");
      }
      SkipSpace();
      // A bare quoted string is a metric name (Prometheus 3: {"metric.name", job="x"}).
      if (quoted_name && pos_ < in_.size() && (in_[pos_] == ',' || in_[pos_] == '}')) {
        if (has_name) return Error("metric name must not be set twice");
        has_name = true;
        MM_ASSIGN_OR_RETURN(auto m, storage::LabelMatcher::Make(storage::MatchType::kEqual,
                                                                std::string(kMetricNameLabel),
                                                                std::move(name)));
        out->push_back(std::move(m));
        if (in_[pos_] == ',') ++pos_;
        continue;
      }
      storage::MatchType type;
      if (in_.substr(pos_, 2) == "=~") {
        type = storage::MatchType::kRegexMatch, pos_ += 2;
      } else if (in_.substr(pos_, 2) == "!~") {
        type = storage::MatchType::kRegexNoMatch, pos_ += 2;
      } else if (in_.substr(pos_, 2) == "!=") {
        type = storage::MatchType::kNotEqual, pos_ += 2;
      } else if (pos_ < in_.size() && in_[pos_] == '=') {
        type = storage::MatchType::kEqual, pos_ += 1;
      } else {
        return Error("unexpected character after label name \"" + name +
                     "\", expected a label matching operator");
      }
      SkipSpace();
      if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'' && in_[pos_] != '`')) {
        return Error("unexpected token after label matching operator, expected a string");
      }
      MM_ASSIGN_OR_RETURN(std::string value, ParseString());
      auto m = storage::LabelMatcher::Make(type, std::move(name), std::move(value));
      if (!m.ok()) return m.status();
      out->push_back(std::move(m).value());
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < in_.size() && in_[pos_] != '}') {
        return Error("unexpected character inside braces: '" + std::string(1, in_[pos_]) + "'");
      }
    }
  }

  // A Go-style string literal: "..." and '...' with escapes, `...` raw.
  Result<std::string> ParseString() {
    char quote = in_[pos_++];
    std::string out;
    while (pos_ < in_.size()) {
      char c = in_[pos_++];
      if (c == quote) return out;
      if (quote == '`' || c != '\\') {
        if (c == '\n' && quote != '`') return Error("unterminated quoted string");
        out.push_back(c);
        continue;
      }
      if (pos_ >= in_.size()) break;
      char e = in_[pos_++];
      switch (e) {
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'v': out.push_back('\v'); break;
        case '\\': out.push_back('\\'); break;
        case '"':
        case '\'': out.push_back(e); break;
        case 'x': {
          uint32_t v;
          MM_ASSIGN_OR_RETURN(v, Hex(2));
          out.push_back(static_cast<char>(v));
          break;
        }
        case 'u':
        case 'U': {
          uint32_t v;
          MM_ASSIGN_OR_RETURN(v, Hex(e == 'u' ? 4 : 8));
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            return Error("invalid Unicode code point in escape sequence");
          }
          AppendUtf8(out, v);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = e - '0';
            for (int k = 0; k < 2; ++k) {
              if (pos_ >= in_.size() || in_[pos_] < '0' || in_[pos_] > '7') {
                return Error("invalid octal escape sequence");
              }
              v = v * 8 + (in_[pos_++] - '0');
            }
            if (v > 255) return Error("octal escape value > 255");
            out.push_back(static_cast<char>(v));
            break;
          }
          return Error(std::string("unknown escape sequence '\\") + e + "'");
      }
    }
    return Error("unterminated quoted string");
  }

  Result<uint32_t> Hex(int digits) {
    uint32_t v = 0;
    for (int k = 0; k < digits; ++k) {
      if (pos_ >= in_.size()) return Error("unterminated escape sequence");
      char c = in_[pos_++];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return Error("invalid hexadecimal escape sequence");
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return v;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  void SkipSpace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // "line:col: parse error: msg", 1-based, as the PromQL parser reports positions.
  Status Error(const std::string& msg) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < in_.size(); ++i) {
      if (in_[i] == '\n') {
        ++line, col = 1;
      } else {
        ++col;
      }
    }
    return Status::InvalidArgument(std::to_string(line) + ":" + std::to_string(col) +
                                   ": parse error: " + msg);
  }

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<storage::LabelMatcher>> ParseSeriesSelector(std::string_view input) {
  return SelectorParser(input).Parse();
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

}  // namespace mm::server
