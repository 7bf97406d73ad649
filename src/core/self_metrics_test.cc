#include "core/self_metrics.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(SelfMetricsTest, RendersFamiliesOnce) {
  SelfMetrics m;
  m.NewCounter("mm_points_total", "Points.", {{"handler", "/write"}})->Add(3);
  m.NewCounter("mm_points_total", "Points.", {{"handler", "/api/v2/write"}})->Add(1);
  m.NewCallbackGauge("mm_series", "Series.", [] { return 7.0; });
  auto* h = m.NewHistogram("mm_latency_seconds", "Latency.", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE mm_points_total counter\n"
                      "mm_points_total{handler=\"/write\"} 3\n"
                      "mm_points_total{handler=\"/api/v2/write\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mm_series 7\n"), std::string::npos);
  EXPECT_NE(text.find("mm_latency_seconds_bucket{le=\"0.10000000000000001\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mm_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("mm_latency_seconds_count 3\n"), std::string::npos);
}

}  // namespace
}  // namespace mm
