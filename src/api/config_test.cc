#include "api/config.h"

#include <gtest/gtest.h>

namespace mm::api {
namespace {

TEST(ConfigTest, EmptyMeansDefaults) {
  Config c = DefaultDaemonConfig();
  ASSERT_TRUE(ApplyMainConfig("", "metrics-manager.yaml", c).ok());
  EXPECT_EQ(c.listen, "127.0.0.1:8750");
  ASSERT_EQ(c.metrics.size(), 1u);
  EXPECT_EQ(c.metrics[0].source, "system");
}

TEST(ConfigTest, ReadsMetricsAndStorage) {
  Config c = DefaultDaemonConfig();
  ASSERT_TRUE(ApplyMainConfig(R"(
listen: 127.0.0.1:9999
lookback_delta: 10m
metrics:
  - name: CPU_Usage
    source: system
    interval: 500ms
    labels: {rack: r1}
)", "m.yaml", c).ok());
  EXPECT_EQ(c.listen, "127.0.0.1:9999");
  EXPECT_EQ(c.lookback_delta_ms, 600000);
  ASSERT_EQ(c.metrics.size(), 1u);
  EXPECT_EQ(c.metrics[0].name, "CPU_Usage");
  EXPECT_EQ(c.metrics[0].interval_ms, 500);
  EXPECT_EQ(c.metrics[0].labels[0].second, "r1");
  ASSERT_TRUE(ApplyStorageConfig("embedded: {path: data}\n", "s.yaml", c).ok());
  EXPECT_EQ(c.data_dir, "data");
}

TEST(ConfigTest, EmbeddedStoreKeys) {
  Config c;
  ASSERT_TRUE(ApplyStorageConfig("embedded:\n  path: /var/lib/mm\n  fsync: interval\n"
                                 "  retention: 15d\n  retention_size: 10GB\n"
                                 "  ooo_window: 30m\n",
                                 "s.yaml", c)
                  .ok());
  EXPECT_EQ(c.data_dir, "/var/lib/mm");
  EXPECT_EQ(c.embedded.fsync, "interval");
  EXPECT_EQ(c.embedded.retention_ms, 15LL * 24 * 3600 * 1000);
  EXPECT_EQ(c.embedded.retention_bytes, 10ULL << 30);
  EXPECT_EQ(c.embedded.ooo_window_ms, 30 * 60 * 1000);
  Status s = ApplyStorageConfig("embedded:\n  fsync: sometimes\n", "s.yaml", c);
  EXPECT_NE(s.message().find("s.yaml:2: key \"embedded.fsync\""), std::string::npos)
      << s.message();
  s = ApplyStorageConfig("embedded:\n  retention_size: 3XB\n", "s.yaml", c);
  EXPECT_NE(s.message().find("unknown size unit"), std::string::npos) << s.message();
}

TEST(ConfigTest, ErrorsNameFileLineAndKey) {
  Config c;
  Status s = ApplyMainConfig("listen: a:1\nmetrics:\n  - name: x\n    interval: soon\n", "m.yaml", c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("m.yaml:4"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("metrics[].interval"), std::string::npos) << s.message();
  s = ApplyMainConfig("lisen: x\n", "m.yaml", c);
  EXPECT_NE(s.message().find("m.yaml:1: key \"lisen\": unknown key"), std::string::npos)
      << s.message();
  s = ApplyMainConfig("a: [\n", "m.yaml", c);
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace mm::api
