#include "query/lexer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>

namespace mm::query {

namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlphaNumeric(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::unordered_map<std::string, TokenType>& Keywords() {
  static const auto* kMap = new std::unordered_map<std::string, TokenType>{
      {"and", TokenType::kAnd},
      {"or", TokenType::kOr},
      {"unless", TokenType::kUnless},
      {"atan2", TokenType::kAtan2},
      {"sum", TokenType::kSum},
      {"avg", TokenType::kAvg},
      {"count", TokenType::kCount},
      {"min", TokenType::kMin},
      {"max", TokenType::kMax},
      {"group", TokenType::kGroup},
      {"stddev", TokenType::kStddev},
      {"stdvar", TokenType::kStdvar},
      {"topk", TokenType::kTopk},
      {"bottomk", TokenType::kBottomk},
      {"count_values", TokenType::kCountValues},
      {"quantile", TokenType::kQuantile},
      {"by", TokenType::kBy},
      {"without", TokenType::kWithout},
      {"on", TokenType::kOn},
      {"ignoring", TokenType::kIgnoring},
      {"group_left", TokenType::kGroupLeft},
      {"group_right", TokenType::kGroupRight},
      {"bool", TokenType::kBool},
      {"offset", TokenType::kOffset},
      {"start", TokenType::kStart},
      {"end", TokenType::kEnd},
  };
  return *kMap;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Go's %q of one byte as a rune: 'x', '\n', '\''.
std::string QuoteRune(char c) {
  switch (c) {
    case '\n':
      return "'\\n'";
    case '\t':
      return "'\\t'";
    case '\r':
      return "'\\r'";
    case '\'':
      return "'\\''";
    case '\\':
      return "'\\\\'";
    default:
      break;
  }
  if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
    char buf[16];
    snprintf(buf, sizeof(buf), "'\\x%02x'", static_cast<unsigned char>(c));
    return buf;
  }
  return std::string("'") + c + "'";
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= in_.size()) {
        if (brace_open_) return Error(pos_, "unexpected end of input inside braces");
        if (paren_depth_ > 0) return Error(pos_, "unclosed left parenthesis");
        if (bracket_open_) return Error(pos_, "unclosed left bracket");
        Token t;
        t.type = TokenType::kEof;
        t.pos = static_cast<uint32_t>(pos_);
        out.push_back(std::move(t));
        return out;
      }
      Status s = Next(out);
      if (!s.ok()) return s;
    }
  }

 private:
  Status Error(size_t pos, std::string_view msg) const {
    return Status::InvalidArgument(FormatParseError(in_, static_cast<uint32_t>(pos), msg));
  }

  void SkipSpaceAndComments() {
    while (pos_ < in_.size()) {
      if (IsSpace(in_[pos_])) {
        ++pos_;
      } else if (in_[pos_] == '#') {
        while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  void Emit(std::vector<Token>& out, TokenType type, size_t start, size_t end) {
    Token t;
    t.type = type;
    t.pos = static_cast<uint32_t>(start);
    t.raw = in_.substr(start, end - start);
    out.push_back(std::move(t));
    last_type_ = type;
  }
  // An operator or punctuation token of `width` characters at `start`, the lexer past it.
  Status Token1(std::vector<Token>& out, TokenType type, size_t start, size_t width) {
    pos_ = start + width;
    Emit(out, type, start, pos_);
    return Status::Ok();
  }

  Status Next(std::vector<Token>& out) {
    const size_t start = pos_;
    const char c = in_[pos_];
    auto peek = [&](size_t k) { return pos_ + k < in_.size() ? in_[pos_ + k] : '\0'; };

    if (brace_open_) {
      // Inside braces: label names, matcher operators, strings, commas.
      if (c == ',') {
        ++pos_;
        Emit(out, TokenType::kComma, start, pos_);
        return Status::Ok();
      }
      if (c == '}') {
        ++pos_;
        brace_open_ = false;
        Emit(out, TokenType::kRightBrace, start, pos_);
        return Status::Ok();
      }
      if (c == '{') return Error(start, "unexpected left brace " + QuoteRune(c));
      if (c == '=') {
        if (peek(1) == '~') {
          pos_ += 2;
          Emit(out, TokenType::kEqlRegex, start, pos_);
        } else {
          ++pos_;
          Emit(out, TokenType::kAssign, start, pos_);
        }
        return Status::Ok();
      }
      if (c == '!') {
        if (peek(1) == '=') {
          pos_ += 2;
          Emit(out, TokenType::kNeq, start, pos_);
          return Status::Ok();
        }
        if (peek(1) == '~') {
          pos_ += 2;
          Emit(out, TokenType::kNeqRegex, start, pos_);
          return Status::Ok();
        }
        return Error(start, "unexpected character inside braces: " + QuoteRune(peek(1)));
      }
      if (c == '"' || c == '\'' || c == '`') return LexString(out);
      if (IsAlpha(c)) {
        while (pos_ < in_.size() && IsAlphaNumeric(in_[pos_])) ++pos_;
        Emit(out, TokenType::kIdentifier, start, pos_);
        return Status::Ok();
      }
      return Error(start, "unexpected character inside braces: " + QuoteRune(c));
    }

    switch (c) {
      case ',':
        return Token1(out, TokenType::kComma, start, 1);
      case '(':
        ++pos_;
        ++paren_depth_;
        Emit(out, TokenType::kLeftParen, start, pos_);
        return Status::Ok();
      case ')':
        // Prometheus reports this one after the parenthesis.
        if (paren_depth_ == 0)
          return Error(start + 1, "unexpected right parenthesis " + QuoteRune(c));
        ++pos_;
        --paren_depth_;
        Emit(out, TokenType::kRightParen, start, pos_);
        return Status::Ok();
      case '{':
        ++pos_;
        brace_open_ = true;
        Emit(out, TokenType::kLeftBrace, start, pos_);
        return Status::Ok();
      case '}':
        return Error(start, "unexpected character: " + QuoteRune(c));
      case '[':
        if (bracket_open_) return Error(start, "unexpected left bracket " + QuoteRune(c));
        ++pos_;
        bracket_open_ = true;
        got_colon_ = false;
        Emit(out, TokenType::kLeftBracket, start, pos_);
        return LexDuration(out);
      case ']':
        if (!bracket_open_) return Error(start, "unexpected right bracket " + QuoteRune(c));
        ++pos_;
        bracket_open_ = false;
        Emit(out, TokenType::kRightBracket, start, pos_);
        return Status::Ok();
      case ':':
        if (!bracket_open_) break;  // part of a metric identifier
        if (got_colon_) return Error(start, "unexpected colon ':'");
        got_colon_ = true;
        return Token1(out, TokenType::kColon, start, 1);
      case '@':
        return Token1(out, TokenType::kAt, start, 1);
      case '+':
        return Token1(out, TokenType::kAdd, start, 1);
      case '-':
        return Token1(out, TokenType::kSub, start, 1);
      case '*':
        return Token1(out, TokenType::kMul, start, 1);
      case '/':
        return Token1(out, TokenType::kDiv, start, 1);
      case '%':
        return Token1(out, TokenType::kMod, start, 1);
      case '^':
        return Token1(out, TokenType::kPow, start, 1);
      case '=':
        if (peek(1) == '=') return Token1(out, TokenType::kEqlc, start, 2);
        if (peek(1) == '~') return Error(start, "unexpected character after '=': '~'");
        // A lone '=' outside braces: Prometheus lexes it and the parser rejects it.
        return Token1(out, TokenType::kAssign, start, 1);
      case '!':
        if (peek(1) == '=') return Token1(out, TokenType::kNeq, start, 2);
        return Error(start, "unexpected character after '!': " + QuoteRune(peek(1)));
      case '<':
        if (peek(1) == '=') return Token1(out, TokenType::kLte, start, 2);
        return Token1(out, TokenType::kLss, start, 1);
      case '>':
        if (peek(1) == '=') return Token1(out, TokenType::kGte, start, 2);
        return Token1(out, TokenType::kGtr, start, 1);
      case '"':
      case '\'':
      case '`':
        return LexString(out);
      default:
        break;
    }
    if (IsDigit(c) || (c == '.' && IsDigit(peek(1)))) return LexNumberOrDuration(out);
    if (IsAlpha(c) || c == ':') return LexIdentifier(out);
    return Error(start, "unexpected character: " + QuoteRune(c));
  }

  Status LexString(std::vector<Token>& out) {
    const size_t start = pos_;
    const char quote = in_[pos_++];
    while (true) {
      if (pos_ >= in_.size()) {
        return Error(start,
                     quote == '`' ? "unterminated raw string" : "unterminated quoted string");
      }
      const char c = in_[pos_++];
      if (c == quote) break;
      if (quote == '`') continue;
      if (c == '\n') return Error(start, "unterminated quoted string");
      if (c == '\\') MM_RETURN_IF_ERROR(CheckEscape(start, quote));
    }
    Token t;
    t.type = TokenType::kString;
    t.pos = static_cast<uint32_t>(start);
    t.raw = in_.substr(start, pos_ - start);
    auto unq = UnquoteString(t.raw);
    if (!unq) return Error(start, "invalid escape sequence in string " + std::string(t.raw));
    t.text = std::move(*unq);
    out.push_back(std::move(t));
    last_type_ = TokenType::kString;
    return Status::Ok();
  }

  // After a backslash in a quoted string (Prometheus' lexEscape).
  Status CheckEscape(size_t start, char quote) {
    if (pos_ >= in_.size()) return Error(start, "escape sequence not terminated");
    char ch = in_[pos_++];
    int n = 0;
    uint32_t base = 0, max = 0;
    switch (ch) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
        return Status::Ok();
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        n = 3, base = 8, max = 255;
        break;
      case 'x':
        n = 2, base = 16, max = 255;
        break;
      case 'u':
        n = 4, base = 16, max = 0x10FFFF;
        break;
      case 'U':
        n = 8, base = 16, max = 0x10FFFF;
        break;
      default: {
        if (ch == quote) return Status::Ok();
        char buf[64];
        snprintf(buf, sizeof(buf), "unknown escape sequence U+%04X '%c'",
                 static_cast<unsigned char>(ch), ch);
        return Error(start, buf);
      }
    }
    if (base == 16) {
      if (pos_ >= in_.size()) return Error(start, "escape sequence not terminated");
      ch = in_[pos_++];
    }
    uint32_t x = 0;
    while (n > 0) {
      const int d = HexValue(ch);
      if (d < 0 || static_cast<uint32_t>(d) >= base) {
        char buf[64];
        snprintf(buf, sizeof(buf), "illegal character U+%04X '%c' in escape sequence",
                 static_cast<unsigned char>(ch), ch);
        return Error(start, buf);
      }
      x = x * base + static_cast<uint32_t>(d);
      if (--n > 0) {
        if (pos_ >= in_.size()) return Error(start, "escape sequence not terminated");
        ch = in_[pos_++];
      }
    }
    if (x > max || (base == 16 && x >= 0xD800 && x < 0xE000)) {
      return Error(start, "escape sequence is an invalid Unicode code point");
    }
    return Status::Ok();
  }

  bool Accept(std::string_view chars) {
    if (pos_ < in_.size() && chars.find(in_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  void AcceptRun(std::string_view chars) {
    while (Accept(chars)) {
    }
  }
  // Prometheus' scanNumber: digits (hex after 0x), '.', exponent; true if what follows is not
  // alphanumeric.
  bool ScanNumber() {
    std::string_view digits = "0123456789";
    if (Accept("0") && Accept("xX")) digits = "0123456789abcdefABCDEF";
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789");
    }
    return pos_ >= in_.size() || !IsAlphaNumeric(in_[pos_]);
  }
  // Prometheus' acceptRemainingDuration: unit, then (digits unit)*, then a non-alphanumeric,
  // which is left unread (an alphanumeric one is consumed, as its error message shows it).
  bool AcceptRemainingDuration() {
    if (!Accept("smhdwy")) return false;
    Accept("s");
    while (Accept("0123456789")) {
      AcceptRun("0123456789");
      if (!Accept("smhdw")) return false;
      Accept("s");
    }
    if (pos_ < in_.size() && IsAlphaNumeric(in_[pos_])) {
      ++pos_;
      return false;
    }
    return true;
  }

  Status EmitDuration(std::vector<Token>& out, size_t start) {
    Token t;
    t.type = TokenType::kDuration;
    t.pos = static_cast<uint32_t>(start);
    t.raw = in_.substr(start, pos_ - start);
    t.text = std::string(t.raw);
    auto d = ParseDurationMs(t.raw);
    if (!d) return Error(start, "not a valid duration string: \"" + t.text + "\"");
    if (*d == 0) return Error(start, "duration must be greater than 0");
    t.duration_ms = *d;
    out.push_back(std::move(t));
    last_type_ = TokenType::kDuration;
    return Status::Ok();
  }

  // Right after '[': a duration is required.
  Status LexDuration(std::vector<Token>& out) {
    while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_;
    const size_t start = pos_;
    if (ScanNumber()) return Error(start, "missing unit character in duration");
    if (!AcceptRemainingDuration()) {
      return Error(start,
                   "bad duration syntax: \"" + std::string(in_.substr(start, pos_ - start)) + "\"");
    }
    return EmitDuration(out, start);
  }

  Status LexNumberOrDuration(std::vector<Token>& out) {
    const size_t start = pos_;
    if (ScanNumber()) {
      Token t;
      t.type = TokenType::kNumber;
      t.pos = static_cast<uint32_t>(start);
      t.raw = in_.substr(start, pos_ - start);
      t.text = std::string(t.raw);
      auto v = ParseNumberLiteral(t.raw);
      if (!v) {
        return Error(start, "error parsing number: strconv.ParseFloat: parsing \"" + t.text +
                                "\": invalid syntax");
      }
      t.number = *v;
      out.push_back(std::move(t));
      last_type_ = TokenType::kNumber;
      return Status::Ok();
    }
    if (AcceptRemainingDuration()) return EmitDuration(out, start);
    return Error(start, "bad number or duration syntax: \"" +
                            std::string(in_.substr(start, pos_ - start)) + "\"");
  }

  Status LexIdentifier(std::vector<Token>& out) {
    const size_t start = pos_;
    bool colon = false;
    while (pos_ < in_.size() && (IsAlphaNumeric(in_[pos_]) || in_[pos_] == ':')) {
      colon |= in_[pos_] == ':';
      ++pos_;
    }
    std::string_view word = in_.substr(start, pos_ - start);
    std::string lower = ToLower(word);
    if (lower == "inf" || lower == "nan") {
      Token t;
      t.type = TokenType::kNumber;
      t.pos = static_cast<uint32_t>(start);
      t.raw = word;
      t.text = std::string(word);
      t.number = lower == "inf" ? std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::quiet_NaN();
      out.push_back(std::move(t));
      last_type_ = TokenType::kNumber;
      return Status::Ok();
    }
    auto it = Keywords().find(lower);
    if (it != Keywords().end()) {
      Emit(out, it->second, start, pos_);
    } else {
      Emit(out, colon ? TokenType::kMetricIdentifier : TokenType::kIdentifier, start, pos_);
    }
    return Status::Ok();
  }

  std::string_view in_;
  size_t pos_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  TokenType last_type_ = TokenType::kEof;
};

}  // namespace

bool IsAggregator(TokenType t) { return t >= TokenType::kSum && t <= TokenType::kQuantile; }

bool IsKeyword(TokenType t) { return (t >= TokenType::kAnd && t <= TokenType::kEnd); }

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case TokenType::kEof:
      return "end of input";
    case TokenType::kIdentifier:
      return "identifier \"" + std::string(t.raw) + "\"";
    case TokenType::kMetricIdentifier:
      return "metric identifier \"" + std::string(t.raw) + "\"";
    case TokenType::kNumber:
      return "number \"" + std::string(t.raw) + "\"";
    case TokenType::kDuration:
      return "duration \"" + std::string(t.raw) + "\"";
    case TokenType::kString: {
      // Go's %q (or %.10q... for long values) of the token's text, quotes included.
      std::string v(t.raw);
      const bool long_value = v.size() > 10;
      if (long_value) v = v.substr(0, 10);
      std::string q = "\"";
      for (char c : v) {
        if (c == '"' || c == '\\') q += '\\';
        if (c == '\n') {
          q += "\\n";
          continue;
        }
        q += c;
      }
      q += "\"";
      return "string " + q + (long_value ? "..." : "");
    }
    case TokenType::kLeftParen:
    case TokenType::kRightParen:
    case TokenType::kLeftBrace:
    case TokenType::kRightBrace:
    case TokenType::kLeftBracket:
    case TokenType::kRightBracket:
    case TokenType::kComma:
    case TokenType::kColon:
    case TokenType::kAt:
    case TokenType::kAssign:
      return "\"" + std::string(t.raw) + "\"";
    case TokenType::kAdd:
    case TokenType::kSub:
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kMod:
    case TokenType::kPow:
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLss:
    case TokenType::kGtr:
    case TokenType::kLte:
    case TokenType::kGte:
    case TokenType::kEqlRegex:
    case TokenType::kNeqRegex:
    case TokenType::kAnd:
    case TokenType::kOr:
    case TokenType::kUnless:
    case TokenType::kAtan2:
      return "<op:" + std::string(t.raw) + ">";
    default:
      break;
  }
  if (IsAggregator(t.type)) return "<aggr:" + std::string(t.raw) + ">";
  return "<" + std::string(t.raw) + ">";
}

