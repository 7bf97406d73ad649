#include "ingest/line_protocol.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <system_error>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/check.h"

namespace mm::ingest {
namespace {

// Byte classes for the few single-byte checks that are not token scans (see FindAny).
enum : uint8_t {
  kFieldValueStop = 1 << 0,  // , space \t \r \n: what may follow a field value
  kBlank = 1 << 1,           // space \t \r: between sections and at the end of a line
};

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (unsigned char c : {',', ' ', '\t', '\r', '\n'}) t[c] |= kFieldValueStop;
  for (unsigned char c : {' ', '\t', '\r'}) t[c] |= kBlank;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClasses();

inline bool Is(char c, uint8_t cls) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }

// The first byte in [p, end) equal to one of `Cs` (or `end`). 16 bytes per step with SSE2
// (baseline on x86-64): most names and values fit in one step. -DMM_NO_SIMD selects the
// byte loop alone (for comparison).
template <char... Cs>
inline const char* FindAny(const char* p, const char* end) {
#if defined(__SSE2__) && !defined(MM_NO_SIMD)
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hit = _mm_setzero_si128();
    ((hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(Cs)))), ...);
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && !((*p == Cs) || ...)) ++p;
  return p;
}

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

// Exact fast path for the common `-?digits[.digits]` float: with at most 15 significant digits
// the mantissa and 10^k (k <= 15) are exact doubles, so one IEEE division is correctly rounded
// (Clinger's fast path). Everything else goes to std::from_chars.
bool FastFloat(const char* b, const char* e, double* out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const bool neg = *b == '-';
  const char* c = b + neg;
  uint64_t m = 0;
  int digits = 0, frac = -1;
  for (; c < e; ++c) {
    if (*c >= '0' && *c <= '9') {
      m = m * 10 + static_cast<unsigned>(*c - '0');
      ++digits;
    } else if (*c == '.' && frac < 0) {
      frac = 0;
      continue;
    } else {
      return false;
    }
    if (frac >= 0) ++frac;
  }
  if (digits == 0 || digits > 15) return false;
  double d = static_cast<double>(m);
  if (frac > 0) d /= kPow10[frac];
  *out = neg ? -d : d;
  return true;
}

// Tag key order with an 8-byte big-endian prefix compare first: most keys differ early, and a
// memcmp call per comparison was a visible share of the profile.
inline uint64_t Prefix8(std::string_view s) {
  uint64_t v = 0;
  std::memcpy(&v, s.data(), std::min<size_t>(s.size(), 8));
  return __builtin_bswap64(v);
}
inline bool KeyLess(std::string_view a, uint64_t pa, std::string_view b, uint64_t pb) {
  if (pa != pb) return pa < pb;
  return a < b;
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
    case Precision::kNanoseconds:
      return "ns";
    case Precision::kMicroseconds:
      return "us";
    case Precision::kMilliseconds:
      return "ms";
    case Precision::kSeconds:
      return "s";
    case Precision::kMinutes:
      return "m";
    case Precision::kHours:
      return "h";
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
        if (out_->lines_ok++ == 0) ReserveFromFirstPoint(start);
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

  // Sizes the batch from the first point, assuming the rest of the body has lines like it: one
  // allocation per vector instead of regrowth (which dominated the profile: copies and page
  // faults of fresh memory). Proportional to the body's bytes, so never wildly over.
  void ReserveFromFirstPoint(const char* start) {
    const size_t line_bytes = static_cast<size_t>(p_ - start) + 1;
    const size_t rest = static_cast<size_t>(end_ - start);
    if (rest < 4 * line_bytes) return;
    const size_t points = rest / line_bytes + rest / line_bytes / 8 + 1;
    out_->batch.Reserve(points, points * tags_.size(), points * fields_.size());
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

  // Scans a name up to the first unescaped byte of `Stops` (which include the backslash);
  // escapes are resolved into the batch arena only when present.
  template <char... Stops>
  std::string_view ScanName(bool (*escapable)(char)) {
    const char* b = p_;
    bool escaped = false;
    for (;;) {
      p_ = FindAny<Stops...>(p_, end_);
      if (p_ == end_ || *p_ != '\\') break;
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

  std::string_view ScanMeasurement() {
    return ScanName<',', ' ', '\n', '\\'>(MeasurementEscapable);
  }
  // Tag keys, tag values and field keys.
  std::string_view ScanKey() { return ScanName<',', '=', ' ', '\n', '\\'>(KeyEscapable); }
  const char* FindValueEnd(const char* p) const {
    return FindAny<',', ' ', '\t', '\r', '\n'>(p, end_);
  }

  bool ParsePoint() {
    tags_.clear();
    fields_.clear();
    fingerprints_.clear();

    std::string_view measurement = ScanMeasurement();
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
        return Fail("unexpected text after timestamp: " + Quote({b, static_cast<size_t>(p_ - b)}));
      }
    }

    SortTags();
    out_->batch.Add(measurement, tags_, fields_, ts);
    return true;
  }

  bool ParseTag() {
    std::string_view key = ScanKey();
    if (key.empty()) return Fail("missing tag key");
    if (p_ == end_ || *p_ != '=') return Fail("missing '=' after tag key " + Quote(key));
    ++p_;
    std::string_view value = ScanKey();
    if (p_ < end_ && *p_ == '=') {
      return Fail("invalid value for tag " + Quote(key) + ": '=' must be escaped as '\\='");
    }
    if (value.empty()) return Fail("missing value for tag " + Quote(key));
    tags_.push_back({key, value});
    return true;
  }

  bool ParseField() {
    std::string_view key = ScanKey();
    if (key.empty()) return Fail("missing field key");
    if (p_ == end_ || *p_ != '=') return Fail("missing '=' after field key " + Quote(key));
    ++p_;
    FieldRef f;
    f.key = key;
    if (p_ < end_ && *p_ == '"') {
      if (!ParseString(&f)) return false;
    } else {
      const char* b = p_;
      p_ = FindValueEnd(p_);
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
    for (;;) {
      p_ = FindAny<'"', '\\', '\n'>(p_, end_);
      if (p_ == end_) break;
      char c = *p_;
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
      return Fail("string value for field " + Quote(f->key) + " is " + std::to_string(f->s.size()) +
                  " bytes, longer than the limit of " + std::to_string(kMaxStringBytes));
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
    if (FastFloat(b, e, &f->f)) return true;
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
    p_ = FindValueEnd(p_);
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
    const size_t n = tags_.size();
    if (n < 2) return;
    prefixes_.resize(n);
    for (size_t i = 0; i < n; ++i) prefixes_[i] = Prefix8(tags_[i].key);
    for (size_t i = 1; i < n; ++i) {
      if (!KeyLess(tags_[i].key, prefixes_[i], tags_[i - 1].key, prefixes_[i - 1])) continue;
      TagRef t = tags_[i];
      uint64_t pt = prefixes_[i];
      size_t j = i;
      while (j > 0 && KeyLess(t.key, pt, tags_[j - 1].key, prefixes_[j - 1])) {
        tags_[j] = tags_[j - 1];
        prefixes_[j] = prefixes_[j - 1];
        --j;
      }
      tags_[j] = t;
      prefixes_[j] = pt;
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
  std::vector<uint64_t> prefixes_;
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
    case Precision::kNanoseconds:
      return 1;
    case Precision::kMicroseconds:
      return 1'000;
    case Precision::kMilliseconds:
      return 1'000'000;
    case Precision::kSeconds:
      return 1'000'000'000;
    case Precision::kMinutes:
      return 60'000'000'000;
    case Precision::kHours:
      return 3'600'000'000'000;
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
