#include "metrics_manager/manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api/manager_impl.h"
#include "server/testing/http_client.h"

namespace mm {
namespace {

using namespace std::chrono_literals;

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(MetricsManagerTest, MisuseIsAClearErrorNamingIt) {
  MetricsManager m;
  EXPECT_NE(ErrorOf([&] { m.add_metric("X", {.source = "nonsense"}); })
                .find("add_metric(\"X\"): unknown source \"nonsense\""),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { m.add_metric("Y", {.source = "system", .interval = 0ms}); })
                .find("interval 0ms is too short"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { m.add_metric("Z", {.source = "custom"}); }).find("needs a callback"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { m.add_metric("No_Such_Metric", {.source = "system"}); })
                .find("No_Such_Metric"),
            std::string::npos);
  m.add_metric("CPU_Usage", {.source = "system"});
  EXPECT_NE(ErrorOf([&] { m.add_metric("CPU_Usage", {.source = "system"}); })
                .find("already added"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { m.add_metric("bad name", {.source = "system"}); })
                .find("invalid metric name"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { (void)m.query("sum(("); }), "");
  EXPECT_EQ(m.metrics(), std::vector<std::string>{"CPU_Usage"});
}

TEST(MetricsManagerTest, CollectsCustomAndSystemMetricsAndQueriesThem) {
  MetricsManager m;
  std::atomic<int> calls{0};
  m.add_metric("Queue_Depth", {.source = "custom", .interval = 50ms, .callback = [&] {
                                 ++calls;
                                 return 7.0;
                               }});
  m.add_metric("Memory_Usage", {.source = "system", .interval = 50ms});
  m.start();
  m.start();  // idempotent
  for (int i = 0; i < 100 && calls < 3; ++i) std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(100ms);
  EXPECT_DOUBLE_EQ(m.query("Queue_Depth").ValueOr(-1), 7.0);
  double mem = m.query("Memory_Usage").ValueOr(-1);
  EXPECT_GT(mem, 0);
  EXPECT_LE(mem, 100);
  m.stop();
  m.stop();  // idempotent
  EXPECT_FALSE(m.running());
  // Still queryable after stop.
  EXPECT_DOUBLE_EQ(m.query("Queue_Depth").ValueOr(-1), 7.0);
}

TEST(MetricsManagerTest, WriteThenQueryRange) {
  MetricsManager m;
  auto now = std::chrono::system_clock::now();
  int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  std::vector<Point> points;
  for (int i = 0; i < 10; ++i) {
    Point p;
    p.measurement = "requests";
    p.tags["host"] = "a";
    p.fields["value"] = static_cast<double>(i * 10);
    p.timestamp_ns = now_ns - (9 - i) * 10'000'000'000LL;
    points.push_back(p);
  }
  m.write(points);
  auto v = m.query("requests{host=\"a\"}", now);
  ASSERT_EQ(v.series.size(), 1u);
  EXPECT_DOUBLE_EQ(v.series[0].samples[0].value, 90);
  auto r = m.query_range("requests", now - 60s, now, 10s);
  ASSERT_EQ(r.type, QueryResult::Type::kMatrix);
  ASSERT_EQ(r.series.size(), 1u);
  ASSERT_EQ(r.series[0].samples.size(), 7u);  // steps now-60s, now-50s, ..., now
  EXPECT_DOUBLE_EQ(r.series[0].samples.front().value, 30);
  EXPECT_DOUBLE_EQ(r.series[0].samples.back().value, 90);
  EXPECT_NE(ErrorOf([&] { m.write({Point{.measurement = "x"}}); }).find("no fields"), std::string::npos);
}

TEST(MetricsManagerTest, FromConfigDirectoryServesHttp) {
  auto dir = std::filesystem::temp_directory_path() / ("mm_cfg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "metrics-manager.yaml") << "listen: 127.0.0.1:0\n"
                                                 "metrics:\n"
                                                 "  - name: CPU_Usage\n"
                                                 "    source: system\n"
                                                 "    interval: 100ms\n";
  {
    MetricsManager m(dir);
    EXPECT_EQ(m.metrics(), std::vector<std::string>{"CPU_Usage"});
    m.start();
    EXPECT_GT(m.impl().http_port(), 0);
    m.stop();
  }
  std::ofstream(dir / "metrics-manager.yaml") << "metrics:\n  - name: x\n    source: bogus\n";
  EXPECT_NE(ErrorOf([&] { MetricsManager m(dir); }).find("unknown source \"bogus\""), std::string::npos);
  std::filesystem::remove_all(dir);
  EXPECT_NE(ErrorOf([&] { MetricsManager m(dir); }).find("does not exist"), std::string::npos);
}

// The dashboard's wiring: visualize.yaml panels at /api/v1/dashboard, the write epoch moving on
// writes, and the daemon's own metrics landing in the store (self-scrape every 5 s).
TEST(MetricsManagerTest, DashboardPanelsEpochAndSelfMetrics) {
  auto dir = std::filesystem::temp_directory_path() / ("mm_dash_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "metrics-manager.yaml") << "listen: 127.0.0.1:0\nmetrics: []\n";
  std::ofstream(dir / "visualize.yaml") << "timeframe: last_15m\n"
                                           "panels:\n"
                                           "  - name: temp\n"
                                           "    title: Room temperature\n"
                                           "    query: room_temp\n"
                                           "    unit: none\n"
                                           "    y_min: 10\n";
  {
    MetricsManager m(dir);
    m.start();
    server::HttpClient client("127.0.0.1", m.impl().http_port(), 10000);
    auto r = client.Get("/api/v1/dashboard");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find(R"("title":"Room temperature","queries":["room_temp"])"),
              std::string::npos) << r->body;
    EXPECT_NE(r->body.find(R"("timeframe":"last_15m")"), std::string::npos) << r->body;
    EXPECT_NE(r->body.find(R"("y_min":10)"), std::string::npos) << r->body;

    uint64_t epoch = m.impl().write_epoch.load();
    m.write({Point{.measurement = "room_temp", .tags = {}, .fields = {{"value", 21.5}}}});
    EXPECT_GT(m.impl().write_epoch.load(), epoch);

    bool seen = false;
    for (int i = 0; i < 80 && !seen; ++i) {
      seen = !m.query("mm_http_requests_total").series.empty();
      if (!seen) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(seen) << "self-metrics not in the store after 8 s";
    m.stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mm