std::string FormatParseError(std::string_view input, uint32_t pos, std::string_view message) {
  int line = 1;
  int64_t last_break = -1;
  if (pos > input.size()) pos = static_cast<uint32_t>(input.size());
  for (uint32_t i = 0; i < pos; ++i) {
    if (input[i] == '\n') {
      ++line;
      last_break = i;
    }
  }
  const int64_t col = static_cast<int64_t>(pos) - last_break;
  return std::to_string(line) + ":" + std::to_string(col) +
         ": parse error: " + std::string(message);
}

Result<std::vector<Token>> Lex(std::string_view input) { return Lexer(input).Run(); }

std::optional<int64_t> ParseDurationMs(std::string_view s) {
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  // Units in the only order allowed, with their length in ms.
  static constexpr struct {
    std::string_view unit;
    int64_t ms;
  } kUnits[] = {{"y", 365LL * 24 * 3600 * 1000},
                {"w", 7LL * 24 * 3600 * 1000},
                {"d", 24LL * 3600 * 1000},
                {"h", 3600LL * 1000},
                {"m", 60LL * 1000},
                {"s", 1000},
                {"ms", 1}};
  size_t i = 0;
  int next_unit = 0;
  int64_t total = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (j == i || j == s.size()) return std::nullopt;
    std::string_view digits = s.substr(i, j - i);
    std::string_view unit;
    if (s.substr(j, 2) == "ms") {
      unit = "ms";
    } else {
      unit = s.substr(j, 1);
    }
    int idx = -1;
    for (int k = next_unit; k < 7; ++k) {
      if (kUnits[k].unit == unit) {
        idx = k;
        break;
      }
    }
    if (idx < 0) return std::nullopt;
    int64_t n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
    if (n > std::numeric_limits<int64_t>::max() / kUnits[idx].ms) return std::nullopt;
    int64_t add = n * kUnits[idx].ms;
    if (total > std::numeric_limits<int64_t>::max() - add) return std::nullopt;
    total += add;
    next_unit = idx + 1;
    i = j + unit.size();
  }
  return total;
}

