#include "server/series_selector.h"

#include <gtest/gtest.h>

namespace mm::server {
namespace {

std::string Show(std::string_view in) {
  auto r = ParseSeriesSelector(in);
  if (!r.ok()) return "ERROR " + r.status().message();
  std::string out;
  for (const auto& m : *r) {
    if (!out.empty()) out += ",";
    out += m.ToString();
  }
  return out;
}

TEST(SeriesSelectorTest, Valid) {
  EXPECT_EQ(Show("up"), "__name__=\"up\"");
  EXPECT_EQ(Show("  node:cpu:rate5m  "), "__name__=\"node:cpu:rate5m\"");
  EXPECT_EQ(Show("up{job=\"a\", instance!=\"b\",}"),
            "__name__=\"up\",job=\"a\",instance!=\"b\"");
  EXPECT_EQ(Show("{__name__=~\"cpu.*\",mode!~'idle|iowait'}"),
            "__name__=~\"cpu.*\",mode!~\"idle|iowait\"");
  EXPECT_EQ(Show("{job=`raw\\n`}"), "job=\"raw\\n\"");
  EXPECT_EQ(Show("{job=\"a\\\"b\\u00e9\\x41\\101\"}"), "job=\"a\"b\xC3\xA9" "AA\"");
  EXPECT_EQ(Show("{\"my.metric\", job=\"x\"}"), "__name__=\"my.metric\",job=\"x\"");
}

TEST(SeriesSelectorTest, Invalid) {
  EXPECT_EQ(Show(""), "ERROR 1:1: parse error: no expression found in input");
  EXPECT_EQ(Show("{}"), "ERROR vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(Show("{job=~\".*\"}"),
            "ERROR vector selector must contain at least one non-empty matcher");
  EXPECT_NE(Show("up{job=\"a\"").find("ERROR 1:11: parse error"), std::string::npos);
  EXPECT_NE(Show("up{job=a}").find("expected a string"), std::string::npos);
  EXPECT_NE(Show("up{job=\"a}").find("unterminated quoted string"), std::string::npos);
  EXPECT_NE(Show("up{job==\"a\"}").find("ERROR"), std::string::npos);
  EXPECT_NE(Show("up + 1").find("unexpected character after series selector"),
            std::string::npos);
  EXPECT_NE(Show("{job=~\"(\"}").find("invalid regular expression"), std::string::npos);
  EXPECT_NE(Show("{\"a\", \"b\"}").find("metric name must not be set twice"),
            std::string::npos);
  EXPECT_NE(Show("{job=\"\\q\"}").find("unknown escape sequence"), std::string::npos);
}

TEST(SeriesSelectorTest, LabelNames) {
  EXPECT_TRUE(IsValidLabelName("job"));
  EXPECT_TRUE(IsValidLabelName("__name__"));
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName("a-b"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

}  // namespace
}  // namespace mm::server
