#include "viz/visualize_config.h"

#include <gtest/gtest.h>

namespace mm::viz {
namespace {

TEST(VisualizeConfigTest, EmptyIsDefaults) {
  auto c = ParseVisualizeConfig("", "visualize.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->theme, Theme::kLight);
  EXPECT_EQ(c->width, 1000);
  EXPECT_EQ(c->timeframe, "last_hour");
  EXPECT_TRUE(c->panels.empty());
}

TEST(VisualizeConfigTest, AllKeys) {
  auto c = ParseVisualizeConfig(R"(
theme: dark
width: 1200
height: 400
line_width: 2
colors: ["#ff0000", "#00ff00"]
timeframe: last_24h
utc: true
refresh: 2s
panels:
  - name: cpu
    title: CPU busy
    query: CPU_Usage
    unit: percent
    y_min: 0
    y_max: 100
  - title: Network
    query: sum by (interface) (rate(net_bytes_recv[1m]))
    unit: bytes/s
    stacked: true
    timeframe: 15m
)", "visualize.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->theme, Theme::kDark);
  EXPECT_EQ(c->width, 1200);
  EXPECT_EQ(c->height, 400);
  EXPECT_EQ(c->line_width, 2);
  EXPECT_EQ(c->colors.size(), 2u);
  EXPECT_EQ(c->timeframe, "last_24h");
  EXPECT_TRUE(c->utc);
  EXPECT_EQ(c->refresh_ms, 2000);
  ASSERT_EQ(c->panels.size(), 2u);
  const PanelConfig* cpu = c->FindPanel("cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->title, "CPU busy");
  EXPECT_EQ(cpu->y_max, 100);
  const PanelConfig* net = c->FindPanel("Network");  // the title names an unnamed panel
  ASSERT_NE(net, nullptr);
  EXPECT_TRUE(net->stacked);
  EXPECT_EQ(net->timeframe, "15m");
  ChartOptions o = c->ToChartOptions(cpu);
  EXPECT_EQ(o.width, 1200);
  EXPECT_EQ(o.theme, Theme::kDark);
  EXPECT_EQ(o.unit, "percent");
  EXPECT_EQ(o.y_min, 0);
  EXPECT_EQ(o.colors[0], "#ff0000");
}

TEST(VisualizeConfigTest, ErrorsNameFileLineAndKey) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"theme: blue\n", "visualize.yaml:1: key \"theme\": unknown theme"},
      {"width: 5\n", "key \"width\": out of range"},
      {"colors: [\"#ff0000\", \"red\"]\n", "key \"colors[1]\": bad colour"},
      {"timeframe: yesterday\n", "key \"timeframe\": bad timeframe"},
      {"\n\ncolour: x\n", "visualize.yaml:3: key \"colour\": unknown key"},
      {"panels:\n  - name: a\n", "key \"panels[0].query\": every panel needs a query"},
      {"panels:\n  - query: x\n    y_min: 5\n    y_max: 1\n", "must be below y_max"},
      {"panels:\n  - {name: a, query: x}\n  - {name: a, query: y}\n", "duplicate panel name"},
      {"panels:\n  - {query: x, stacked: maybe}\n", "expected true or false"},
      {"panels:\n  - {query: x, units: \"%\"}\n", "key \"panels[0].units\": unknown key"},
      {"width: [\n", "visualize.yaml:"},
  };
  for (const Case& c : cases) {
    auto r = ParseVisualizeConfig(c.yaml, "visualize.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << c.yaml << " → " << r.status().message();
  }
}

TEST(VisualizeConfigTest, LoadsThroughEnvAndTheShippedFileParses) {
  FakeEnv env;
  auto missing = LoadVisualizeConfig(env, "config/visualize.yaml");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->width, 1000);
  env.SetFile("config/visualize.yaml", "width: 640\n");
  auto c = LoadVisualizeConfig(env, "config/visualize.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->width, 640);

  auto shipped = LoadVisualizeConfig(*Env::Default(), MM_SOURCE_DIR "/config/visualize.yaml");
  ASSERT_TRUE(shipped.ok()) << shipped.status().ToString();
  EXPECT_FALSE(shipped->panels.empty());
}

}  // namespace
}  // namespace mm::viz