std::optional<double> ParseGoFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  std::string lower = ToLower(body);
  if (lower == "inf" || lower == "infinity") {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (lower == "nan") {
    if (s[0] == '+' || s[0] == '-') return std::nullopt;  // Go: no sign on NaN
    return std::numeric_limits<double>::quiet_NaN();
  }
  // Validate: digits [. digits] [e [+-] digits], at least one mantissa digit.
  size_t i = 0, mant = 0;
  while (i < body.size() && IsDigit(body[i])) ++i, ++mant;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && IsDigit(body[i])) ++i, ++mant;
  }
  if (mant == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t e = i;
    while (i < body.size() && IsDigit(body[i])) ++i;
    if (e == i) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Underflow rounds to zero as in Go; overflow is an error.
    std::string tmp(body);
    v = std::strtod(tmp.c_str(), nullptr);
    if (std::isinf(v)) return std::nullopt;
  } else if (ec != std::errc() || p != body.data() + body.size()) {
    return std::nullopt;
  }
  return neg ? -v : v;
}

std::optional<double> ParseNumberLiteral(std::string_view s) {
  // Go strconv.ParseInt(s, 0, 64): 0x hex, leading-0 octal, else decimal.
  auto parse_int = [](std::string_view d, int base) -> std::optional<double> {
    if (d.empty()) return std::nullopt;
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), n, base);
    if (ec != std::errc() || p != d.data() + d.size()) return std::nullopt;
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<double>(static_cast<int64_t>(n));
  };
  std::optional<double> v;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    v = parse_int(s.substr(2), 16);
  } else if (s.size() > 1 && s[0] == '0') {
    v = parse_int(s.substr(1), 8);
  } else {
    v = parse_int(s, 10);
  }
  if (v) return v;
  return ParseGoFloat(s);
}

