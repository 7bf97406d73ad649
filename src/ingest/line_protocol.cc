#include "ingest/line_protocol.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "core/check.h"

namespace mm::ingest {
namespace {

// Byte classes: which bytes end a token in each part of a line. One table lookup per byte keeps
// the scan loops tight; the escape character is a "stop" so the loop can handle it out of line.
enum : uint8_t {
  kMeasurementStop = 1 << 0,  // , space \n backslash
  kKeyStop = 1 << 1,          // , = space \n backslash (tag keys and field keys)
  kTagValueStop = 1 << 2,     // , = space \n backslash
  kFieldValueStop = 1 << 3,   // , space \t \r \n
  kStringStop = 1 << 4,       // " backslash \n
  kBlank = 1 << 5,            // space \t \r (between sections and at the end of a line)
};

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (unsigned char c : {',', ' ', '\n', '\\'}) t[c] |= kMeasurementStop;
  for (unsigned char c : {',', '=', ' ', '\n', '\\'}) t[c] |= kKeyStop | kTagValueStop;
  for (unsigned char c : {',', ' ', '\t', '\r', '\n'}) t[c] |= kFieldValueStop;
  for (unsigned char c : {'"', '\\', '\n'}) t[c] |= kStringStop;
  for (unsigned char c : {' ', '\t', '\r'}) t[c] |= kBlank;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClasses();

inline bool Is(char c, uint8_t cls) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }

// Characters a backslash escapes in each part (a backslash before anything else is literal).
inline bool MeasurementEscapable(char c) { return c == ',' || c == ' ' || c == '\\'; }
inline bool KeyEscapable(char c) { return c == ',' || c == '=' || c == ' ' || c == '\\'; }
inline bool StringEscapable(char c) { return c == '"' || c == '\\'; }

// A token quoted for an error message: at most 64 bytes, control bytes shown as escapes.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  size_t n = std::min(s.size(), kMax);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  out += '"';
  return out;
}

// A cheap fingerprint of a field key so duplicate detection rarely needs a memcmp.
inline uint64_t KeyFingerprint(std::string_view k) {
  uint64_t fp = k.size();
  if (k.size() >= 8) {
    uint64_t a, b;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, k.data() + k.size() - 8, 8);
    return fp ^ (a * 0x9E3779B97F4A7C15ull) ^ (b + (b >> 29));
  }
  for (char c : k) fp = (fp << 8) | static_cast<unsigned char>(c);
  return fp;
}

bool IsBool(std::string_view v, bool* out) {
  switch (v.size()) {
    case 1:
      if (v[0] == 't' || v[0] == 'T') return *out = true, true;
      if (v[0] == 'f' || v[0] == 'F') return *out = false, true;
      return false;
    case 4:
      if (v == "true" || v == "True" || v == "TRUE") return *out = true, true;
      return false;
    case 5:
      if (v == "false" || v == "False" || v == "FALSE") return *out = false, true;
      return false;
    default:
      return false;
  }
}

std::string_view PrecisionName(Precision p) {
  switch (p) {
    case Precision::kNanoseconds: return "ns";
    case Precision::kMicroseconds: return "us";
    case Precision::kMilliseconds: return "ms";
    case Precision::kSeconds: return "s";
    case Precision::kMinutes: return "m";
    case Precision::kHours: return "h";
  }
  return "?";
}

// One parse of one body. Scratch vectors live here and are reused for every line, so a line
// costs no allocation beyond the batch's own amortized growth.
class Parser {
 public:
  Parser(const std::string& body, Precision precision, int64_t now_ns, ParseResult* out)
      : p_(body.data()),
        end_(body.data() + body.size()),
        multiplier_(PrecisionMultiplier(precision)),
        precision_(precision),
        now_ns_(now_ns),
        out_(out) {}

  void Run() {
    while (p_ < end_) {
      // Leading blanks, then a blank line, a comment, or a point.
      const char* q = p_;
      while (q < end_ && Is(*q, kBlank)) ++q;
      if (q == end_) break;
      if (*q == '\n') {
        p_ = q + 1;
        ++line_;
        continue;
      }
      if (*q == '#') {
        SkipPastNewline(q);
        continue;
      }
      const size_t start_line = line_;
      const char* start = q;
      p_ = q;
      restart_from_line_start_ = false;
      if (ParsePoint()) {
        ++out_->lines_ok;
        SkipPastNewline(p_);
      } else {
        ++out_->lines_failed;
        if (out_->errors.size() < kMaxReportedErrors) {
          out_->errors.push_back({start_line, std::move(error_)});
        }
        error_.clear();
        if (restart_from_line_start_) {
          // An unterminated string ran to the end of the body: resume on the next physical
          // line rather than losing everything after the bad line.
          line_ = start_line;
          SkipPastNewline(start);
        } else {
          SkipPastNewline(p_);
        }
      }
    }
  }

