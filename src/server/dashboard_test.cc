// The dashboard's server half: embedded assets (types, ETag revalidation), the page with its
// panels filled in, /api/v1/dashboard, the batched range queries of its first load (columns),
// and the live event stream over a real socket (first event, a write pushed within 1 s, Stop()
// ends open streams at once).
#include "server/dashboard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "server/http_server.h"
#include "server/router.h"
#include "server/testing/http_client.h"
#include "server/testing/vector_storage.h"
#include "server/web_assets.h"

namespace mm::server {
namespace {

namespace json = boost::json;
using Clock_ = std::chrono::steady_clock;
constexpr int64_t kNowMs = 1700000000000;

// A raw client for the event stream: the blocking HttpClient waits for a whole body.
class StreamClient {
 public:
  explicit StreamClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  }
  ~StreamClient() { close(fd_); }
  void Send(const std::string& s) {
    EXPECT_EQ(send(fd_, s.data(), s.size(), 0), ssize_t(s.size()));
  }
  // Reads until `needle` appears after `from` in what was received, or the timeout; false on
  // timeout or when the server closes.
  bool ReadUntil(std::string_view needle, int timeout_ms, size_t from = 0) {
    auto deadline = Clock_::now() + std::chrono::milliseconds(timeout_ms);
    while (received.find(needle, from) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock_::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed = true;
        return false;
      }
      received.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  std::string received;
  bool closed = false;

 private:
  int fd_ = -1;
};

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(kNowMs * 1'000'000);
    engine_ = std::make_unique<query::Engine>(storage_);
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    ServerContext ctx;
    ctx.storage = &storage_;
    ctx.engine = engine_.get();
    ctx.clock = &clock_;
    ctx.dashboard = dashboard_;
    auto s = HttpServer::Start(o, ctx);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port(), 10000);
  }

  FakeClock clock_;
  VectorStorage storage_;
  DashboardConfig dashboard_;
  std::unique_ptr<query::Engine> engine_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(DashboardTest, ServesEmbeddedAssetsWithTypesAndETags) {
  struct Case {
    const char* path;
    const char* type;
    const char* contains;
  } cases[] = {
      {"/", "text/html; charset=utf-8", "/app.js"},
      {"/index.html", "text/html; charset=utf-8", "<main"},
      {"/app.js", "text/javascript; charset=utf-8", "EventSource"},
      {"/style.css", "text/css; charset=utf-8", "prefers-color-scheme"},
      {"/favicon.svg", "image/svg+xml", "<svg"},
      {"/favicon.ico", "image/svg+xml", "<svg"},
      {"/vendor/uPlot.esm.js", "text/javascript; charset=utf-8", "export"},
      {"/vendor/uPlot.min.css", "text/css; charset=utf-8", ".uplot"},
  };
  for (const Case& c : cases) {
    auto r = client_->Get(c.path);
    ASSERT_TRUE(r.ok()) << c.path;
    EXPECT_EQ(r->status, 200) << c.path;
    EXPECT_EQ(r->Header("Content-Type"), c.type) << c.path;
    EXPECT_NE(r->body.find(c.contains), std::string::npos) << c.path;
    EXPECT_EQ(r->Header("Cache-Control"), "no-cache") << c.path;
    std::string etag = r->Header("ETag");
    ASSERT_EQ(etag.size(), 22u) << c.path << ": " << etag;  // 20 hex digits, quoted
    auto again = client_->Get(c.path, {{"If-None-Match", etag}});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 304) << c.path;
    EXPECT_EQ(again->body, "");
    auto other = client_->Get(c.path, {{"If-None-Match", "\"0000\""}});
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->status, 200) << c.path;
  }
  EXPECT_EQ(client_->Get("/nope.js")->status, 404);
  EXPECT_EQ(client_->Post("/app.js", "", "text/plain")->status, 405);
  // Every asset is in the table once, with a type.
  for (const WebAsset& a : WebAssets()) {
    EXPECT_EQ(FindWebAsset(a.path), &a);
    EXPECT_FALSE(a.content_type.empty()) << a.path;
    EXPECT_FALSE(a.data.empty()) << a.path;
  }
}

