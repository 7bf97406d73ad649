#include <gtest/gtest.h>

#include "storage/storage.h"

namespace mm::storage {
namespace {

TEST(LabelMatcherTest, AllFourTypes) {
  auto eq = LabelMatcher::Make(MatchType::kEqual, "a", "x");
  ASSERT_TRUE(eq.ok());
  EXPECT_TRUE(eq->Matches("x"));
  EXPECT_FALSE(eq->Matches("xy"));
  auto ne = LabelMatcher::Make(MatchType::kNotEqual, "a", "x");
  EXPECT_TRUE(ne->Matches(""));
  EXPECT_TRUE(ne->MatchesEmpty());
  auto re = LabelMatcher::Make(MatchType::kRegexMatch, "a", "x.*|y");
  EXPECT_TRUE(re->Matches("xyz"));
  EXPECT_TRUE(re->Matches("y"));
  EXPECT_FALSE(re->Matches("yy"));  // fully anchored
  EXPECT_FALSE(re->MatchesEmpty());
  auto nre = LabelMatcher::Make(MatchType::kRegexNoMatch, "a", "x.*");
  EXPECT_FALSE(nre->Matches("x1"));
  EXPECT_TRUE(nre->Matches("y"));
  EXPECT_EQ(nre->ToString(), "a!~\"x.*\"");
}

TEST(LabelMatcherTest, BadRegexIsAnErrorNamingIt) {
  auto bad = LabelMatcher::Make(MatchType::kRegexMatch, "job", "a(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("a("), std::string::npos);
  EXPECT_NE(bad.status().message().find("job"), std::string::npos);
}

}  // namespace
}  // namespace mm::storage
