#include "query/functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mm::query {
namespace {

using storage::Sample;

TEST(FunctionsTest, Lookup) {
  ASSERT_NE(LookupFunction("rate"), nullptr);
  EXPECT_EQ(LookupFunction("rate")->arg_types, std::vector<ValueType>{ValueType::kMatrix});
  EXPECT_EQ(LookupFunction("time")->return_type, ValueType::kScalar);
  EXPECT_EQ(LookupFunction("label_join")->variadic, -1);
  EXPECT_EQ(LookupFunction("nope"), nullptr);
  EXPECT_EQ(LookupFunction("Rate"), nullptr);  // function names are case-sensitive
}

TEST(FunctionsTest, ExtrapolatedRateAtEdges) {
  // Samples exactly at both edges: no extrapolation.
  std::vector<Sample> s = {{0, 0}, {60000, 10}, {120000, 20}};
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 0, 120000, true, false), 20);
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 0, 120000, true, true), 20.0 / 120);
  // 30s gaps at both edges (< 1.1 x 60s): extrapolated all the way.
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, -30000, 150000, false, false), 20 * 180.0 / 120);
  // 100s gaps (> 66s): half an interval on each side.
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, -100000, 220000, false, false), 20 * 180.0 / 120);
  // Fewer than two samples: nothing.
  EXPECT_FALSE(ExtrapolatedRate(std::span(s.data(), 1), 0, 60000, true, true).has_value());
}

TEST(FunctionsTest, ExtrapolatedRateCounterZeroPointAndResets) {
  // The counter would reach 0 6s before the first sample: extrapolate 6s, not 60s.
  std::vector<Sample> s = {{120000, 1}, {180000, 11}, {240000, 21}};
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 60000, 240000, true, false), 20 * 126.0 / 120);
  // A gauge does not stop at zero.
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 60000, 240000, false, false), 20 * 180.0 / 120);
  std::vector<Sample> r = {{0, 10}, {60000, 20}, {120000, 5}, {180000, 15}};
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(r, 0, 180000, true, false), 25);
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(r, 0, 180000, false, false), 5);
}

TEST(FunctionsTest, InstantValue) {
  std::vector<Sample> s = {{0, 5}, {10000, 20}, {15000, 3}};
  EXPECT_DOUBLE_EQ(*InstantValue(s, true), 3 / 5.0);  // reset: the last value
  EXPECT_DOUBLE_EQ(*InstantValue(s, false), -17);
  EXPECT_DOUBLE_EQ(*InstantValue(std::span(s.data(), 2), true), 15 / 10.0);
  EXPECT_FALSE(InstantValue(std::span(s.data(), 1), true).has_value());
}

TEST(FunctionsTest, LinearRegression) {
  std::vector<Sample> s = {{0, 1}, {60000, 3}, {120000, 2}, {180000, 5}};
  Regression r = LinearRegression(s, 180000);
  EXPECT_NEAR(r.slope, 330.0 / 18000, 1e-15);
  EXPECT_NEAR(r.intercept, 4.4, 1e-12);
  std::vector<Sample> flat = {{0, 7}, {1000, 7}};
  EXPECT_EQ(LinearRegression(flat, 0).slope, 0);
  EXPECT_EQ(LinearRegression(flat, 0).intercept, 7);
  std::vector<Sample> inf = {{0, INFINITY}, {1000, INFINITY}};
  EXPECT_TRUE(std::isnan(LinearRegression(inf, 0).slope));
}

TEST(FunctionsTest, OverTimeKernels) {
  std::vector<Sample> s = {{0, 1}, {1, 3}, {2, 2}, {3, 5}};
  EXPECT_DOUBLE_EQ(KahanSum(s), 11);
  EXPECT_DOUBLE_EQ(AvgOverTime(s), 2.75);
  EXPECT_DOUBLE_EQ(StdvarOverTime(s), 2.1875);
  EXPECT_DOUBLE_EQ(MinOverTime(s), 1);
  EXPECT_DOUBLE_EQ(MaxOverTime(s), 5);
  // Compensated summation keeps the small terms.
  std::vector<Sample> k = {{0, 1e16}, {1, 1}, {2, -1e16}, {3, 1}};
  EXPECT_DOUBLE_EQ(KahanSum(k), 2);
  std::vector<Sample> n = {{0, NAN}, {1, 4}};
  EXPECT_DOUBLE_EQ(MinOverTime(n), 4);  // a leading NaN is replaced
  EXPECT_DOUBLE_EQ(MaxOverTime(n), 4);
}

TEST(FunctionsTest, Quantile) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(Quantile(0.5, v), 2.5);
  v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(Quantile(0.25, v), 1.75);
  EXPECT_EQ(Quantile(-0.1, v), -INFINITY);
  EXPECT_EQ(Quantile(1.1, v), INFINITY);
  std::vector<double> empty;
  EXPECT_TRUE(std::isnan(Quantile(0.5, empty)));
}

TEST(FunctionsTest, GoMinMax) {
  EXPECT_TRUE(std::isnan(GoMax(NAN, 1)));
  EXPECT_EQ(GoMax(NAN, INFINITY), INFINITY);
  EXPECT_EQ(GoMin(NAN, -INFINITY), -INFINITY);
  EXPECT_FALSE(std::signbit(GoMax(-0.0, 0.0)));
  EXPECT_TRUE(std::signbit(GoMin(0.0, -0.0)));
  EXPECT_EQ(GoMin(2, 3), 2);
}

TEST(FunctionsTest, FormatValueForLabel) {
  EXPECT_EQ(FormatValueForLabel(100), "100");
  EXPECT_EQ(FormatValueForLabel(0.1), "0.1");
  EXPECT_EQ(FormatValueForLabel(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatValueForLabel(-2.5), "-2.5");
  EXPECT_EQ(FormatValueForLabel(INFINITY), "+Inf");
  EXPECT_EQ(FormatValueForLabel(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValueForLabel(NAN), "NaN");
}

TEST(FunctionsTest, BucketQuantile) {
  std::vector<Bucket> b = {{2, 20}, {1, 10}, {INFINITY, 40}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.5, b), 2);
  b = {{1, 10}, {2, 20}, {INFINITY, 40}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.375, b), 1.5);
  b = {{1, 10}, {2, 20}, {INFINITY, 40}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.9, b), 2);  // in the +Inf bucket: the last finite bound
  b = {{1, 10}, {2, 5}, {INFINITY, 10}};        // non-monotonic counts are repaired
  EXPECT_DOUBLE_EQ(BucketQuantile(0.5, b), 0.5);
  b = {{-1, 4}, {INFINITY, 8}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.2, b), -1);  // first bucket with a bound <= 0
  b = {{1, 10}, {2, 20}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, b)));  // no +Inf bucket
  b = {{1, 0}, {INFINITY, 0}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, b)));  // no observations
}

}  // namespace
}  // namespace mm::query