 private:
  // Moves past the next '\n' at or after `from` (or to the end), counting the line.
  void SkipPastNewline(const char* from) {
    const void* nl = std::memchr(from, '\n', static_cast<size_t>(end_ - from));
    if (nl == nullptr) {
      p_ = end_;
    } else {
      p_ = static_cast<const char*>(nl) + 1;
    }
    ++line_;
  }

  bool Fail(std::string reason) {
    error_ = std::move(reason);
    return false;
  }

  bool AtLineEnd() const { return p_ == end_ || *p_ == '\n'; }

  // Skips blanks; true if the line ends there.
  bool SkipBlanksToLineEnd() {
    while (p_ < end_ && Is(*p_, kBlank)) ++p_;
    return AtLineEnd();
  }

  std::string_view Unescaped(const char* b, const char* e, bool (*escapable)(char)) {
    scratch_.clear();
    for (const char* c = b; c < e; ++c) {
      if (*c == '\\' && c + 1 < e && escapable(c[1])) ++c;
      scratch_.push_back(*c);
    }
    return out_->batch.Intern(scratch_);
  }

  // Scans a name up to the first unescaped byte of class `stop`; escapes are resolved into the
  // batch arena only when present.
  std::string_view ScanName(uint8_t stop, bool (*escapable)(char)) {
    const char* b = p_;
    bool escaped = false;
    while (p_ < end_) {
      char c = *p_;
      if (!Is(c, stop)) {
        ++p_;
        continue;
      }
      if (c != '\\') break;
      if (p_ + 1 < end_ && escapable(p_[1])) {
        escaped = true;
        p_ += 2;
      } else {
        ++p_;
      }
    }
    if (!escaped) return {b, static_cast<size_t>(p_ - b)};
    return Unescaped(b, p_, escapable);
  }

  bool ParsePoint() {
    tags_.clear();
    fields_.clear();
    fingerprints_.clear();

    std::string_view measurement = ScanName(kMeasurementStop, MeasurementEscapable);
    if (measurement.empty()) return Fail("missing measurement");
    if (AtLineEnd()) return Fail("missing fields");

    while (*p_ == ',') {
      ++p_;
      if (!ParseTag()) return false;
      if (AtLineEnd()) return Fail("missing fields");
    }
    // Only a space can be left: every other stop byte was handled above.
    MM_DCHECK(*p_ == ' ', "measurement and tags end at a space");
    if (SkipBlanksToLineEnd()) return Fail("missing fields");

    for (;;) {
      if (!ParseField()) return false;
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      break;
    }

    int64_t ts = now_ns_;
    if (!SkipBlanksToLineEnd()) {
      if (!ParseTimestamp(&ts)) return false;
      if (!SkipBlanksToLineEnd()) {
        const char* b = p_;
        while (p_ < end_ && *p_ != '\n') ++p_;
        return Fail("unexpected text after timestamp: " +
                    Quote({b, static_cast<size_t>(p_ - b)}));
      }
    }

    SortTags();
    out_->batch.Add(measurement, tags_, fields_, ts);
    return true;
  }

  bool ParseTag() {
    std::string_view key = ScanName(kKeyStop, KeyEscapable);
    if (key.empty()) return Fail("missing tag key");
    if (p_ == end_ || *p_ != '=') return Fail("missing '=' after tag key " + Quote(key));
    ++p_;
    std::string_view value = ScanName(kTagValueStop, KeyEscapable);
    if (p_ < end_ && *p_ == '=') {
      return Fail("invalid value for tag " + Quote(key) + ": '=' must be escaped as '\\='");
    }
    if (value.empty()) return Fail("missing value for tag " + Quote(key));
    tags_.push_back({key, value});
    return true;
  }

