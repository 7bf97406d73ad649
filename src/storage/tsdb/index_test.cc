#include "storage/tsdb/index.h"

#include <gtest/gtest.h>

#include "storage/tsdb/series_key.h"

namespace mm::storage::tsdb {
namespace {

LabelMatcher M(MatchType type, std::string name, std::string value) {
  auto m = LabelMatcher::Make(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok());
  return *m;
}

TEST(PostingsTest, SetOperations) {
  Postings a = {1, 3, 5, 7}, b = {3, 4, 5}, c = {};
  EXPECT_EQ(Intersect(a, b), (Postings{3, 5}));
  EXPECT_EQ(Intersect(a, c), Postings{});
  EXPECT_EQ(Subtract(a, b), (Postings{1, 7}));
  EXPECT_EQ(Subtract(c, a), Postings{});
  const Postings* lists[] = {&a, &b, &c};
  EXPECT_EQ(UnionAll(lists), (Postings{1, 3, 4, 5, 7}));
  EXPECT_EQ(UnionAll({}), Postings{});
}

TEST(PostingsIndexTest, MatchersAndEmptySemantics) {
  PostingsIndex idx;
  idx.Add(0, SeriesKey(Labels{{"__name__", "up"}, {"job", "a"}, {"env", "prod"}}));
  idx.Add(1, SeriesKey(Labels{{"__name__", "up"}, {"job", "b"}}));
  idx.Add(2, SeriesKey(Labels{{"__name__", "down"}, {"job", "a"}, {"env", "dev"}}));
  EXPECT_EQ(idx.Select({}), (Postings{0, 1, 2}));
  std::vector<LabelMatcher> m = {M(MatchType::kEqual, "job", "a")};
  EXPECT_EQ(idx.Select(m), (Postings{0, 2}));
  m = {M(MatchType::kEqual, "env", "")};
  EXPECT_EQ(idx.Select(m), (Postings{1}));
  m = {M(MatchType::kNotEqual, "env", "prod")};
  EXPECT_EQ(idx.Select(m), (Postings{1, 2}));
  m = {M(MatchType::kRegexMatch, "__name__", "u.|do.*")};
  EXPECT_EQ(idx.Select(m), (Postings{0, 1, 2}));
  m = {M(MatchType::kRegexNoMatch, "env", "p.*|d.*")};
  EXPECT_EQ(idx.Select(m), (Postings{1}));
  m = {M(MatchType::kEqual, "job", "a"), M(MatchType::kRegexMatch, "env", "dev|")};
  EXPECT_EQ(idx.Select(m), (Postings{2}));
  m = {M(MatchType::kEqual, "missing", "x")};
  EXPECT_EQ(idx.Select(m), Postings{});
  m = {M(MatchType::kRegexMatch, "missing", ".*")};  // matches "" → every series
  EXPECT_EQ(idx.Select(m), (Postings{0, 1, 2}));
  EXPECT_EQ(idx.LabelNames().size(), 3u);
  EXPECT_EQ(idx.LabelValues("job").size(), 2u);
  EXPECT_GT(idx.memory_bytes(), 0u);
}

}  // namespace
}  // namespace mm::storage::tsdb
