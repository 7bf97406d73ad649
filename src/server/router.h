// Router: maps an HttpRequest to its handler and returns the HttpResponse — the Influx write
// endpoints, the Prometheus HTTP API, /metrics, /health, / — and instruments every request
// (mm_http_requests_total{handler,code}, mm_http_request_duration_seconds{handler}).
// No Beast here: the transport (http_server.cc) converts to and from the plain types, so the
// handlers can be tested without sockets. Borrows everything in ServerContext.
// Thread-safe: Handle may run on many threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http_server.h"
#include "server/http_types.h"
#include "server/params.h"

namespace mm::server {

// Prometheus' limit on (end - start) / step for range queries.
inline constexpr int64_t kMaxPointsPerSeries = 11000;
// Queries in one /api/v1/query_range_batch request.
inline constexpr size_t kMaxBatchQueries = 64;
// Bad lines named in a partial-write error body (the count of all of them is always given).
inline constexpr size_t kMaxLineErrorsReported = 10;

class Router {
 public:
  // REQUIRES: context.storage and context.engine are set.
  Router(ServerContext context, size_t max_body_bytes);
  ~Router();

  HttpResponse Handle(const HttpRequest& request);

  // For the transport's own answers (413 on an oversized body, 400 on a malformed request) so
  // they are counted like the others.
  void Record(std::string_view handler, int status, int64_t elapsed_ns);
  SelfMetrics& metrics() { return *metrics_; }
  // Moves on every write into the store this server knows of (see ServerContext::write_epoch).
  std::atomic<uint64_t>& write_epoch() { return *write_epoch_; }
  Clock& clock() { return *clock_; }

 private:
  struct Route;
  using HandlerFn = HttpResponse (Router::*)(const HttpRequest&, const Params&);

  HttpResponse Write(const HttpRequest& r, const Params& p, bool v2);
  HttpResponse WriteV1(const HttpRequest& r, const Params& p) { return Write(r, p, false); }
  HttpResponse WriteV2(const HttpRequest& r, const Params& p) { return Write(r, p, true); }
  HttpResponse Query(const HttpRequest& r, const Params& p);
  HttpResponse QueryRange(const HttpRequest& r, const Params& p);
  // Several range queries over one window in one request (the dashboard's load):
  // {"status":"success","results":[<EncodeSeriesColumns of each query, or its error>]}.
  HttpResponse QueryRangeBatch(const HttpRequest& r, const Params& p);
  // GET /api/v1/render: a chart of a query as PNG/SVG/PDF (viz/plot_request.h has the params).
  HttpResponse Render(const HttpRequest& r, const Params& p);
  HttpResponse Series(const HttpRequest& r, const Params& p);
  HttpResponse Labels(const HttpRequest& r, const Params& p);
  HttpResponse LabelValues(const HttpRequest& r, const Params& p);
  HttpResponse BuildInfo(const HttpRequest& r, const Params& p);
  HttpResponse EmptyObject(const HttpRequest& r, const Params& p);
  HttpResponse EmptyList(const HttpRequest& r, const Params& p);
  HttpResponse Rules(const HttpRequest& r, const Params& p);
  HttpResponse Alerts(const HttpRequest& r, const Params& p);
  HttpResponse Metrics(const HttpRequest& r, const Params& p);
  HttpResponse Health(const HttpRequest& r, const Params& p);
  HttpResponse Ping(const HttpRequest& r, const Params& p);
  HttpResponse ForceFlush(const HttpRequest& r, const Params& p);
  HttpResponse Index(const HttpRequest& r, const Params& p);
  HttpResponse Favicon(const HttpRequest& r, const Params& p);
  HttpResponse Asset(const HttpRequest& r, const Params& p);
  // An embedded file's answer: no-cache, revalidated by ETag (304 while it matches).
  HttpResponse Cached(const HttpRequest& r, std::string_view etag, std::string_view content_type,
                      std::string_view body);
  HttpResponse Dashboard(const HttpRequest& r, const Params& p);
  HttpResponse Stream(const HttpRequest& r, const Params& p);
  HttpResponse Export(const HttpRequest& r, const Params& p);   // JSON lines (export_jsonl.h)
  HttpResponse Import(const HttpRequest& r, const Params& p);

  Counter* RequestCounter(std::string_view handler, int status);

  ServerContext ctx_;
  size_t max_body_bytes_;
  std::unique_ptr<SelfMetrics> own_metrics_;  // when the context brings none
  SelfMetrics* metrics_;
  Clock* clock_;

  std::map<std::string, Histogram*, std::less<>> latency_;  // fixed after construction
  std::mutex counters_mu_;
  std::map<std::pair<std::string, int>, Counter*> counters_;  // GUARDED_BY(counters_mu_)

  Counter* points_received_;
  Counter* points_rejected_;
  Counter* points_stored_;
  Counter* samples_stored_;
  Counter* write_requests_failed_;
  std::atomic<uint64_t> own_write_epoch_{0};
  std::atomic<uint64_t>* write_epoch_;
  std::string dashboard_json_;  // fixed after construction
  std::string index_html_;      // index.html with dashboard_json_ filled in (IndexWithConfig)
  std::string index_etag_;      // the page's ETag and the panel list's hash
};

}  // namespace mm::server