TEST_F(DashboardTest, DefaultPanelsWhenNoneConfigured) {
  auto r = client_->Get("/api/v1/dashboard");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  json::value v = json::parse(r->body);
  EXPECT_EQ(v.at("default"), true);
  EXPECT_EQ(v.at("timeframe"), "last_hour");
  const auto& panels = v.at("panels").as_array();
  ASSERT_EQ(panels.size(), DefaultDashboardPanels().size());
  EXPECT_EQ(panels[0].at("title"), "CPU usage");
  EXPECT_EQ(panels[0].at("queries").as_array()[0], "CPU_Usage");
  EXPECT_EQ(panels[0].at("unit"), "percent");
  EXPECT_EQ(panels[0].at("y_max").to_number<double>(), 100);
  bool ingestion = false;
  for (const auto& p : panels) {
    for (const auto& q : p.at("queries").as_array()) {
      ingestion |= q.as_string().find("mm_http_write_points_received_total") != json::string::npos;
    }
  }
  EXPECT_TRUE(ingestion);
}

TEST_F(DashboardTest, PageCarriesItsPanels) {
  auto r = client_->Get("/");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  const std::string open = R"(<script type="application/json" id="mm-config">)";
  size_t from = r->body.find(open);
  ASSERT_NE(from, std::string::npos) << r->body;
  from += open.size();
  json::value config = json::parse(r->body.substr(from, r->body.find("</script>", from) - from));
  EXPECT_EQ(config, json::parse(client_->Get("/api/v1/dashboard")->body));
  EXPECT_EQ(config.at("panels").as_array().size(), DefaultDashboardPanels().size());
  // The page's ETag is not the template's: another panel list is another page.
  EXPECT_NE(r->Header("ETag"), std::string(FindWebAsset("/index.html")->etag));
  EXPECT_EQ(client_->Get("/index.html")->body, r->body);
}

TEST_F(DashboardTest, QueryRangeBatchAnswersEachQueryInColumns) {
  ASSERT_EQ(client_->Post("/write?precision=ms",
                          "temp value=1 1699999990000\ntemp value=3 1699999995000", "text/plain")
                ->status,
            204);
  const std::string window = "&start=1699999990&end=1699999995&step=5";
  auto r = client_->Post("/api/v1/query_range_batch",
                         "query=temp&query=rate(temp&query=temp%20*%202" + window,
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  json::value v = json::parse(r->body);
  const auto& results = v.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  const auto& temp = results[0].at("series").as_array().at(0);
  EXPECT_EQ(temp.at("metric").at("__name__"), "temp");
  EXPECT_EQ(json::serialize(temp.at("t")), "[1699999990,1699999995]");
  EXPECT_EQ(json::serialize(temp.at("v")), "[1,3]");
  // One bad query is its own error, as /api/v1/query_range would answer it.
  EXPECT_EQ(results[1].at("status"), "error");
  EXPECT_EQ(results[1].at("errorType"), "bad_data");
  EXPECT_EQ(json::serialize(results[2].at("series").as_array().at(0).at("v")), "[2,6]");
  // The same over GET.
  auto g = client_->Get("/api/v1/query_range_batch?query=temp" + window);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->status, 200);
  EXPECT_EQ(json::parse(g->body).at("results").as_array().size(), 1u);

  // The request's own faults are 400s.
  EXPECT_EQ(client_->Get("/api/v1/query_range_batch?start=1&end=2&step=1")->status, 400);
  EXPECT_EQ(client_->Get("/api/v1/query_range_batch?query=temp&start=x&end=2&step=1")->status,
            400);
  EXPECT_EQ(client_->Get("/api/v1/query_range_batch?query=temp&start=1&end=2&step=0")->status,
            400);
  std::string many;
  for (size_t i = 0; i <= kMaxBatchQueries; ++i) many += "query=temp&";
  auto too_many = client_->Get("/api/v1/query_range_batch?" + many + "start=1&end=2&step=1");
  EXPECT_EQ(too_many->status, 400);
  EXPECT_NE(too_many->body.find("more than 64"), std::string::npos) << too_many->body;
}

