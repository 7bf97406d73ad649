// GET /api/v1/render: the chart of a query (or of a visualize.yaml panel) as an image, in the
// look of the server's visualize.yaml, through the Router (no sockets).
#include <gtest/gtest.h>

#include "core/clock.h"
#include "query/engine.h"
#include "server/router.h"
#include "server/testing/vector_storage.h"
#include "viz/visualize_config.h"

namespace mm::server {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class RenderRouteTest : public ::testing::Test {
 protected:
  RenderRouteTest() : clock_(kNow * 1'000'000) {
    for (int64_t t = kNow - 3'600'000; t <= kNow; t += 10'000) {
      storage_.Add(Labels{{"__name__", "cpu"}, {"host", "a"}}, t, 20);
      storage_.Add(Labels{{"__name__", "cpu"}, {"host", "b"}}, t, 60);
      storage_.Add(Labels{{"__name__", "CPU_Usage"}}, t, 42);
    }
    engine_ = std::make_unique<query::Engine>(storage_);
    UseConfig(viz::VisualizeConfig{});
  }

  // A router serving with `visualize` as its visualize.yaml.
  void UseConfig(viz::VisualizeConfig visualize) {
    ServerContext ctx;
    ctx.storage = &storage_;
    ctx.engine = engine_.get();
    ctx.clock = &clock_;
    ctx.dashboard.visualize = std::move(visualize);
    router_ = std::make_unique<Router>(ctx, 1 << 20);
  }

  // The fill of an SVG's first rectangle (the background).
  static std::string Background(const std::string& svg) {
    size_t fill = svg.find("fill=\"", svg.find("<rect"));
    return fill == std::string::npos ? "" : svg.substr(fill + 6, 7);
  }

  static size_t Count(const std::string& s, const std::string& needle) {
    size_t n = 0;
    for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
  }

  HttpResponse Get(const std::string& query) {
    HttpRequest r;
    r.method = Method::kGet;
    r.method_name = "GET";
    r.path = "/api/v1/render";
    r.query = query;
    return router_->Handle(r);
  }

  FakeClock clock_;
  VectorStorage storage_;
  std::unique_ptr<query::Engine> engine_;
  std::unique_ptr<Router> router_;
};

TEST_F(RenderRouteTest, SvgAndPng) {
  HttpResponse r = Get("query=cpu&timeframe=30m&format=svg&width=640&height=320&unit=percent");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "image/svg+xml");
  EXPECT_NE(r.body.find("width=\"640\" height=\"320\""), std::string::npos);
  size_t entries = 0;
  for (size_t p = r.body.find("class=\"legend-entry\""); p != std::string::npos;
       p = r.body.find("class=\"legend-entry\"", p + 1)) {
    ++entries;
  }
  EXPECT_EQ(entries, 2u);
  EXPECT_NE(r.body.find(">60%</text>"), std::string::npos);

  r = Get("query=sum%28cpu%29");  // PNG by default
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "image/png");
  EXPECT_EQ(r.body.substr(0, 8), "\x89PNG\r\n\x1a\n");
}

TEST_F(RenderRouteTest, ALabelLessSeriesShowsItsMetricName) {
  HttpResponse r = Get("query=CPU_Usage&format=svg");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Count(r.body, "class=\"legend-entry\""), 1u);
  EXPECT_NE(r.body.find(">CPU_Usage</text>"), std::string::npos);
  EXPECT_EQ(r.body.find("CPU_Usage{}"), std::string::npos);
}

TEST_F(RenderRouteTest, TheLookAndPanelsComeFromVisualizeYaml) {
  auto config = viz::ParseVisualizeConfig(R"(theme: dark
width: 640
height: 320
timeframe: 30m
utc: true
colors: ["#ff0000"]
panels:
  - name: host_a
    title: Host A busy
    query: 'cpu{host="a"}'
    unit: percent
    timeframe: 15m
)",
                                          "visualize.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  HttpResponse light = Get("query=cpu&format=svg");  // the built-in look
  ASSERT_EQ(light.status, 200) << light.body;
  UseConfig(*config);

  HttpResponse r = Get("query=cpu&format=svg");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("width=\"640\" height=\"320\""), std::string::npos);
  EXPECT_NE(r.body.find("#ff0000"), std::string::npos);  // the first colour of the file's
  // The file's timeframe (30 minutes up to now) in UTC; kNow is 2023-11-14T22:13:20Z.
  EXPECT_NE(r.body.find(">2023-11-14 21:43:20 – 22:13:20 UTC</text>"), std::string::npos);
  // Dark: the background is not the built-in light one; theme=light in the URL wins.
  ASSERT_EQ(Background(light.body).size(), 7u) << light.body.substr(0, 300);
  EXPECT_NE(Background(r.body), Background(light.body));
  HttpResponse overridden = Get("query=cpu&format=svg&theme=light&width=700");
  EXPECT_EQ(Background(overridden.body), Background(light.body));
  EXPECT_NE(overridden.body.find("width=\"700\""), std::string::npos);

  // panel=NAME: its query, title, unit and timeframe.
  r = Get("panel=host_a&format=svg");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(">Host A busy</text>"), std::string::npos);
  EXPECT_EQ(Count(r.body, "class=\"legend-entry\""), 1u);
  EXPECT_NE(r.body.find("host=&quot;a&quot;"), std::string::npos);
  EXPECT_NE(r.body.find(">20%</text>"), std::string::npos);  // unit: percent
  EXPECT_NE(r.body.find(">2023-11-14 21:58:20 – 22:13:20 UTC</text>"), std::string::npos);
  // An unknown panel names the ones there are.
  r = Get("panel=nope");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("host_a"), std::string::npos) << r.body;
}

TEST_F(RenderRouteTest, ErrorsAreBadData) {
  HttpResponse r = Get("query=cpu&timeframe=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("bad_data"), std::string::npos);
  EXPECT_NE(r.body.find("last_hour"), std::string::npos) << r.body;
  EXPECT_EQ(Get("timeframe=1h").status, 400);                       // no query
  EXPECT_EQ(Get("query=cpu&format=gif").status, 400);
  EXPECT_EQ(Get("query=cpu&width=wide").status, 400);
  EXPECT_EQ(Get("query=sum((").status, 400);
}

}  // namespace
}  // namespace mm::server
