// End-to-end tests of the HTTP server: a real server on 127.0.0.1:0, a real client over TCP.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "server/testing/http_client.h"
#include "server/testing/vector_storage.h"

namespace mm::server {
namespace {

namespace json = boost::json;

constexpr int64_t kNowMs = 1700000000000;

std::string Gzip(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

json::value Parse(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  EXPECT_FALSE(ec) << "not JSON: " << body;
  return v;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(query::EngineOptions engine_options) {
    if (server_) server_->Stop();
    server_.reset();
    clock_.Set(kNowMs * 1'000'000);
    engine_ = std::make_unique<query::Engine>(storage_, engine_options);
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.max_body_bytes = 1 << 20;
    ServerContext ctx;
    ctx.storage = &storage_;
    ctx.engine = engine_.get();
    ctx.metrics = &metrics_;
    ctx.clock = &clock_;
    ctx.register_metrics = [](SelfMetrics& m) {
      m.NewCallbackGauge("mm_test_series", "A gauge the owner registers.", [] { return 7.0; });
    };
    auto s = HttpServer::Start(o, ctx);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port(), 10000);
  }

  ClientResponse Get(const std::string& target) {
    auto r = client_->Get(target);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ClientResponse{};
  }
  ClientResponse Post(const std::string& target, std::string_view body,
                      std::string_view type = "text/plain", const HeaderList& h = {}) {
    auto r = client_->Post(target, body, type, h);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ClientResponse{};
  }
  // The "error" string of a Prometheus error body, after checking its shape.
  std::string PromError(const ClientResponse& r, std::string_view type) {
    json::value v = Parse(r.body);
    if (!v.is_object()) return "";
    EXPECT_EQ(v.at("status"), "error") << r.body;
    EXPECT_EQ(v.at("errorType"), json::string(type)) << r.body;
    return std::string(v.at("error").as_string());
  }

  FakeClock clock_;
  VectorStorage storage_;
  SelfMetrics metrics_;
  std::unique_ptr<query::Engine> engine_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpServerTest, HealthIndexFavicon) {
  auto r = Get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK\n");
  EXPECT_NE(r.Header("Server").find("metrics-manager"), std::string::npos);

  auto head = client_->Request("HEAD", "/health", {}, {});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("Content-Length"), "3");

  r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("/app.js"), std::string::npos);  // the dashboard (dashboard_test.cc)
  r = Get("/favicon.ico");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "image/svg+xml");
  EXPECT_EQ(Get("/ping").status, 204);
}

TEST_F(HttpServerTest, UnknownRouteAndWrongMethod) {
  auto r = Get("/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(PromError(r, "not_found"), "no route for /nope");

  r = Get("/write");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "POST");
  auto del = client_->Request("DELETE", "/api/v1/query", {}, {});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(del->Header("Allow"), "GET, POST");
}

TEST_F(HttpServerTest, WriteThenQuery) {
  auto w = Post("/write?db=x&precision=s",
                "cpu,host=a value=1.5 1700000000\n"
                "cpu,host=b value=2 1700000000\n"
                "mem used=10i,free=3u 1700000000\n");
  EXPECT_EQ(w.status, 204) << w.body;
  EXPECT_EQ(w.body, "");
  EXPECT_EQ(storage_.sample_count(), 4u);

  auto r = Get("/api/v1/query?query=cpu&time=1700000000.5");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"cpu","host":"a"},"value":[1700000000.500,"1.5"]},)"
            R"({"metric":{"__name__":"cpu","host":"b"},"value":[1700000000.500,"2"]}]}})");

  // Default time is the server clock's now; RFC 3339 works too.
  r = Get("/api/v1/query?query=mem_used");
  json::value v = Parse(r.body);
  EXPECT_EQ(v.at("data").at("result").at(0).at("value").at(0).as_int64(), 1700000000);
  EXPECT_EQ(v.at("data").at("result").at(0).at("value").at(1), "10");
  r = Get("/api/v1/query?query=mem_free&time=2023-11-14T22:13:20Z");
  EXPECT_EQ(Parse(r.body).at("data").at("result").at(0).at("value").at(1), "3");
}