TEST(DashboardEncodeTest, ConfiguredPanels) {
  DashboardConfig c;
  c.timeframe = "last_15m";
  DashboardPanel p;
  p.title = "Net \"in\"";
  p.queries = {"sum by (interface) (rate(net_bytes_recv[1m]))"};
  p.unit = "bytes/s";
  p.y_min = 0;
  p.stacked = true;
  c.panels.push_back(p);
  json::value v = json::parse(EncodeDashboard(c));
  EXPECT_EQ(v.at("default"), false);
  EXPECT_EQ(v.at("timeframe"), "last_15m");
  const auto& panel = v.at("panels").as_array().at(0);
  EXPECT_EQ(panel.at("title"), "Net \"in\"");
  EXPECT_EQ(panel.at("y_min").to_number<double>(), 0);
  EXPECT_TRUE(panel.at("y_max").is_null());
  EXPECT_EQ(panel.at("stacked"), true);
}

TEST(DashboardEncodeTest, IndexWithConfigFillsTheElementSafely) {
  const std::string page = "<head>" + std::string(kIndexConfigElement) + "<script>x</script>";
  // A title that would end the element, or open a comment in it, were '<' written as is.
  const std::string config = R"({"panels":[{"title":"</script><!--<script>"}]})";
  std::string out = IndexWithConfig(page, config);
  const std::string open = R"(<script type="application/json" id="mm-config">)";
  ASSERT_EQ(out.rfind("<head>" + open, 0), 0u) << out;
  size_t from = out.find(open) + open.size();
  size_t to = out.find("</script>", from);
  ASSERT_NE(to, std::string::npos);
  std::string inside = out.substr(from, to - from);
  EXPECT_EQ(inside.find('<'), std::string::npos) << inside;
  EXPECT_EQ(json::parse(inside), json::parse(config));  // the same JSON, escapes decoded
  EXPECT_EQ(out.substr(to), "</script><script>x</script>");
  // A page without the element is served as it is.
  EXPECT_EQ(IndexWithConfig("<p>plain</p>", config), "<p>plain</p>");
}

TEST(DashboardEncodeTest, SeriesColumns) {
  QueryResult m;
  m.type = QueryResult::Type::kMatrix;
  m.series.push_back({Labels{{"__name__", "a"}, {"host", "h1"}},
                      {{1700000000000, 1.5}, {1700000000500, std::nan("")}, {1700000001000, -2}}});
  m.series.push_back({Labels{}, {{1700000002000, std::numeric_limits<double>::infinity()}}});
  json::value v = json::parse(EncodeSeriesColumns(m));
  EXPECT_EQ(v.at("status"), "success");
  const auto& series = v.at("series").as_array();
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].at("metric").at("host"), "h1");
  const auto& t = series[0].at("t").as_array();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].to_number<double>(), 1700000000);
  EXPECT_EQ(t[1].to_number<double>(), 1700000000.5);
  const auto& val = series[0].at("v").as_array();
  EXPECT_EQ(val[0].to_number<double>(), 1.5);
  EXPECT_TRUE(val[1].is_null());  // NaN: a gap
  EXPECT_EQ(val[2].to_number<double>(), -2);
  EXPECT_TRUE(series[1].at("metric").as_object().empty());
  EXPECT_TRUE(series[1].at("v").as_array()[0].is_null());  // +Inf

  QueryResult scalar;
  scalar.type = QueryResult::Type::kScalar;
  scalar.scalar = {1700000000000, 7};
  v = json::parse(EncodeSeriesColumns(scalar));
  ASSERT_EQ(v.at("series").as_array().size(), 1u);
  EXPECT_EQ(v.at("series").as_array()[0].at("v").as_array()[0].to_number<double>(), 7);
}

