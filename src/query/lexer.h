// PromQL lexer: turns an expression into tokens (identifiers, keywords, numbers, durations,
// strings, operators) with their byte positions, as Prometheus' lexer does. Strings are
// unquoted here (Go escapes in "..." and '...', none in `...`).
// Value types; a Lexer works on one string it does not own. Not synchronized.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mm::query {

enum class TokenType {
  kEof,
  kIdentifier,        // foo, label names, function names
  kMetricIdentifier,  // an identifier containing ':' (only valid as a metric name)
  kNumber,            // 1, 1.5e3, 0x1f, Inf, NaN
  kDuration,          // 5m, 1h30m, 100ms
  kString,            // unquoted value in `text`
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kColon,
  kAt,
  kAssign,  // = (only in label matchers)
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,
  kNeq,
  kLss,
  kGtr,
  kLte,
  kGte,  // == != < > <= >=
  kEqlRegex,
  kNeqRegex,  // =~ !~
  kAnd,
  kOr,
  kUnless,
  kAtan2,
  // Aggregators.
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kCountValues,
  kQuantile,
  // Keywords.
  kBy,
  kWithout,
  kOn,
  kIgnoring,
  kGroupLeft,
  kGroupRight,
  kBool,
  kOffset,
  kStart,
  kEnd,  // only right after '@' (start() / end())
};

struct Token {
  TokenType type = TokenType::kEof;
  std::string_view raw;     // the bytes of the token in the input
  uint32_t pos = 0;         // byte offset of the first byte
  std::string text;         // kString: the unquoted value; kNumber/kDuration: raw copy
  double number = 0;        // kNumber
  int64_t duration_ms = 0;  // kDuration
};

bool IsAggregator(TokenType t);
bool IsKeyword(TokenType t);  // keywords and aggregators (usable as label names)
// How a token is named in parse errors: `"}"`, `identifier "foo"`, `end of input`.
std::string DescribeToken(const Token& t);

// Tokenizes the whole input (comments dropped); the last token is kEof. Errors are
// kInvalidArgument with Prometheus' wording and position ("1:5: parse error: ...").
Result<std::vector<Token>> Lex(std::string_view input);

// "LINE:COL: parse error: MESSAGE" for a byte offset into `input` (1-based line and column).
std::string FormatParseError(std::string_view input, uint32_t pos, std::string_view message);

// Parses a duration like 1h30m or 500ms (units y w d h m s ms, each at most once, in that
// order; "0" alone is allowed). Nullopt if malformed.
std::optional<int64_t> ParseDurationMs(std::string_view s);
// Parses a float as Go's strconv.ParseFloat does for decimal input (optional sign, digits,
// '.', exponent; Inf/Infinity/NaN in any case). False if malformed.
std::optional<double> ParseGoFloat(std::string_view s);
// Parses a PromQL number token as Prometheus does: first as an integer with Go's base prefixes
// (0x hex, leading 0 octal), else as a float. Nullopt if malformed.
std::optional<double> ParseNumberLiteral(std::string_view s);
// Unquotes a PromQL string literal (including its quotes). Nullopt on a bad escape.
std::optional<std::string> UnquoteString(std::string_view quoted);

}  // namespace mm::query
