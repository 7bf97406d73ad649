// Small allocation-free tokenizers for /proc and /sys text files (internal to mm_sources).
// Views only: everything points into the caller's buffer. Value types, not synchronized.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mm::proc {

// Yields the lines of `text` (without '\n'), counting them from 1 for error messages.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}
  std::optional<std::string_view> Next();
  int line_number() const { return line_; }

 private:
  std::string_view rest_;
  int line_ = 0;
};

// Whitespace-separated tokens of one line.
class Tokens {
 public:
  explicit Tokens(std::string_view line) : rest_(line) {}
  // The next token, or "" at the end.
  std::string_view Next();
  // What is left, leading whitespace removed.
  std::string_view Rest();

 private:
  std::string_view rest_;
};

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
std::string_view Trim(std::string_view s);

// Whole-token parsers; false if `s` is empty, has trailing junk or overflows.
inline bool ParseU64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
inline bool ParseI64(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
inline bool ParseDouble(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "FILE:LINE: WHAT" as a kCorruption Status (the file is not in the format the kernel documents).
Status ParseError(std::string_view file, int line, std::string_view what, std::string_view got);

// Decodes the octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) that
// /proc/self/mounts uses in device and mount-point fields, into `out` (reused).
void UnescapeMountField(std::string_view in, std::string& out);

}  // namespace mm::proc