TEST(DashboardStreamRequestTest, Parameters) {
  auto parse = [](std::string_view qs) {
    Params p;
    EXPECT_TRUE(p.AddEncoded(qs).ok());
    return ParseStreamRequest(p);
  };
  auto ok = parse("query=a&query=rate(b%5B1m%5D)&step=5s&steps=4");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->queries, (std::vector<std::string>{"a", "rate(b[1m])"}));
  EXPECT_EQ(ok->step_ms, 5000);
  EXPECT_EQ(ok->steps, 4);
  EXPECT_EQ(parse("query=a&step=2")->step_ms, 2000);
  EXPECT_FALSE(parse("").ok());
  EXPECT_FALSE(parse("query=").ok());
  EXPECT_FALSE(parse("query=a&step=0").ok());
  EXPECT_FALSE(parse("query=a&step=x").ok());
  EXPECT_FALSE(parse("query=a&steps=0").ok());
  EXPECT_FALSE(parse("query=a&steps=61").ok());
  std::string many;
  for (int i = 0; i < 65; ++i) many += "query=a&";
  EXPECT_FALSE(parse(many).ok());
}

TEST_F(DashboardTest, StreamPushesWritesAndStopEndsIt) {
  ASSERT_EQ(client_->Post("/write", "temp value=1", "text/plain")->status, 204);
  StreamClient s(server_->port());
  s.Send(
      "GET /api/v1/stream?query=temp&step=1s HTTP/1.1\r\nHost: x\r\nAccept: "
      "text/event-stream\r\n\r\n");
  ASSERT_TRUE(s.ReadUntil("event: points", 2000)) << s.received;
  EXPECT_EQ(s.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << s.received;
  EXPECT_NE(s.received.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(s.received.find("retry: 1000"), std::string::npos);
  ASSERT_TRUE(s.ReadUntil("]}\n\n", 2000)) << s.received;
  // The first event: the current tail, with the live edge at now.
  size_t data = s.received.find("data: ");
  ASSERT_NE(data, std::string::npos);
  std::string payload = s.received.substr(data + 6, s.received.find("\n\n", data) - data - 6);
  json::value v = json::parse(payload);
  EXPECT_EQ(v.at("t").to_number<int64_t>(), kNowMs);
  const auto& first = v.at("results").as_array().at(0);
  EXPECT_EQ(first.at("now").at("data").at("result").as_array().at(0).at("value").as_array()[1],
            "1");

  // A write is pushed within a second, without a request from the client.
  size_t mark = s.received.size();
  auto t0 = Clock_::now();
  ASSERT_EQ(client_->Post("/write", "temp value=42", "text/plain")->status, 204);
  ASSERT_TRUE(s.ReadUntil("\"42\"", 1000, mark)) << s.received.substr(mark);
  EXPECT_LT(Clock_::now() - t0, std::chrono::seconds(1));

  // No write, no event (the heartbeat is 15 s away).
  mark = s.received.size();
  EXPECT_FALSE(s.ReadUntil("event:", 400, mark));

  // Stop() ends the stream at once.
  t0 = Clock_::now();
  server_->Stop();
  EXPECT_FALSE(s.ReadUntil("never", 2000, mark));
  EXPECT_TRUE(s.closed);
  EXPECT_LT(Clock_::now() - t0, std::chrono::seconds(1));
}

TEST_F(DashboardTest, StreamRefusesBadPromQL) {
  auto r = client_->Get("/api/v1/stream?query=rate(x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("bad_data"), std::string::npos);
  EXPECT_EQ(client_->Get("/api/v1/stream")->status, 400);
}

TEST_F(DashboardTest, ManyStreamsDoNotHoldTheWorkers) {
  // More open streams than worker threads: queries still answer.
  std::vector<std::unique_ptr<StreamClient>> streams;
  for (int i = 0; i < 8; ++i) {
    streams.push_back(std::make_unique<StreamClient>(server_->port()));
    streams.back()->Send("GET /api/v1/stream?query=up HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  for (auto& s : streams) ASSERT_TRUE(s->ReadUntil("event: points", 2000)) << s->received;
  auto r = client_->Get("/api/v1/query?query=1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace mm::server