  bool ParseField() {
    std::string_view key = ScanName(kKeyStop, KeyEscapable);
    if (key.empty()) return Fail("missing field key");
    if (p_ == end_ || *p_ != '=') return Fail("missing '=' after field key " + Quote(key));
    ++p_;
    FieldRef f;
    f.key = key;
    if (p_ < end_ && *p_ == '"') {
      if (!ParseString(&f)) return false;
    } else {
      const char* b = p_;
      while (p_ < end_ && !Is(*p_, kFieldValueStop)) ++p_;
      if (p_ == b) return Fail("missing value for field " + Quote(key));
      if (!ParseScalar({b, static_cast<size_t>(p_ - b)}, &f)) return false;
    }
    AddField(f);
    return true;
  }

  // Appends `f`, or replaces an earlier field with the same key (the last value wins).
  void AddField(const FieldRef& f) {
    uint64_t fp = KeyFingerprint(f.key);
    for (size_t i = 0; i < fingerprints_.size(); ++i) {
      if (fingerprints_[i] == fp && fields_[i].key == f.key) {
        fields_[i] = f;
        return;
      }
    }
    fingerprints_.push_back(fp);
    fields_.push_back(f);
  }

  bool ParseString(FieldRef* f) {
    ++p_;  // opening quote
    const char* b = p_;
    bool escaped = false;
    size_t newlines = 0;
    while (p_ < end_) {
      char c = *p_;
      if (!Is(c, kStringStop)) {
        ++p_;
        continue;
      }
      if (c == '"') break;
      if (c == '\n') {
        ++newlines;
        ++p_;
      } else if (p_ + 1 < end_ && StringEscapable(p_[1])) {
        escaped = true;
        p_ += 2;
      } else {
        ++p_;
      }
    }
    if (p_ == end_) {
      restart_from_line_start_ = true;
      return Fail("unterminated string value for field " + Quote(f->key));
    }
    const char* e = p_;
    ++p_;  // closing quote
    line_ += newlines;
    f->type = FieldType::kString;
    f->s = escaped ? Unescaped(b, e, StringEscapable) : std::string_view(b, e - b);
    if (f->s.size() > kMaxStringBytes) {
      return Fail("string value for field " + Quote(f->key) + " is " +
                  std::to_string(f->s.size()) + " bytes, longer than the limit of " +
                  std::to_string(kMaxStringBytes));
    }
    if (p_ < end_ && *p_ != ',' && !Is(*p_, kFieldValueStop)) {
      return Fail("invalid string value for field " + Quote(f->key) +
                  ": unexpected text after the closing quote");
    }
    return true;
  }

  bool InvalidValue(std::string_view v, std::string_view key) {
    return Fail("invalid field value " + Quote(v) + " for field " + Quote(key) +
                ": expected a number, bool or quoted string");
  }

  bool ParseScalar(std::string_view v, FieldRef* f) {
    const char* b = v.data();
    const char* e = b + v.size();
    char first = v.front();
    char last = v.back();
    bool numeric = (first >= '0' && first <= '9') || first == '-' || first == '.';
    if (numeric && (last == 'i' || last == 'u')) {
      std::from_chars_result r;
      if (last == 'i') {
        f->type = FieldType::kInt;
        r = std::from_chars(b, e - 1, f->i);
      } else {
        f->type = FieldType::kUint;
        r = std::from_chars(b, e - 1, f->u);
      }
      std::string_view kind = last == 'i' ? "integer" : "unsigned integer";
      if (r.ec == std::errc::result_out_of_range && r.ptr == e - 1) {
        return Fail(std::string(kind) + " value " + Quote(v) + " for field " + Quote(f->key) +
                    " is out of range");
      }
      if (r.ec != std::errc() || r.ptr != e - 1) {
        return Fail("invalid " + std::string(kind) + " value " + Quote(v) + " for field " +
                    Quote(f->key));
      }
      return true;
    }
    if (!numeric) {
      if (IsBool(v, &f->b)) {
        f->type = FieldType::kBool;
        return true;
      }
      // Name the reason when a client sent a non-finite float ("inf", "NaN", "Infinity").
      double d;
      auto r = std::from_chars(b, e, d);
      if (r.ec == std::errc() && r.ptr == e && !std::isfinite(d)) {
        return Fail("invalid field value " + Quote(v) + " for field " + Quote(f->key) +
                    ": NaN and infinity are not supported");
      }
      return InvalidValue(v, f->key);
    }
    f->type = FieldType::kFloat;
    auto r = std::from_chars(b, e, f->f);
    if (r.ptr != e) return InvalidValue(v, f->key);
    if (r.ec == std::errc::result_out_of_range) return ParseFloatOutOfRange(v, f);
    if (r.ec != std::errc()) return InvalidValue(v, f->key);
    if (!std::isfinite(f->f)) {
      return Fail("invalid field value " + Quote(v) + " for field " + Quote(f->key) +
                  ": NaN and infinity are not supported");
    }
    return true;
  }

