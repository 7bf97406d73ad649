#include "server/params.h"

#include <gtest/gtest.h>

namespace mm::server {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(*PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(*PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(*PercentDecode("%7B%7d", true), "{}");
  EXPECT_FALSE(PercentDecode("%zz", true).ok());
  EXPECT_FALSE(PercentDecode("abc%2", true).ok());
}

TEST(ParamsTest, KeepsOrderRepeatsAndEmptyValues) {
  Params p;
  ASSERT_TRUE(p.AddEncoded("match%5B%5D=up&match[]=%7Bjob%3D%22x%22%7D&flag&empty=&&q=1+1").ok());
  EXPECT_EQ(p.GetAll("match[]"), (std::vector<std::string_view>{"up", "{job=\"x\"}"}));
  EXPECT_TRUE(p.Has("flag"));
  EXPECT_EQ(p.Get("flag"), "");
  EXPECT_TRUE(p.Has("empty"));
  EXPECT_FALSE(p.Has("missing"));
  EXPECT_EQ(p.Get("q"), "1 1");
}

TEST(ParamsTest, FirstAddedWins) {
  // The router adds the form body first, then the URL query: Go's FormValue precedence.
  Params p;
  ASSERT_TRUE(p.AddEncoded("query=body").ok());
  ASSERT_TRUE(p.AddEncoded("query=url").ok());
  EXPECT_EQ(p.Get("query"), "body");
}

TEST(ParamsTest, BadEscapeIsAnError) {
  Params p;
  Status s = p.AddEncoded("a=%G1");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("invalid URL escape"), std::string::npos);
}

}  // namespace
}  // namespace mm::server
