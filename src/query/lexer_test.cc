#include "query/lexer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mm::query {
namespace {

std::vector<TokenType> Types(std::string_view in) {
  auto r = Lex(in);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<TokenType> out;
  if (r.ok()) {
    for (const auto& t : *r) out.push_back(t.type);
  }
  return out;
}

TEST(LexerTest, OperatorsAndKeywords) {
  using T = TokenType;
  EXPECT_EQ(Types("a + b - c * d / e % f ^ g"),
            (std::vector<T>{T::kIdentifier, T::kAdd, T::kIdentifier, T::kSub, T::kIdentifier,
                            T::kMul, T::kIdentifier, T::kDiv, T::kIdentifier, T::kMod,
                            T::kIdentifier, T::kPow, T::kIdentifier, T::kEof}));
  EXPECT_EQ(Types("== != < > <= >="),
            (std::vector<T>{T::kEqlc, T::kNeq, T::kLss, T::kGtr, T::kLte, T::kGte, T::kEof}));
  EXPECT_EQ(
      Types("AND Or unless atan2 SUM by Without on ignoring group_left group_right bool"),
      (std::vector<T>{T::kAnd, T::kOr, T::kUnless, T::kAtan2, T::kSum, T::kBy, T::kWithout, T::kOn,
                      T::kIgnoring, T::kGroupLeft, T::kGroupRight, T::kBool, T::kEof}));
  EXPECT_EQ(Types("job:rate:sum5m"), (std::vector<T>{T::kMetricIdentifier, T::kEof}));
  EXPECT_EQ(
      Types("foo @ start() # comment\n"),
      (std::vector<T>{T::kIdentifier, T::kAt, T::kStart, T::kLeftParen, T::kRightParen, T::kEof}));
}

TEST(LexerTest, MatchersInsideBraces) {
  using T = TokenType;
  EXPECT_EQ(Types(R"({a="1", b!="2", c=~"3", d!~"4",})"),
            (std::vector<T>{T::kLeftBrace, T::kIdentifier, T::kAssign, T::kString, T::kComma,
                            T::kIdentifier, T::kNeq, T::kString, T::kComma, T::kIdentifier,
                            T::kEqlRegex, T::kString, T::kComma, T::kIdentifier, T::kNeqRegex,
                            T::kString, T::kComma, T::kRightBrace, T::kEof}));
  // Keywords are plain label names inside braces.
  EXPECT_EQ(Types(R"({sum="x"})"), (std::vector<T>{T::kLeftBrace, T::kIdentifier, T::kAssign,
                                                   T::kString, T::kRightBrace, T::kEof}));
}

TEST(LexerTest, Numbers) {
  auto num = [](std::string_view s) {
    auto r = Lex(s);
    EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    return r.ok() ? (*r)[0].number : -12345.0;
  };
  EXPECT_EQ(num("42"), 42);
  EXPECT_EQ(num("1.5e3"), 1500);
  EXPECT_EQ(num(".5"), 0.5);
  EXPECT_EQ(num("1."), 1);
  EXPECT_EQ(num("0x1F"), 31);
  EXPECT_EQ(num("010"), 8);  // Go's base-0 integer parsing: a leading 0 is octal
  EXPECT_EQ(num("08"), 8);   // not octal: parsed as a float
  EXPECT_TRUE(std::isinf(num("Inf")));
  EXPECT_TRUE(std::isinf(num("inf")));
  EXPECT_TRUE(std::isnan(num("NaN")));
  EXPECT_EQ(num("99999999999999999999"), 1e20);
}

TEST(LexerTest, Durations) {
  EXPECT_EQ(ParseDurationMs("1h30m"), 5400000);
  EXPECT_EQ(ParseDurationMs("500ms"), 500);
  EXPECT_EQ(
      ParseDurationMs("1y2w3d4h5m6s7ms"),
      365LL * 86400000 + 14LL * 86400000 + 3LL * 86400000 + 4 * 3600000 + 5 * 60000 + 6000 + 7);
  EXPECT_EQ(ParseDurationMs("0"), 0);
  EXPECT_FALSE(ParseDurationMs("1m1h").has_value());  // units out of order
  EXPECT_FALSE(ParseDurationMs("5m5m").has_value());
  EXPECT_FALSE(ParseDurationMs("1.5m").has_value());
  EXPECT_FALSE(ParseDurationMs("").has_value());
  EXPECT_FALSE(ParseDurationMs("5").has_value());
  auto r = Lex("foo[1h30m:5m] offset -1d");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[2].type, TokenType::kDuration);
  EXPECT_EQ((*r)[2].duration_ms, 5400000);
  EXPECT_EQ((*r)[4].duration_ms, 300000);
  EXPECT_EQ((*r)[8].duration_ms, 86400000);
}

TEST(LexerTest, Strings) {
  auto str = [](std::string_view s) {
    auto r = Lex(s);
    EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    return r.ok() ? (*r)[0].text : std::string("<error>");
  };
  EXPECT_EQ(str(R"("a\nb\t\"c\\")"), "a\nb\t\"c\\");
  EXPECT_EQ(str(R"('it\'s "x"')"), "it's \"x\"");
  EXPECT_EQ(str(R"(`raw\n`)"), "raw\\n");
  EXPECT_EQ(str("`multi\nline`"), "multi\nline");
  EXPECT_EQ(str(R"("\x41\101\u00e9\U0001F600")"), "AA\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(str(R"("\a\b\f\r\v")"), "\a\b\f\r\v");
}

TEST(LexerTest, ErrorsHavePrometheusPositions) {
  auto err = [](std::string_view s) {
    auto r = Lex(s);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(err("1 $ 2"), "1:3: parse error: unexpected character: '$'");
  EXPECT_EQ(err("sum(x"), "1:6: parse error: unclosed left parenthesis");
  EXPECT_EQ(err("foo{"), "1:5: parse error: unexpected end of input inside braces");
  EXPECT_EQ(err("x[5m"), "1:5: parse error: unclosed left bracket");
  EXPECT_EQ(err("\"abc"), "1:1: parse error: unterminated quoted string");
  EXPECT_EQ(err("`abc"), "1:1: parse error: unterminated raw string");
  EXPECT_EQ(err("\"a\\'\""), "1:1: parse error: unknown escape sequence U+0027 '''");
  EXPECT_EQ(err("'a\\\"'"), "1:1: parse error: unknown escape sequence U+0022 '\"'");
  EXPECT_EQ(err("\"\\uD800\""),
            "1:1: parse error: escape sequence is an invalid Unicode code point");
  EXPECT_EQ(err("a\n  + $"), "2:5: parse error: unexpected character: '$'");
  EXPECT_EQ(err("1)"), "1:3: parse error: unexpected right parenthesis ')'");
  EXPECT_EQ(err("x[5m:1m:]"), "1:8: parse error: unexpected colon ':'");
}

TEST(LexerTest, GoFloatParsing) {
  EXPECT_EQ(ParseGoFloat("+Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseGoFloat("-infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseGoFloat("1e-400"), 0.0);
  EXPECT_FALSE(ParseGoFloat("1e400").has_value());
  EXPECT_FALSE(ParseGoFloat("0x10").has_value());
  EXPECT_FALSE(ParseGoFloat("1.2.3").has_value());
  EXPECT_FALSE(ParseGoFloat("").has_value());
  EXPECT_EQ(ParseGoFloat("-2.5"), -2.5);
}

}  // namespace
}  // namespace mm::query
