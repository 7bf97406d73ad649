#include "query/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <thread>

#include "core/point_batch.h"
#include "query/testing/fake_storage.h"

namespace mm::query {
namespace {

using storage::Sample;
using testing::FakeStorage;

constexpr int64_t kMin = 60'000;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.Add(Labels{{"__name__", "up"}, {"job", "a"}}, Samples({1, 1, 0, 1}));
    store_.Add(Labels{{"__name__", "up"}, {"job", "b"}}, Samples({0, 0, 1, 1}));
  }
  static std::vector<Sample> Samples(std::vector<double> v) {
    std::vector<Sample> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back({static_cast<int64_t>(i) * kMin, v[i]});
    return out;
  }
  FakeStorage store_;
};

TEST_F(EngineTest, ScalarStringVectorAndMatrixResults) {
  Engine engine(store_);
  auto r = engine.Instant("1 + 1", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, QueryResult::Type::kScalar);
  EXPECT_EQ(r->scalar.timestamp_ms, 5000);
  EXPECT_EQ(r->scalar.value, 2);

  r = engine.Instant("\"a\\tb\"", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, QueryResult::Type::kString);
  EXPECT_EQ(r->string_value, "a\tb");

  r = engine.Instant("up", 2 * kMin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, QueryResult::Type::kVector);
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].labels.Get("job"), "a");  // sorted by labels
  EXPECT_EQ(r->series[0].samples[0], (SamplePoint{2 * kMin, 0}));
  EXPECT_EQ(r->series[1].samples[0], (SamplePoint{2 * kMin, 1}));

  // A range selector in an instant query: raw samples in [t - range, t].
  r = engine.Instant("up{job=\"a\"}[2m]", 3 * kMin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, QueryResult::Type::kMatrix);
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].samples,
            (std::vector<SamplePoint>{{kMin, 1}, {2 * kMin, 0}, {3 * kMin, 1}}));

  // A subquery in an instant query: its inner steps.
  r = engine.Instant("up{job=\"b\"}[2m:1m]", 3 * kMin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, QueryResult::Type::kMatrix);
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].samples.size(), 3u);
}

TEST_F(EngineTest, RangeQueries) {
  Engine engine(store_);
  auto r = engine.Range("sum(up)", 0, 3 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, QueryResult::Type::kMatrix);
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_TRUE(r->series[0].labels.empty());
  EXPECT_EQ(r->series[0].samples,
            (std::vector<SamplePoint>{{0, 1}, {kMin, 1}, {2 * kMin, 1}, {3 * kMin, 2}}));

  // A scalar expression answers one series without labels.
  r = engine.Range("time()", 0, 2 * kMin, kMin);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].samples[2].value, 120);

  // Steps: start, start+step, ... <= end.
  r = engine.Range("up{job=\"a\"}", 0, 150000, kMin);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series[0].samples.size(), 3u);
  EXPECT_EQ(r->series[0].samples.back().timestamp_ms, 2 * kMin);

  // Filtering leaves gaps instead of series.
  r = engine.Range("up == 0", 0, 3 * kMin, kMin);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].samples, (std::vector<SamplePoint>{{2 * kMin, 0}}));
  EXPECT_EQ(r->series[1].samples, (std::vector<SamplePoint>{{0, 0}, {kMin, 0}}));
}

TEST_F(EngineTest, ErrorKinds) {
  Engine engine(store_);
  auto r = engine.Instant("sum(", 0);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = engine.Range("up[5m]", 0, kMin, kMin);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = engine.Range("up", 0, kMin, 0);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = engine.Range("up", kMin, 0, kMin);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = engine.Instant("up + on() up", kMin);
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("many-to-many"), std::string::npos);
  r = engine.Instant("histogram_sum(up)", kMin);
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_EQ(r.status().message(),
            "function histogram_sum is not supported yet (native histograms)");
}

TEST_F(EngineTest, Limits) {
  EngineOptions opts;
  opts.max_samples = 5;
  Engine small(store_, opts);
  auto r = small.Instant("sum_over_time(up[10m])", 3 * kMin);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(small.Instant("up{job=\"a\"}", 3 * kMin).ok());

  opts = {};
  opts.max_points_per_series = 10;
  Engine few(store_, opts);
  EXPECT_TRUE(few.Range("up", 0, 9 * kMin, kMin).ok());
  r = few.Range("up", 0, 10 * kMin, kMin);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("exceeded maximum resolution of 10 points"),
            std::string::npos);
}

TEST_F(EngineTest, LookbackDeltaOption) {
  EngineOptions opts;
  opts.lookback_delta_ms = kMin;
  Engine engine(store_, opts);
  EXPECT_EQ(engine.Instant("up", 4 * kMin)->series.size(), 2u);  // exactly 1m old: kept
  EXPECT_EQ(engine.Instant("up", 4 * kMin + 1)->series.size(), 0u);
}

TEST_F(EngineTest, StaleMarkerEndsSeries) {
  const double stale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
  store_.Add(Labels{{"__name__", "s"}}, std::vector<Sample>{{0, 1}, {kMin, stale}});
  Engine engine(store_);
  EXPECT_EQ(engine.Instant("s", 30000)->series.size(), 1u);
  EXPECT_EQ(engine.Instant("s", kMin)->series.size(), 0u);
  EXPECT_EQ(engine.Instant("s", 2 * kMin)->series.size(), 0u);
  // An ordinary NaN is a value.
  store_.Add(Labels{{"__name__", "n"}}, std::vector<Sample>{{0, NAN}});
  auto r = engine.Instant("n", kMin);
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_TRUE(std::isnan(r->series[0].samples[0].value));
}

TEST_F(EngineTest, OrderOfSortAndTopk) {
  Engine engine(store_);
  auto r = engine.Instant("sort_desc(up)", 2 * kMin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->series[0].labels.Get("job"), "b");
  r = engine.Instant("sort(up)", 2 * kMin);
  EXPECT_EQ(r->series[0].labels.Get("job"), "a");
  r = engine.Instant("topk(1, up)", 2 * kMin);
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].labels.Get("job"), "b");
}

TEST_F(EngineTest, ReadsPointsWrittenThroughStorageWrite) {
  FakeStorage store;
  PointBatch batch;
  Point p;
  p.measurement = "cpu";
  p.tags = {{"host", "h1"}};
  p.fields = {{"value", 0.5}, {"idle", 99.0}};
  p.timestamp_ns = 60'000'000'000;
  batch.AddOwned(p, 0);
  ASSERT_TRUE(store.Write(batch).ok());
  Engine engine(store);
  auto r = engine.Instant("{__name__=~\"cpu.*\"}", 90'000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].labels.MetricName(), "cpu");
  EXPECT_EQ(r->series[0].samples[0].value, 0.5);
  EXPECT_EQ(r->series[1].labels.MetricName(), "cpu_idle");
}

TEST_F(EngineTest, ConcurrentQueriesOnOneEngine) {
  Engine engine(store_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 200; ++k) {
        auto r = engine.Range("sum by (job) (rate(up[2m]))", 0, 3 * kMin, 15000);
        if (r.ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 800);
}

}  // namespace
}  // namespace mm::query
