// Runs every tests/data/promql/*.test script (promqltest format, see
// testing/promql_test_script.h) against the test-only FakeStorage through the shared runner in
// testing/promql_data_runner.h (promql_memstore_test.cc runs them against the embedded MemStore),
// and checks the script parser and runner themselves.
#include <gtest/gtest.h>

#include <cmath>

#include "query/testing/promql_data_runner.h"
#include "query/testing/promql_test_script.h"

namespace mm::query::testing {
namespace {

TEST(PromqlDataTest, FakeStorage) { RunPromqlDataScripts(NewFakeTestStore, "the fake store"); }

TEST(PromqlScriptTest, SeriesValues) {
  auto v = ParseSeriesValues("1+2x3 _ 5 -1-1x1 _x2 3x1 stale");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  std::vector<std::pair<bool, double>> got;
  for (const auto& x : *v) got.push_back({x.missing, x.missing ? 0 : x.v});
  ASSERT_EQ(got.size(), 13u);
  EXPECT_EQ(got[0].second, 1);
  EXPECT_EQ(got[3].second, 7);
  EXPECT_TRUE(got[4].first);
  EXPECT_EQ(got[5].second, 5);
  EXPECT_EQ(got[6].second, -1);
  EXPECT_EQ(got[7].second, -2);
  EXPECT_TRUE(got[8].first);
  EXPECT_TRUE(got[9].first);
  EXPECT_EQ(got[10].second, 3);
  EXPECT_EQ(got[11].second, 3);
  EXPECT_TRUE(std::isnan((*v)[12].v));
  EXPECT_FALSE(ParseSeriesValues("1+x3").ok());
}

// The runner itself must notice wrong values, missing and extra series, and wrong errors.
TEST(PromqlScriptTest, RunnerReportsMismatches) {
  auto store = NewFakeTestStore();
  const char* kScript = R"(
load 1m
  m{a="1"} 1 2
  m{a="2"} 3 4

eval instant at 1m m
  m{a="1"} 2
  m{a="2"} 5

eval instant at 1m m
  m{a="1"} 2

eval instant at 1m m{a="1"}
  m{a="1"} 2
  m{a="3"} 2

eval range from 0 to 1m step 1m m{a="1"}
  m{a="1"} 1 _

eval_fail instant at 1m m
  expected_fail_message x

eval_fail instant at 1m 1 +
  expected_fail_type execution

eval instant at 1m 1 + 1
  3

eval instant at 1m m{a="1"}
  m{a="1"} 2
)";
  ScriptReport r = RunScript("inline", kScript, *store);
  EXPECT_EQ(r.evals, 8);
  EXPECT_EQ(r.passed, 1);
  EXPECT_EQ(r.failures.size(), 7u);
}

}  // namespace
}  // namespace mm::query::testing
