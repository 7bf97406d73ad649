#include "viz/plot_request.h"

#include <gtest/gtest.h>

#include "query/testing/fake_storage.h"

namespace mm::viz {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

TEST(PlotRequestTest, PlanUsesConfigPanelAndRequestInThatOrder) {
  VisualizeConfig config =
      ParseVisualizeConfig("width: 800\ntheme: dark\ntimeframe: last_24h\npanels:\n"
                           "  - {name: cpu, title: CPU, query: CPU_Usage, unit: percent,"
                           " y_min: 0, y_max: 100, timeframe: 30m}\n",
                           "visualize.yaml")
          .value();
  auto plan = PlanPlot({.panel = "cpu"}, config, kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->query, "CPU_Usage");
  EXPECT_EQ(plan->chart.title, "CPU");
  EXPECT_EQ(plan->chart.width, 800);
  EXPECT_EQ(plan->chart.theme, Theme::kDark);
  EXPECT_EQ(plan->chart.y_max, 100);
  EXPECT_EQ(plan->chart.end_ms - plan->chart.start_ms, 30 * 60'000);  // the panel's timeframe
  EXPECT_EQ(plan->step_ms, 5'000);                                    // 1800 s / 800 px → 5 s
  EXPECT_EQ(plan->start_ms % plan->step_ms, 0);
  EXPECT_GE(plan->start_ms, plan->chart.start_ms);
  EXPECT_LT(plan->start_ms - plan->chart.start_ms, plan->step_ms);

  plan = PlanPlot({.query = "up", .timeframe = "1h", .format = "svg", .width = 1200,
                   .theme = "light"},
                  config, kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->chart.title, "up");
  EXPECT_EQ(plan->chart.format, Format::kSvg);
  EXPECT_EQ(plan->chart.theme, Theme::kLight);
  EXPECT_EQ(plan->chart.end_ms, kNow);
  EXPECT_EQ(plan->step_ms, 5'000);  // 3600 s / 1200 px → 3 s → 5 s

  // The config's default timeframe.
  plan = PlanPlot({.query = "up"}, config, kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->chart.end_ms - plan->chart.start_ms, 24 * 3'600'000);
}

TEST(PlotRequestTest, PlanErrors) {
  VisualizeConfig config;
  EXPECT_NE(PlanPlot({.panel = "nope"}, config, kNow).status().message().find("unknown panel"),
            std::string::npos);
  EXPECT_NE(PlanPlot({}, config, kNow).status().message().find("no query"), std::string::npos);
  EXPECT_NE(PlanPlot({.query = "x", .timeframe = "soon"}, config, kNow)
                .status()
                .message()
                .find("last_hour"),
            std::string::npos);
  EXPECT_FALSE(PlanPlot({.query = "x", .format = "gif"}, config, kNow).ok());
  EXPECT_FALSE(PlanPlot({.query = "x", .width = 20}, config, kNow).ok());
  EXPECT_FALSE(PlanPlot({.query = "x", .theme = "sepia"}, config, kNow).ok());
}

TEST(PlotRequestTest, FromParams) {
  auto r = PlotRequestFromParams({{"query", "rate(x[1m])"},
                                  {"timeframe", "last_15m"},
                                  {"format", "svg"},
                                  {"width", "640"},
                                  {"height", "300"},
                                  {"y_max", "1.5"},
                                  {"stacked", "true"},
                                  {"utc", "1"},
                                  {"width", "9999"},  // the first value wins
                                  {"_", "123"}});     // unknown names are ignored
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->query, "rate(x[1m])");
  EXPECT_EQ(r->timeframe, "last_15m");
  EXPECT_EQ(r->width, 640);
  EXPECT_EQ(r->height, 300);
  EXPECT_EQ(r->y_max, 1.5);
  EXPECT_EQ(r->stacked, true);
  EXPECT_EQ(r->utc, true);
  EXPECT_NE(PlotRequestFromParams({{"width", "wide"}}).status().message().find("bad width"),
            std::string::npos);
  EXPECT_FALSE(PlotRequestFromParams({{"stacked", "maybe"}}).ok());
  EXPECT_FALSE(PlotRequestFromParams({{"y_min", "nan"}}).ok());
}

TEST(PlotRequestTest, RenderPlanQueriesTheEngine) {
  query::testing::FakeStorage storage;
  std::vector<storage::Sample> a, b;
  for (int64_t t = kNow - 3'600'000; t <= kNow; t += 10'000) {
    a.push_back({t, 1});
    b.push_back({t, 2});
  }
  storage.Add(Labels{{"__name__", "m"}, {"k", "a"}}, a);
  storage.Add(Labels{{"__name__", "m"}, {"k", "b"}}, b);
  query::Engine engine(storage);
  auto plan = PlanPlot({.query = "m", .format = "svg"}, VisualizeConfig{}, kNow);
  ASSERT_TRUE(plan.ok());
  auto svg = RenderPlan(engine, *plan);
  ASSERT_TRUE(svg.ok()) << svg.status().ToString();
  size_t entries = 0;
  for (size_t p = svg->find("class=\"legend-entry\""); p != std::string::npos;
       p = svg->find("class=\"legend-entry\"", p + 1)) {
    ++entries;
  }
  EXPECT_EQ(entries, 2u);
  plan->query = "sum((";
  EXPECT_EQ(RenderPlan(engine, *plan).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mm::viz