TEST_F(HttpServerTest, PartialWriteStoresGoodLinesAndNamesBadOnes) {
  auto w = Post("/write",
                "ok1 value=1 1700000000000000000\n"
                "bad1 value=\n"
                "ok2 value=2 1700000000000000000\n"
                "bad2\n"
                "ok3 value=3 1700000000000000000\n");
  EXPECT_EQ(w.status, 400);
  json::value v = Parse(w.body);
  std::string err(v.at("error").as_string());
  EXPECT_TRUE(err.starts_with("partial write: line 2: ")) << err;
  EXPECT_NE(err.find("; line 4: "), std::string::npos) << err;
  EXPECT_TRUE(err.ends_with("(3 points written, 2 lines rejected)")) << err;
  EXPECT_EQ(storage_.sample_count(), 3u);
  EXPECT_FALSE(w.Header("X-Influxdb-Error").empty());

  // Only the first 10 bad lines are named; the count covers all.
  std::string body;
  for (int i = 0; i < 15; ++i) body += "broken\n";
  w = Post("/write", body);
  EXPECT_EQ(w.status, 400);
  err = std::string(Parse(w.body).at("error").as_string());
  EXPECT_NE(err.find("line 10: "), std::string::npos) << err;
  EXPECT_EQ(err.find("line 11: "), std::string::npos) << err;
  EXPECT_NE(err.find("; and 5 more (0 points written, 15 lines rejected)"), std::string::npos)
      << err;
}

TEST_F(HttpServerTest, WriteV2AndItsErrorShape) {
  auto w = Post("/api/v2/write?org=o&bucket=b&precision=ms", "m value=4 1700000000000\n");
  EXPECT_EQ(w.status, 204) << w.body;
  EXPECT_EQ(storage_.sample_count(), 1u);
  w = Post("/api/v2/write?org=o&bucket=b", "m value=oops\n");
  EXPECT_EQ(w.status, 400);
  json::value v = Parse(w.body);
  EXPECT_EQ(v.at("code"), "invalid");
  EXPECT_NE(std::string(v.at("message").as_string()).find("line 1: "), std::string::npos);

  w = Post("/write?precision=fortnight", "m value=1\n");
  EXPECT_EQ(w.status, 400);
  EXPECT_NE(w.body.find("fortnight"), std::string::npos);
  EXPECT_EQ(Post("/write", "").status, 204);  // an empty body is a no-op
}