std::optional<std::string> UnquoteString(std::string_view q) {
  if (q.size() < 2) return std::nullopt;
  const char quote = q.front();
  if (q.back() != quote) return std::nullopt;
  std::string_view body = q.substr(1, q.size() - 2);
  std::string out;
  out.reserve(body.size());
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return std::nullopt;
    out.assign(body);
    return out;
  }
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == quote || c == '\n') return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return std::nullopt;
    c = body[i];
    switch (c) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '\'':
      case '"':
        if (c != quote) return std::nullopt;
        out += c;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (i + n >= body.size()) return std::nullopt;
        uint32_t v = 0;
        for (size_t k = 1; k <= n; ++k) {
          int h = HexValue(body[i + k]);
          if (h < 0) return std::nullopt;
          v = v * 16 + static_cast<uint32_t>(h);
        }
        i += n;
        if (c == 'x') {
          out += static_cast<char>(v);
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return std::nullopt;
          AppendUtf8(out, v);
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        if (i + 2 >= body.size()) return std::nullopt;
        uint32_t v = 0;
        for (size_t k = 0; k < 3; ++k) {
          char d = body[i + k];
          if (d < '0' || d > '7') return std::nullopt;
          v = v * 8 + static_cast<uint32_t>(d - '0');
        }
        if (v > 255) return std::nullopt;
        i += 2;
        out += static_cast<char>(v);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace mm::query
