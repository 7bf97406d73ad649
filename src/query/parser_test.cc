#include "query/parser.h"

#include <gtest/gtest.h>

namespace mm::query {
namespace {

// The tree printed with every operator in parentheses.
std::string P(std::string_view in) {
  auto r = ParseExpr(in);
  if (!r.ok()) return "ERROR: " + r.status().message();
  return DebugString(**r);
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(P("a + b * c"), "(a + (b * c))");
  EXPECT_EQ(P("a * b + c"), "((a * b) + c)");
  EXPECT_EQ(P("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(P("a ^ b ^ c"), "(a ^ (b ^ c))");  // right-associative
  EXPECT_EQ(P("a / b % c atan2 d"), "(((a / b) % c) atan2 d)");
  EXPECT_EQ(P("a > b + c"), "(a > (b + c))");
  EXPECT_EQ(P("a or b and c unless d"), "(a or ((b and c) unless d))");
  EXPECT_EQ(P("a == b or c != d and e"), "((a == b) or ((c != d) and e))");
  EXPECT_EQ(P("-a ^ b"), "(-(a ^ b))");
  EXPECT_EQ(P("-a * b"), "((-a) * b)");
  EXPECT_EQ(P("-1 ^ 2"), "(-(1 ^ 2))");
  EXPECT_EQ(P("-1"), "-1");
  EXPECT_EQ(P("2 * -1"), "(2 * -1)");
  EXPECT_EQ(P("(a + b) * c"), "((a + b) * c)");
  EXPECT_EQ(P("+a"), "(+a)");
}

TEST(ParserTest, VectorMatching) {
  EXPECT_EQ(P("a + on(x, y) b"), "(a + on(x, y) b)");
  EXPECT_EQ(P("a + ignoring(x) group_left(z) b"), "(a + ignoring(x) group_left(z) b)");
  EXPECT_EQ(P("a * on(x) group_right b"), "(a * on(x) group_right() b)");
  EXPECT_EQ(P("a > bool b"), "(a > bool b)");
  EXPECT_EQ(P("a == bool on(x) b"), "(a == bool on(x) b)");
  EXPECT_EQ(P("a and on() b"), "(a and on() b)");
  EXPECT_EQ(P("a + on(sum, and, bool) b"), "(a + on(sum, and, bool) b)");
}

TEST(ParserTest, Aggregations) {
  EXPECT_EQ(P("sum(a)"), "sum (a)");
  EXPECT_EQ(P("sum by (x, y) (a)"), "sum by(x, y) (a)");
  EXPECT_EQ(P("sum(a) by (x)"), "sum by(x) (a)");
  EXPECT_EQ(P("avg without (x) (a)"), "avg without(x) (a)");
  EXPECT_EQ(P("sum without () (a)"), "sum without() (a)");
  EXPECT_EQ(P("topk(3, a)"), "topk (3, a)");
  EXPECT_EQ(P("quantile by (x) (0.9, a)"), "quantile by(x) (0.9, a)");
  EXPECT_EQ(P("count_values(\"v\", a)"), "count_values (\"v\", a)");
  EXPECT_EQ(P("bottomk(1, a) without (x,)"), "bottomk without(x) (1, a)");
  EXPECT_EQ(P("stddev(a) + stdvar(b) + group(c) + min(d) + max(e) + count(f)"),
            "(((((stddev (a) + stdvar (b)) + group (c)) + min (d)) + max (e)) + count (f))");
  // Aggregator keywords name metrics when not followed by "(" or by/without.
  EXPECT_EQ(P("sum"), "sum");
  EXPECT_EQ(P("sum offset 5m"), "sum offset 5m");
  EXPECT_EQ(P("and and and"), "(and and and)");
}

TEST(ParserTest, SelectorsAndModifiers) {
  EXPECT_EQ(P("foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~\"h\"}"),
            "foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~\"h\"}");
  EXPECT_EQ(P("{__name__=~\"cpu.*\"}"), "{__name__=~\"cpu.*\"}");
  EXPECT_EQ(P("foo[5m]"), "foo[5m]");
  EXPECT_EQ(P("foo[1h30m] offset 5m"), "foo[1h30m] offset 5m");
  EXPECT_EQ(P("foo offset -5m"), "foo offset -5m");
  EXPECT_EQ(P("foo @ 1609746000"), "foo @ 1609746000");
  EXPECT_EQ(P("foo @ 1.5 offset 1m"), "foo @ 1.5 offset 1m");
  EXPECT_EQ(P("foo offset 1m @ -10"), "foo @ -10 offset 1m");
  EXPECT_EQ(P("foo[5m] @ start()"), "foo[5m] @ start()");
  EXPECT_EQ(P("foo @ end()"), "foo @ end()");
  EXPECT_EQ(P("rate(foo[5m])[30m:1m]"), "rate(foo[5m])[30m:1m]");
  EXPECT_EQ(P("foo[30m:]"), "foo[30m:]");
  EXPECT_EQ(P("(a + b)[1h:5m] offset 10m @ 100"), "(a + b)[1h:5m] @ 100 offset 10m");
  EXPECT_EQ(P("-foo offset 5m"), "(-foo offset 5m)");
}

TEST(ParserTest, CallsAndLiterals) {
  EXPECT_EQ(P("rate(foo[5m])"), "rate(foo[5m])");
  EXPECT_EQ(P("label_join(a, \"d\", \",\", \"x\", \"y\", \"z\")"),
            "label_join(a, \"d\", \",\", \"x\", \"y\", \"z\")");
  EXPECT_EQ(P("round(a)"), "round(a)");
  EXPECT_EQ(P("hour()"), "hour()");
  EXPECT_EQ(P("time()"), "time()");
  EXPECT_EQ(P("0x10 + 1e2"), "(16 + 100)");
  EXPECT_EQ(P("'single' "), "\"single\"");
  EXPECT_EQ(P("# a comment\nfoo # another"), "foo");
}

TEST(ParserTest, TypesOfExpressions) {
  auto type = [](std::string_view in) {
    auto r = ParseExpr(in);
    EXPECT_TRUE(r.ok()) << in;
    return r.ok() ? (*r)->Type() : ValueType::kNone;
  };
  EXPECT_EQ(type("1 + 2"), ValueType::kScalar);
  EXPECT_EQ(type("1 + foo"), ValueType::kVector);
  EXPECT_EQ(type("foo[5m]"), ValueType::kMatrix);
  EXPECT_EQ(type("foo[5m:]"), ValueType::kMatrix);
  EXPECT_EQ(type("\"s\""), ValueType::kString);
  EXPECT_EQ(type("scalar(foo)"), ValueType::kScalar);
  EXPECT_EQ(type("(time())"), ValueType::kScalar);
}

TEST(ParserTest, Errors) {
  EXPECT_EQ(P("foo{a=\"b\"} }"), "ERROR: 1:12: parse error: unexpected character: '}'");
  EXPECT_EQ(P("sum by (a) (foo) by (b)"), "ERROR: 1:18: parse error: unexpected <by>");
  EXPECT_EQ(P("foo +"), "ERROR: 1:6: parse error: unexpected end of input");
  EXPECT_EQ(P("a * group_left b"), "ERROR: 1:5: parse error: unexpected <group_left>");
  EXPECT_EQ(P("rate(x[5m]) @ 10"),
            "ERROR: 1:1: parse error: @ modifier must be preceded by an instant vector selector "
            "or range vector selector or a subquery");
  EXPECT_EQ(P("1 > 2"),
            "ERROR: 1:3: parse error: comparisons between scalars must use BOOL "
            "modifier");
  EXPECT_EQ(P("label_join(a)"),
            "ERROR: 1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", "
            "got 1");
  EXPECT_EQ(P("quantile_over_time(foo[5m], 0.5)"),
            "ERROR: 1:20: parse error: expected type scalar in call to function "
            "\"quantile_over_time\", got range vector");
  EXPECT_EQ(P("1 + \"a\""),
            "ERROR: 1:5: parse error: binary expression must contain only scalar and instant "
            "vector types");
  EXPECT_EQ(P("foo @ start"),
            "ERROR: 1:12: parse error: unexpected end of input in @, expected "
            "timestamp");
  EXPECT_EQ(P("(1)[5m:1m]"),
            "ERROR: 1:1: parse error: subquery is only allowed on instant vector, got scalar "
            "instead");
  EXPECT_EQ(P("foo{a=~\"(\"}").rfind("ERROR: 1:5: parse error: error parsing regexp: ", 0), 0u);
  EXPECT_EQ(P("foo @ 1e100"),
            "ERROR: 1:1: parse error: timestamp out of bounds for @ modifier: "
            "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813"
            "469985856815104.000000");
}

}  // namespace
}  // namespace mm::query