TEST_F(HttpServerTest, GzipBodies) {
  std::string lp;
  for (int i = 0; i < 1000; ++i) {
    lp += "g,i=" + std::to_string(i) + " value=" + std::to_string(i) + " 1700000000000000000\n";
  }
  auto w = Post("/write", Gzip(lp), "text/plain", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(w.status, 204) << w.body;
  EXPECT_EQ(storage_.sample_count(), 1000u);

  w = Post("/write", "not gzip at all", "text/plain", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(w.status, 400);
  EXPECT_NE(w.body.find("cannot decompress body"), std::string::npos) << w.body;

  // A small body that inflates past max_body_bytes (1 MiB here) is refused as too large.
  std::string bomb = Gzip(std::string(3 << 20, 'a'));
  ASSERT_LT(bomb.size(), 1u << 20);
  w = Post("/write", bomb, "text/plain", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(w.status, 413) << w.body;

  w = Post("/write", "m value=1\n", "text/plain", {{"Content-Encoding", "br"}});
  EXPECT_EQ(w.status, 415);
}

TEST_F(HttpServerTest, BodyTooLarge) {
  std::string big(2 << 20, 'x');
  auto w = Post("/write", big);
  EXPECT_EQ(w.status, 413);
  EXPECT_NE(w.body.find("larger than 1048576 bytes"), std::string::npos) << w.body;
  // The connection was closed after the 413; the client reconnects transparently.
  EXPECT_EQ(Get("/health").status, 200);
}

TEST_F(HttpServerTest, ExpectContinue) {
  std::string body = "ec value=1 1700000000000000000\n";
  std::string raw = "POST /write HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  auto r = client_->SendRaw(raw);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 204);  // the interim 100 is skipped by the client
  EXPECT_EQ(storage_.sample_count(), 1u);
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  HttpClient raw("127.0.0.1", server_->port(), 5000);
  auto r = raw.SendRaw("THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

TEST_F(HttpServerTest, StorageFailureIs503WithRetryAfter) {
  storage_.FailWrites(Status::Unavailable("disk on fire"));
  auto w = Post("/write", "m value=1\n");
  EXPECT_EQ(w.status, 503);
  EXPECT_EQ(w.Header("Retry-After"), "1");
  EXPECT_NE(w.body.find("disk on fire"), std::string::npos);
  storage_.FailWrites(Status::ResourceExhausted("queue full"));
  EXPECT_EQ(Post("/write", "m value=1\n").status, 429);
  storage_.FailWrites(Status::Ok());
  EXPECT_EQ(Post("/write", "m value=1\n").status, 204);

  storage_.FailReads(Status::Unavailable("store closed"));
  auto r = Get("/api/v1/series?match[]=m");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(PromError(r, "unavailable"), "store closed");
}

TEST_F(HttpServerTest, QueryErrors) {
  auto r = Get("/api/v1/query?query=up&time=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(PromError(r, "bad_data"),
            "invalid parameter \"time\": cannot parse \"abc\" to a valid timestamp");

  r = Get("/api/v1/query?query=up%7B");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(PromError(r, "bad_data").starts_with("invalid parameter \"query\": ")) << r.body;

  r = Get("/api/v1/query?query=%zz");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(PromError(r, "bad_data").starts_with("error parsing form values")) << r.body;
}

TEST_F(HttpServerTest, ExecutionErrorIs422) {
  StartServer({.max_samples = 1});
  storage_.Add(Labels{{"__name__", "x"}, {"i", "1"}}, kNowMs, 1);
  storage_.Add(Labels{{"__name__", "x"}, {"i", "2"}}, kNowMs, 2);
  auto r = Get("/api/v1/query?query=x");
  EXPECT_EQ(r.status, 422) << r.body;
  PromError(r, "execution");
}

TEST_F(HttpServerTest, ScalarAndPostForm) {
  auto r = Post("/api/v1/query", "query=2&time=1700000000", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}})");
  // Form values win over URL values (Go's FormValue).
  r = Post("/api/v1/query?query=3", "query=4&time=1700000000",
           "application/x-www-form-urlencoded; charset=UTF-8");
  EXPECT_NE(r.body.find("\"4\""), std::string::npos) << r.body;
}

TEST_F(HttpServerTest, QueryRange) {
  for (int i = 0; i < 5; ++i) {
    storage_.Add(Labels{{"__name__", "r"}, {"job", "j"}}, kNowMs + i * 15000, i * 1.5);
  }
  auto r = Get("/api/v1/query_range?query=r&start=1700000000&end=1700000060&step=15s");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"r","job":"j"},"values":[[1700000000,"0"],)"
            R"([1700000015,"1.5"],[1700000030,"3"],[1700000045,"4.5"],[1700000060,"6"]]}]}})");

  r = Post("/api/v1/query_range", "query=r&start=1700000000&end=1700000030&step=15",
           "application/x-www-form-urlencoded");
  EXPECT_EQ(Parse(r.body).at("data").at("result").at(0).at("values").as_array().size(), 3u);

  struct Case {
    std::string params, error;
  } cases[] = {
      {"query=r&end=1&step=1", "invalid parameter \"start\": cannot parse \"\" to a valid timestamp"},
      {"query=r&start=1&step=1", "invalid parameter \"end\": cannot parse \"\" to a valid timestamp"},
      {"query=r&start=10&end=5&step=1",
       "invalid parameter \"end\": end timestamp must not be before start time"},
      {"query=r&start=1&end=5", "invalid parameter \"step\": cannot parse \"\" to a valid duration"},
      {"query=r&start=1&end=5&step=abc",
       "invalid parameter \"step\": cannot parse \"abc\" to a valid duration"},
      {"query=r&start=1&end=5&step=0",
       "invalid parameter \"step\": zero or negative query resolution step widths are not "
       "accepted. Try a positive integer"},
      {"query=r&start=1&end=5&step=-1s",
       "invalid parameter \"step\": cannot parse \"-1s\" to a valid duration"},
      {"query=r&start=0&end=11001&step=1",
       "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
       "resolution (?step=XX)"},
  };
  for (const auto& c : cases) {
    r = Get("/api/v1/query_range?" + c.params);
    EXPECT_EQ(r.status, 400) << c.params;
    EXPECT_EQ(PromError(r, "bad_data"), c.error) << c.params;
  }
  // 11000 points are fine. (Prometheus' API also lets (end-start)/step == 11000 through, i.e.
  // 11001 points; the engine's own limit counts points, so stay below both.)
  EXPECT_EQ(Get("/api/v1/query_range?query=r&start=0&end=10999&step=1").status, 200);
}

TEST_F(HttpServerTest, SeriesLabelsAndValues) {
  storage_.Add(Labels{{"__name__", "up"}, {"job", "a"}}, kNowMs, 1);
  storage_.Add(Labels{{"__name__", "up"}, {"job", "b"}, {"zone", "z1"}}, kNowMs, 1);
  storage_.Add(Labels{{"__name__", "down"}, {"job", "c"}}, kNowMs - 3600'000, 1);

  auto r = Get("/api/v1/series");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(PromError(r, "bad_data"), "no match[] parameter provided");

  r = Get("/api/v1/series?match[]=up");
  EXPECT_EQ(r.body,
            R"({"status":"success","data":[{"__name__":"up","job":"a"},)"
            R"({"__name__":"up","job":"b","zone":"z1"}]})");
  // Two selectors: union, sorted, deduplicated; start/end restrict.
  r = Get("/api/v1/series?match%5B%5D=up%7Bjob%3D%22a%22%7D&match[]=%7Bjob%3D~%22a%7Cc%22%7D");
  EXPECT_EQ(Parse(r.body).at("data").as_array().size(), 2u) << r.body;
  r = Get("/api/v1/series?match[]={job=~\".%2B\"}&start=1699999000");
  EXPECT_EQ(Parse(r.body).at("data").as_array().size(), 2u) << r.body;
  r = Get("/api/v1/series?match[]=up&limit=1");
  EXPECT_EQ(Parse(r.body).at("data").as_array().size(), 1u);
  EXPECT_EQ(Parse(r.body).at("warnings").at(0), "results truncated due to limit");

  r = Get("/api/v1/series?match[]=up%7B");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(PromError(r, "bad_data").starts_with("invalid parameter \"match[]\": 1:4: parse error"))
      << r.body;
  r = Get("/api/v1/series?match[]={}");
  EXPECT_EQ(r.status, 400);

  r = Get("/api/v1/labels");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","job","zone"]})");
  r = Post("/api/v1/labels", "match[]=down", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","job"]})");

  r = Get("/api/v1/label/job/values");
  EXPECT_EQ(r.body, R"({"status":"success","data":["a","b","c"]})");
  r = Get("/api/v1/label/__name__/values?match[]={job=~\"a|b\"}");
  EXPECT_EQ(r.body, R"({"status":"success","data":["up"]})");
  // As in Prometheus, a selector must have a matcher that does not match the empty string.
  r = Get("/api/v1/label/__name__/values?match[]={job!=\"c\"}");
  EXPECT_EQ(PromError(r, "bad_data"),
            "invalid parameter \"match[]\": vector selector must contain at least one non-empty "
            "matcher");
  r = Get("/api/v1/label/nothing/values");
  EXPECT_EQ(r.body, R"({"status":"success","data":[]})");
  r = Get("/api/v1/label/bad-name/values");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(PromError(r, "bad_data"), "invalid label name: \"bad-name\"");
}

TEST_F(HttpServerTest, GrafanaAndPromtoolProbes) {
  auto r = Get("/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 200);
  json::value v = Parse(r.body);
  EXPECT_EQ(v.at("status"), "success");
  EXPECT_EQ(v.at("data").at("version"), "0.1.0");
  EXPECT_EQ(Get("/api/v1/metadata").body, R"({"status":"success","data":{}})");
  EXPECT_EQ(Get("/api/v1/query_exemplars?query=up").body, R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/rules").body, R"({"status":"success","data":{"groups":[]}})");
}

TEST_F(HttpServerTest, SelfMetricsEndpoint) {
  Get("/health");
  Post("/write", "m value=1\nbroken\n");
  auto r = Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("mm_http_requests_total{handler=\"/health\",code=\"200\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("mm_http_requests_total{handler=\"/write\",code=\"400\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("mm_http_write_points_received_total 2"), std::string::npos);
  EXPECT_NE(r.body.find("mm_http_write_points_rejected_total 1"), std::string::npos);
  EXPECT_NE(r.body.find("mm_http_write_points_stored_total 1"), std::string::npos);
  EXPECT_NE(r.body.find("mm_http_request_duration_seconds_bucket{handler=\"/write\",le=\"+Inf\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("mm_test_series 7"), std::string::npos);
  EXPECT_NE(r.body.find("mm_http_open_connections 1"), std::string::npos);
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(Get("/health").status, 200);
    ASSERT_EQ(Post("/write", "k value=1\n").status, 204);
  }
  EXPECT_EQ(client_->connections_opened(), 1);
  // Connection: close is honoured: the next request needs a new connection.
  auto r = client_->Request("GET", "/health", {{"Connection", "close"}}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(Get("/health").status, 200);
  EXPECT_EQ(client_->connections_opened(), 2);
}

TEST_F(HttpServerTest, ConcurrentClients) {
  constexpr int kThreads = 8, kRequests = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c("127.0.0.1", server_->port(), 10000);
      for (int i = 0; i < kRequests; ++i) {
        std::string line = "cc,t=" + std::to_string(t) + " value=" + std::to_string(i) + " " +
                           std::to_string((kNowMs - 1000 + i) * 1'000'000) + "\n";
        auto w = c.Post("/write", line, "text/plain");
        if (!w.ok() || w->status != 204) ++failures;
        auto q = c.Get("/api/v1/query?query=cc%7Bt%3D%22" + std::to_string(t) + "%22%7D");
        if (!q.ok() || q->status != 200 || q->body.find("\"success\"") == std::string::npos) {
          ++failures;
        }
      }
      if (c.connections_opened() != 1) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(storage_.sample_count(), static_cast<size_t>(kThreads * kRequests));
}

TEST_F(HttpServerTest, StopIsIdempotentAndFreesThePort) {
  uint16_t port = server_->port();
  ServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(port);
  ServerContext ctx;
  ctx.storage = &storage_;
  ctx.engine = engine_.get();
  auto clash = HttpServer::Start(o, ctx);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().code(), StatusCode::kIoError);

  server_->Stop();
  server_->Stop();
  EXPECT_FALSE(client_->Get("/health").ok());
  auto again = HttpServer::Start(o, ctx);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->port(), port);
}

TEST(HttpServerStartTest, BadListenAddresses) {
  VectorStorage storage;
  query::Engine engine(storage);
  ServerContext ctx;
  ctx.storage = &storage;
  ctx.engine = &engine;
  for (const char* bad : {"8750", "127.0.0.1:", "127.0.0.1:99999", "[::1:80", "no.such.host.invalid:1"}) {
    ServerOptions o;
    o.listen = bad;
    auto s = HttpServer::Start(o, ctx);
    EXPECT_FALSE(s.ok()) << bad;
  }
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  EXPECT_FALSE(HttpServer::Start(o, ServerContext{}).ok());  // no storage/engine
}

}  // namespace
}  // namespace mm::server
