#include "sources/proc_parse.h"

#include <gtest/gtest.h>

namespace mm::proc {
namespace {

TEST(ProcParse, LinesAndTokens) {
  LineReader r("a b\n\n  c\td  \nlast");
  auto l1 = r.Next();
  ASSERT_TRUE(l1);
  Tokens t(*l1);
  EXPECT_EQ(t.Next(), "a");
  EXPECT_EQ(t.Next(), "b");
  EXPECT_EQ(t.Next(), "");
  EXPECT_EQ(*r.Next(), "");
  Tokens t3(*r.Next());
  EXPECT_EQ(t3.Next(), "c");
  EXPECT_EQ(t3.Rest(), "d  ");
  EXPECT_EQ(*r.Next(), "last");
  EXPECT_EQ(r.line_number(), 4);
  EXPECT_FALSE(r.Next());
}

TEST(ProcParse, Numbers) {
  uint64_t u = 0;
  EXPECT_TRUE(ParseU64("18446744073709551615", u));
  EXPECT_EQ(u, 18446744073709551615ull);
  EXPECT_FALSE(ParseU64("18446744073709551616", u));
  EXPECT_FALSE(ParseU64("12x", u));
  EXPECT_FALSE(ParseU64("", u));
  EXPECT_FALSE(ParseU64("-1", u));
  int64_t i = 0;
  EXPECT_TRUE(ParseI64("-5250", i));
  EXPECT_EQ(i, -5250);
  double d = 0;
  EXPECT_TRUE(ParseDouble("551.16", d));
  EXPECT_DOUBLE_EQ(d, 551.16);
  EXPECT_FALSE(ParseDouble("1.5.", d));
}

TEST(ProcParse, UnescapeMountField) {
  std::string out;
  UnescapeMountField("/mnt/a\\040b\\011c\\134d", out);
  EXPECT_EQ(out, "/mnt/a b\tc\\d");
  UnescapeMountField("/x\\04", out);  // truncated escape stays as it is
  EXPECT_EQ(out, "/x\\04");
}

TEST(ProcParse, ErrorNamesFileAndLine) {
  Status s = ParseError("/proc/stat", 7, "expected a number", "abc");
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "/proc/stat:7: expected a number, got 'abc'");
}

}  // namespace
}  // namespace mm::proc