  // from_chars reports both overflow and underflow as out of range. Like InfluxDB (Go's
  // ParseFloat), a value too small to represent becomes 0 or a subnormal; too large fails.
  bool ParseFloatOutOfRange(std::string_view v, FieldRef* f) {
    scratch_.assign(v);
    errno = 0;
    double d = std::strtod(scratch_.c_str(), nullptr);
    if (std::isinf(d)) {
      return Fail("float value " + Quote(v) + " for field " + Quote(f->key) + " is out of range");
    }
    f->f = d;
    return true;
  }

  bool ParseTimestamp(int64_t* ts) {
    const char* b = p_;
    while (p_ < end_ && !Is(*p_, kFieldValueStop)) ++p_;
    std::string_view v(b, static_cast<size_t>(p_ - b));
    int64_t t;
    auto r = std::from_chars(p_ - v.size(), p_, t);
    if (r.ec == std::errc::result_out_of_range && r.ptr == p_) {
      return Fail("invalid timestamp " + Quote(v) + ": out of range");
    }
    if (r.ec != std::errc() || r.ptr != p_) return Fail("invalid timestamp " + Quote(v));
    if (__builtin_mul_overflow(t, multiplier_, ts)) {
      return Fail("timestamp " + Quote(v) + " with precision " +
                  std::string(PrecisionName(precision_)) +
                  " is out of range when converted to nanoseconds");
    }
    return true;
  }

  // Stable insertion sort by key: tag sets are short, and PointBatch::Add then finds them sorted
  // and skips its own (allocating) stable sort.
  void SortTags() {
    for (size_t i = 1; i < tags_.size(); ++i) {
      if (!(tags_[i].key < tags_[i - 1].key)) continue;
      TagRef t = tags_[i];
      size_t j = i;
      while (j > 0 && t.key < tags_[j - 1].key) {
        tags_[j] = tags_[j - 1];
        --j;
      }
      tags_[j] = t;
    }
  }

  const char* p_;
  const char* end_;
  const int64_t multiplier_;
  const Precision precision_;
  const int64_t now_ns_;
  ParseResult* out_;
  size_t line_ = 1;
  bool restart_from_line_start_ = false;
  std::string error_;
  std::string scratch_;
  std::vector<TagRef> tags_;
  std::vector<FieldRef> fields_;
  std::vector<uint64_t> fingerprints_;
};

}  // namespace

Result<Precision> ParsePrecision(std::string_view s) {
  if (s.empty() || s == "ns" || s == "n") return Precision::kNanoseconds;
  if (s == "us" || s == "u" || s == "\xC2\xB5") return Precision::kMicroseconds;
  if (s == "ms") return Precision::kMilliseconds;
  if (s == "s") return Precision::kSeconds;
  if (s == "m") return Precision::kMinutes;
  if (s == "h") return Precision::kHours;
  return Status::InvalidArgument("invalid precision " + Quote(s) +
                                 ": expected one of ns, n, us, u, \xC2\xB5, ms, s, m, h");
}

int64_t PrecisionMultiplier(Precision p) {
  switch (p) {
    case Precision::kNanoseconds: return 1;
    case Precision::kMicroseconds: return 1'000;
    case Precision::kMilliseconds: return 1'000'000;
    case Precision::kSeconds: return 1'000'000'000;
    case Precision::kMinutes: return 60'000'000'000;
    case Precision::kHours: return 3'600'000'000'000;
  }
  return 1;
}

std::string ToString(const LineError& e) {
  return "line " + std::to_string(e.line) + ": " + e.reason;
}

ParseResult ParseLineProtocol(std::shared_ptr<const std::string> body, Precision precision,
                              int64_t now_ns) {
  MM_CHECK(body != nullptr, "ParseLineProtocol needs a body");
  ParseResult result;
  Parser parser(*body, precision, now_ns, &result);
  parser.Run();
  if (!result.batch.empty()) result.batch.KeepAlive(std::move(body));
  return result;
}

}  // namespace mm::ingest
