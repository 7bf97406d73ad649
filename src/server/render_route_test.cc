// GET /api/v1/render: the chart of a query as an image, through the Router (no sockets).
#include <gtest/gtest.h>

#include "core/clock.h"
#include "query/engine.h"
#include "server/router.h"
#include "server/testing/vector_storage.h"

namespace mm::server {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class RenderRouteTest : public ::testing::Test {
 protected:
  RenderRouteTest() : clock_(kNow * 1'000'000) {
    for (int64_t t = kNow - 3'600'000; t <= kNow; t += 10'000) {
      storage_.Add(Labels{{"__name__", "cpu"}, {"host", "a"}}, t, 20);
      storage_.Add(Labels{{"__name__", "cpu"}, {"host", "b"}}, t, 60);
    }
    engine_ = std::make_unique<query::Engine>(storage_);
    ServerContext ctx;
    ctx.storage = &storage_;
    ctx.engine = engine_.get();
    ctx.clock = &clock_;
    router_ = std::make_unique<Router>(ctx, 1 << 20);
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
