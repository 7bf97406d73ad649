#include "server/router.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <limits>

#include "ingest/gzip.h"
#include "ingest/jsonl_import.h"
#include "ingest/line_protocol.h"
#include "metrics_manager/version.h"
#include "server/export_jsonl.h"
#include "server/prom_json.h"
#include "server/prom_time.h"
#include "server/series_selector.h"
#include "server/web_assets.h"
#include "viz/plot_request.h"

namespace mm::server {

namespace {

constexpr unsigned kGet = 1, kPost = 2, kHead = 4;

constexpr std::string_view kLabelPrefix = "/api/v1/label/";
constexpr std::string_view kLabelSuffix = "/values";
constexpr std::string_view kOtherHandler = "other";

unsigned MethodBit(Method m) {
  switch (m) {
    case Method::kGet: return kGet;
    case Method::kPost: return kPost;
    case Method::kHead: return kHead;
    default: return 0;
  }
}

std::string AllowHeader(unsigned methods) {
  std::string out;
  auto add = [&](const char* m) {
    if (!out.empty()) out.append(", ");
    out.append(m);
  };
  if (methods & kGet) add("GET");
  if (methods & kHead) add("HEAD");
  if (methods & kPost) add("POST");
  return out;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

// Prometheus API errors: errorType and HTTP status as Prometheus' web/api/v1 answers them.
HttpResponse ApiError(std::string_view type, int status, std::string_view message) {
  return Json(status, EncodeError(type, message));
}
HttpResponse BadData(std::string_view message) { return ApiError("bad_data", 400, message); }
HttpResponse InvalidParam(std::string_view param, std::string_view message) {
  return BadData("invalid parameter \"" + std::string(param) + "\": " + std::string(message));
}

// An engine or storage failure. A kInvalidArgument is the client's fault (bad PromQL or
// parameter) and names `param`; the rest map as Prometheus' returnAPIError does.
HttpResponse ExecError(const Status& s, std::string_view param) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return param.empty() ? BadData(s.message()) : InvalidParam(param, s.message());
    case StatusCode::kDeadlineExceeded: return ApiError("timeout", 503, s.message());
    case StatusCode::kCanceled: return ApiError("canceled", 503, s.message());
    case StatusCode::kUnavailable: return ApiError("unavailable", 503, s.message());
    case StatusCode::kNotFound: return ApiError("not_found", 404, s.message());
    default: return ApiError("execution", 422, s.message());
  }
}

// InfluxDB's error bodies: 1.x {"error":"..."}, 2.x {"code":"invalid","message":"..."}.
HttpResponse InfluxError(bool v2, int status, std::string_view message) {
  std::string body;
  if (v2) {
    const char* code = status == 413   ? "request too large"
                       : status == 503 ? "unavailable"
                       : status == 429 ? "too many requests"
                       : status >= 500 ? "internal error"
                                       : "invalid";
    body = R"({"code":)";
    AppendJsonString(body, code);
    body.append(R"(,"message":)");
  } else {
    body = R"({"error":)";
  }
  AppendJsonString(body, message);
  body.push_back('}');
  HttpResponse r = Json(status, std::move(body));
  if (!v2) r.headers.emplace_back("X-Influxdb-Error", std::string(message.substr(0, 1024)));
  r.headers.emplace_back("X-Influxdb-Version", kVersion);
  if (status == 503 || status == 429) r.headers.emplace_back("Retry-After", "1");
  return r;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The media type without parameters, lower case ("application/x-www-form-urlencoded").
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return ToLower(t);
}

// Optional time parameter: empty means `fallback` (as Prometheus' parseTimeParam).
Result<int64_t> TimeParam(const Params& p, std::string_view name, int64_t fallback) {
  std::string_view v = p.Get(name);
  if (v.empty()) return fallback;
  auto t = ParsePromTimeMillis(v);
  if (!t.ok()) {
    return Status::InvalidArgument("invalid parameter \"" + std::string(name) +
                                   "\": " + t.status().message());
  }
  return t;
}

// match[] values → one matcher list per selector. Error messages are complete (bad_data).
Result<std::vector<std::vector<storage::LabelMatcher>>> MatcherSets(const Params& p) {
  std::vector<std::vector<storage::LabelMatcher>> sets;
  for (std::string_view m : p.GetAll("match[]")) {
    auto set = ParseSeriesSelector(m);
    if (!set.ok()) {
      return Status::InvalidArgument("invalid parameter \"match[]\": " + set.status().message());
    }
    sets.push_back(std::move(set).value());
  }
  return sets;
}

// Optional "limit" (Prometheus 2.49+): 0 or absent = no limit.
Result<size_t> LimitParam(const Params& p) {
  std::string_view v = p.Get("limit");
  if (v.empty()) return size_t{0};
  size_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9' || n > std::numeric_limits<size_t>::max() / 10 - 10) {
      return Status::InvalidArgument("invalid parameter \"limit\": cannot parse \"" +
                                     std::string(v) + "\" to a valid limit");
    }
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

// Appends ,"warnings":[...] before the closing brace of a success body.
void AddWarning(std::string& body, std::string_view warning) {
  body.pop_back();
  body.append(R"(,"warnings":[)");
  AppendJsonString(body, warning);
  body.append("]}");
}

// What the metadata and export routes select: the match[] selectors, the time range and a limit.
struct Selection {
  std::vector<std::vector<storage::LabelMatcher>> sets;  // never empty: {} is every series
  int64_t start_ms = std::numeric_limits<int64_t>::min();
  int64_t end_ms = std::numeric_limits<int64_t>::max();
  size_t limit = 0;  // 0: no limit
};

struct SelectionRules {
  bool match_required = false;  // /api/v1/series: no match[] is an error, not every series
  bool limit = true;            // read `limit` (the export has none)
};

// match[], start, end (absent: unbounded) and limit, checked in that order with Prometheus'
// messages (kInvalidArgument: the complete bad_data message).
Result<Selection> ParseSelection(const Params& p, SelectionRules rules) {
  if (rules.match_required && !p.Has("match[]")) {
    return Status::InvalidArgument("no match[] parameter provided");
  }
  Selection s;
  MM_ASSIGN_OR_RETURN(s.start_ms, TimeParam(p, "start", s.start_ms));
  MM_ASSIGN_OR_RETURN(s.end_ms, TimeParam(p, "end", s.end_ms));
  if (rules.limit) {
    MM_ASSIGN_OR_RETURN(s.limit, LimitParam(p));
  }
  MM_ASSIGN_OR_RETURN(s.sets, MatcherSets(p));
  if (s.sets.empty()) s.sets.emplace_back();  // no match[]: every series
  return s;
}

// The answers of `query` (matcher set → Result<std::vector<T>>) for every set, in one list.
template <typename T, typename Query>
Result<std::vector<T>> Gather(const Selection& s, Query query) {
  std::vector<T> all;
  for (const auto& set : s.sets) {
    Result<std::vector<T>> r = query(set);
    if (!r.ok()) return r.status();
    all.insert(all.end(), std::make_move_iterator(r->begin()), std::make_move_iterator(r->end()));
  }
  return all;
}

// 200 with `items` sorted, each once, cut to `limit` (0: all) with Prometheus' warning when cut.
template <typename T>
HttpResponse LimitedList(std::vector<T> items, size_t limit,
                         std::string (*encode)(const std::vector<T>&)) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  const bool truncated = limit > 0 && items.size() > limit;
  if (truncated) items.resize(limit);
  std::string body = encode(items);
  if (truncated) AddWarning(body, "results truncated due to limit");
  return Json(200, std::move(body));
}


}  // namespace

struct Router::Route {
  std::string_view name;  // also the handler label
  unsigned methods;
  HandlerFn fn;
};

Router::Router(ServerContext context, size_t max_body_bytes)
    : ctx_(std::move(context)), max_body_bytes_(max_body_bytes) {
  MM_CHECK(ctx_.storage != nullptr && ctx_.engine != nullptr,
           "the server needs a storage and a query engine");
  if (ctx_.metrics == nullptr) {
    own_metrics_ = std::make_unique<SelfMetrics>();
    metrics_ = own_metrics_.get();
  } else {
    metrics_ = ctx_.metrics;
  }
  clock_ = ctx_.clock != nullptr ? ctx_.clock : Clock::Real();

  static constexpr std::string_view kHandlers[] = {
      "/write", "/api/v2/write", "/api/v1/query", "/api/v1/query_range",
      "/api/v1/query_range_batch", "/api/v1/series", "/api/v1/labels",
      "/api/v1/label/:name/values", "/api/v1/status/buildinfo", "/api/v1/metadata",
      "/api/v1/query_exemplars", "/api/v1/rules", "/api/v1/alerts", "/metrics", "/health", "/ping",
      "/", "/favicon.ico", "/api/v1/dashboard", "/api/v1/stream", "/api/v1/export",
      "/api/v1/import", "/internal/force_flush", "/:asset", kOtherHandler};
  for (std::string_view h : kHandlers) {
    latency_.emplace(std::string(h),
                     metrics_->NewHistogram("mm_http_request_duration_seconds",
                                            "Time to answer HTTP requests, by handler.",
                                            SelfMetrics::LatencyBounds(),
                                            {{"handler", std::string(h)}}));
  }
  points_received_ = metrics_->NewCounter(
      "mm_http_write_points_received_total",
      "Line-protocol points received over HTTP (good and malformed lines).");
  points_rejected_ = metrics_->NewCounter("mm_http_write_points_rejected_total",
                                          "Line-protocol lines rejected as malformed.");
  points_stored_ = metrics_->NewCounter("mm_http_write_points_stored_total",
                                        "Line-protocol points stored.");
  samples_stored_ = metrics_->NewCounter("mm_http_write_samples_stored_total",
                                         "Samples stored from line-protocol writes.");
  write_requests_failed_ = metrics_->NewCounter(
      "mm_http_write_storage_failures_total", "Write requests the store refused (503/429).");
  if (ctx_.register_metrics) ctx_.register_metrics(*metrics_);
  write_epoch_ = ctx_.write_epoch != nullptr ? ctx_.write_epoch : &own_write_epoch_;
  dashboard_json_ = EncodeDashboard(ctx_.dashboard);
  if (const WebAsset* index = FindWebAsset("/index.html")) {
    index_html_ = IndexWithConfig(index->data, dashboard_json_);
    // The page's own hash and the panel list's: a new binary or a new visualize.yaml is a new
    // page. Same width as the other ETags (20 hex digits, quoted).
    char hash[12];
    std::snprintf(hash, sizeof hash, "%08zx",
                  std::hash<std::string>{}(dashboard_json_) & 0xffffffffu);
    index_etag_ = std::string(index->etag.substr(0, 13)) + hash + "\"";
  }
}

Router::~Router() = default;

Counter* Router::RequestCounter(std::string_view handler, int status) {
  std::lock_guard lock(counters_mu_);
  auto key = std::make_pair(std::string(handler), status);
  auto it = counters_.find(key);
  if (it != counters_.end()) return it->second;
  Counter* c = metrics_->NewCounter("mm_http_requests_total",
                                    "HTTP requests answered, by handler and status code.",
                                    {{"handler", key.first}, {"code", std::to_string(status)}});
  counters_.emplace(std::move(key), c);
  return c;
}

void Router::Record(std::string_view handler, int status, int64_t elapsed_ns) {
  // Unknown names (a raw path from the transport) count as "other": bounded label values.
  auto it = latency_.find(handler);
  if (it == latency_.end()) it = latency_.find(kOtherHandler);
  RequestCounter(it->first, status)->Add();
  it->second->Observe(static_cast<double>(elapsed_ns) / 1e9);
}

HttpResponse Router::Handle(const HttpRequest& req) {
  static const Route kRoutes[] = {
      {"/write", kPost, &Router::WriteV1},
      {"/api/v2/write", kPost, &Router::WriteV2},
      {"/api/v1/query", kGet | kPost, &Router::Query},
      {"/api/v1/query_range", kGet | kPost, &Router::QueryRange},
      {"/api/v1/query_range_batch", kGet | kPost, &Router::QueryRangeBatch},
      {"/api/v1/render", kGet | kHead, &Router::Render},
      {"/api/v1/series", kGet | kPost, &Router::Series},
      {"/api/v1/labels", kGet | kPost, &Router::Labels},
      {"/api/v1/status/buildinfo", kGet | kHead, &Router::BuildInfo},
      {"/api/v1/metadata", kGet | kHead, &Router::EmptyObject},
      {"/api/v1/query_exemplars", kGet | kPost, &Router::EmptyList},
      {"/api/v1/rules", kGet | kHead, &Router::Rules},
      {"/api/v1/alerts", kGet | kHead, &Router::Alerts},
      {"/metrics", kGet | kHead, &Router::Metrics},
      {"/health", kGet | kHead, &Router::Health},
      {"/ping", kGet | kHead, &Router::Ping},
      {"/", kGet | kHead, &Router::Index},
      {"/api/v1/dashboard", kGet | kHead, &Router::Dashboard},
      {"/api/v1/stream", kGet, &Router::Stream},
      {"/api/v1/export", kGet | kPost, &Router::Export},
      {"/api/v1/import", kPost, &Router::Import},
      {"/internal/force_flush", kGet | kPost, &Router::ForceFlush},
      {"/favicon.ico", kGet | kHead, &Router::Favicon},
  };
  static const Route kLabelValues = {"/api/v1/label/:name/values", kGet | kPost,
                                     &Router::LabelValues};
  static const Route kAsset = {"/:asset", kGet | kHead, &Router::Asset};

  const int64_t start = clock_->MonotonicNanos();
  const Route* route = nullptr;
  for (const Route& r : kRoutes) {
    if (req.path == r.name) {
      route = &r;
      break;
    }
  }
  if (route == nullptr && req.path.size() > kLabelPrefix.size() + kLabelSuffix.size() &&
      req.path.starts_with(kLabelPrefix) && req.path.ends_with(kLabelSuffix)) {
    route = &kLabelValues;
  }
  if (route == nullptr && FindWebAsset(req.path) != nullptr) route = &kAsset;

  HttpResponse resp;
  std::string_view handler = route ? route->name : kOtherHandler;
  if (route == nullptr) {
    resp = ApiError("not_found", 404, "no route for " + req.path);
  } else if ((route->methods & MethodBit(req.method)) == 0) {
    resp = ApiError("method_not_allowed", 405,
                    "method " + req.method_name + " not allowed for " + req.path + " (allowed: " +
                        AllowHeader(route->methods) + ")");
    resp.headers.emplace_back("Allow", AllowHeader(route->methods));
  } else {
    Params params;
    Status s = Status::Ok();
    // Go's net/http order: form-body values first, then the URL's.
    bool is_write = route->fn == &Router::WriteV1 || route->fn == &Router::WriteV2 ||
                    route->fn == &Router::Import;
    if (!is_write && req.method == Method::kPost &&
        MediaType(req.content_type) == "application/x-www-form-urlencoded") {
      s = params.AddEncoded(*req.body);
    }
    if (s.ok()) s = params.AddEncoded(req.query);
    if (!s.ok()) {
      resp = BadData("error parsing form values: " + s.message());
    } else {
      resp = (this->*(route->fn))(req, params);
    }
  }
  Record(handler, resp.status, clock_->MonotonicNanos() - start);
  return resp;
}

HttpResponse Router::Write(const HttpRequest& req, const Params& p, bool v2) {
  auto precision = ingest::ParsePrecision(p.Get("precision"));
  if (!precision.ok()) return InfluxError(v2, 400, precision.status().message());

  std::shared_ptr<const std::string> body = req.body;
  std::string encoding = ToLower(req.content_encoding);
  if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
    auto inflated = ingest::GunzipBody(*req.body, max_body_bytes_);
    if (!inflated.ok()) {
      // Over the limit is "too large", not "malformed". GunzipBody reports the limit as
      // kInvalidArgument "... exceeds the limit ..." for now; accept either spelling.
      const Status& s = inflated.status();
      bool too_large = s.code() == StatusCode::kResourceExhausted ||
                       s.message().find("exceeds the limit") != std::string::npos;
      int status = too_large ? 413 : 400;
      return InfluxError(v2, status, "cannot decompress body: " + inflated.status().message());
    }
    body = std::make_shared<const std::string>(std::move(inflated).value());
  } else if (!encoding.empty() && encoding != "identity") {
    return InfluxError(v2, 415, "unsupported Content-Encoding \"" + req.content_encoding + "\"");
  }

  ingest::ParseResult parsed = ingest::ParseLineProtocol(body, *precision, clock_->NowNanos());
  points_received_->Add(parsed.lines_ok + parsed.lines_failed);
  points_rejected_->Add(parsed.lines_failed);

  if (!parsed.batch.empty()) {
    auto stats = ctx_.storage->Write(parsed.batch);
    if (!stats.ok()) {
      const Status& s = stats.status();
      if (s.code() == StatusCode::kInvalidArgument) {
        return InfluxError(v2, 400, "write refused: " + s.message());
      }
      write_requests_failed_->Add();
      int status = s.code() == StatusCode::kResourceExhausted ? 429 : 503;
      return InfluxError(v2, status, "storage unavailable, retry later: " + s.message());
    }
    points_stored_->Add(parsed.lines_ok);
    write_epoch_->fetch_add(1, std::memory_order_release);
    samples_stored_->Add(stats->samples_stored);
    if (!stats->rejected_reason.empty()) {
      // As InfluxDB's "partial write: points beyond retention policy dropped=N": the rest is
      // stored, the client learns what was refused and why.
      return InfluxError(v2, 400, "partial write: " + stats->rejected_reason);
    }
  }

  if (parsed.lines_failed == 0) {
    HttpResponse r = Text(204, "");
    r.content_type.clear();
    r.headers.emplace_back("X-Influxdb-Version", kVersion);
    return r;
  }
  std::string msg = "partial write: ";
  size_t shown = std::min(parsed.errors.size(), kMaxLineErrorsReported);
  for (size_t i = 0; i < shown; ++i) {
    if (i) msg.append("; ");
    msg.append(ingest::ToString(parsed.errors[i]));
  }
  if (parsed.lines_failed > shown) {
    msg.append("; and " + std::to_string(parsed.lines_failed - shown) + " more");
  }
  msg.append(" (" + std::to_string(parsed.lines_ok) + " points written, " +
             std::to_string(parsed.lines_failed) + " lines rejected)");
  return InfluxError(v2, 400, msg);
}

HttpResponse Router::Query(const HttpRequest&, const Params& p) {
  auto t = TimeParam(p, "time", clock_->NowMillis());
  if (!t.ok()) return BadData(t.status().message());
  auto result = ctx_.engine->Instant(p.Get("query"), *t);
  if (!result.ok()) return ExecError(result.status(), "query");
  return Json(200, EncodeQueryResult(*result));
}

namespace {

struct RangeWindow {
  int64_t start_ms, end_ms, step_ms;
};

// start, end and step of a range query, checked in Prometheus' order, with its messages
// (kInvalidArgument: the complete bad_data message).
Result<RangeWindow> RangeParams(const Params& p) {
  auto invalid = [](std::string_view param, std::string_view message) {
    return Status::InvalidArgument("invalid parameter \"" + std::string(param) +
                                   "\": " + std::string(message));
  };
  auto start = ParsePromTimeMillis(p.Get("start"));
  if (!start.ok()) return invalid("start", start.status().message());
  auto end = ParsePromTimeMillis(p.Get("end"));
  if (!end.ok()) return invalid("end", end.status().message());
  if (*end < *start) return invalid("end", "end timestamp must not be before start time");
  auto step = ParsePromDurationMillis(p.Get("step"));
  if (!step.ok()) return invalid("step", step.status().message());
  if (*step <= 0) {
    return invalid("step",
                   "zero or negative query resolution step widths are not accepted. Try a "
                   "positive integer");
  }
  // (end - start) / step in 128 bits: the bounds may be the extreme "unbounded" times.
  __int128 points = (static_cast<__int128>(*end) - *start) / *step;
  if (points > kMaxPointsPerSeries) {
    return Status::InvalidArgument(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
        "resolution (?step=XX)");
  }
  return RangeWindow{*start, *end, *step};
}

}  // namespace

HttpResponse Router::QueryRange(const HttpRequest&, const Params& p) {
  auto w = RangeParams(p);
  if (!w.ok()) return BadData(w.status().message());
  auto result = ctx_.engine->Range(p.Get("query"), w->start_ms, w->end_ms, w->step_ms);
  if (!result.ok()) return ExecError(result.status(), "query");
  return Json(200, EncodeQueryResult(*result));
}

HttpResponse Router::QueryRangeBatch(const HttpRequest&, const Params& p) {
  std::vector<std::string_view> queries = p.GetAll("query");
  if (queries.empty()) return BadData("no query parameter provided");
  if (queries.size() > kMaxBatchQueries) {
    return InvalidParam("query", "more than " + std::to_string(kMaxBatchQueries) +
                                     " queries in one request");
  }
  auto w = RangeParams(p);
  if (!w.ok()) return BadData(w.status().message());
  // One element per query, in order: its series as columns (EncodeSeriesColumns) or the error
  // /api/v1/query_range would answer; one query's error does not fail the others.
  std::string body = R"({"status":"success","results":[)";
  for (size_t i = 0; i < queries.size(); ++i) {
    if (i) body.push_back(',');
    auto result = ctx_.engine->Range(queries[i], w->start_ms, w->end_ms, w->step_ms);
    body.append(result.ok() ? EncodeSeriesColumns(*result)
                            : ExecError(result.status(), "query").body);
  }
  body.append("]}");
  return Json(200, std::move(body));
}

HttpResponse Router::Render(const HttpRequest&, const Params& p) {
  auto request = viz::PlotRequestFromParams(p.items());
  if (!request.ok()) return BadData(request.status().message());
  auto plan = viz::PlanPlot(*request, ctx_.dashboard.visualize, clock_->NowMillis());
  if (!plan.ok()) return BadData(plan.status().message());
  auto image = viz::RenderPlan(*ctx_.engine, *plan);
  if (!image.ok()) return ExecError(image.status(), "");
  HttpResponse r;
  r.content_type = std::string(viz::ContentType(plan->chart.format));
  r.body = std::move(image).value();
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

HttpResponse Router::Series(const HttpRequest&, const Params& p) {
  auto sel = ParseSelection(p, {.match_required = true});
  if (!sel.ok()) return BadData(sel.status().message());
  auto series = Gather<mm::Labels>(*sel, [&](const auto& set) {
    return ctx_.storage->Series(set, sel->start_ms, sel->end_ms);
  });
  if (!series.ok()) return ExecError(series.status(), "");
  return LimitedList(std::move(series).value(), sel->limit, &EncodeSeriesList);
}

HttpResponse Router::Labels(const HttpRequest&, const Params& p) {
  auto sel = ParseSelection(p, {});
  if (!sel.ok()) return BadData(sel.status().message());
  auto names = Gather<std::string>(*sel, [&](const auto& set) {
    return ctx_.storage->LabelNames(set, sel->start_ms, sel->end_ms);
  });
  if (!names.ok()) return ExecError(names.status(), "");
  return LimitedList(std::move(names).value(), sel->limit, &EncodeStringList);
}

HttpResponse Router::LabelValues(const HttpRequest& req, const Params& p) {
  std::string_view name = std::string_view(req.path).substr(
      kLabelPrefix.size(), req.path.size() - kLabelPrefix.size() - kLabelSuffix.size());
  if (!IsValidLabelName(name)) {
    return BadData("invalid label name: \"" + std::string(name) + "\"");
  }
  auto sel = ParseSelection(p, {});
  if (!sel.ok()) return BadData(sel.status().message());
  auto values = Gather<std::string>(*sel, [&](const auto& set) {
    return ctx_.storage->LabelValues(name, set, sel->start_ms, sel->end_ms);
  });
  if (!values.ok()) return ExecError(values.status(), "");
  return LimitedList(std::move(values).value(), sel->limit, &EncodeStringList);
}

HttpResponse Router::BuildInfo(const HttpRequest&, const Params&) {
  std::string data = R"({"version":)";
  AppendJsonString(data, kVersion);
  data.append(R"(,"revision":"","branch":"","buildUser":"","buildDate":"",)"
              R"("goVersion":"","application":"metrics-manager"})");
  return Json(200, EncodeSuccessRaw(data));
}

HttpResponse Router::EmptyObject(const HttpRequest&, const Params&) {
  return Json(200, EncodeSuccessRaw("{}"));
}

HttpResponse Router::EmptyList(const HttpRequest&, const Params&) {
  return Json(200, EncodeSuccessRaw("[]"));
}

HttpResponse Router::Rules(const HttpRequest&, const Params&) {
  return Json(200, EncodeSuccessRaw(R"({"groups":[]})"));
}

HttpResponse Router::Alerts(const HttpRequest&, const Params&) {
  return Json(200, EncodeSuccessRaw(R"({"alerts":[]})"));
}

HttpResponse Router::Metrics(const HttpRequest&, const Params&) {
  return Text(200, metrics_->Render(), "text/plain; version=0.0.4; charset=utf-8");
}

HttpResponse Router::Health(const HttpRequest&, const Params&) { return Text(200, "OK\n"); }

// As VictoriaMetrics' endpoint of that name: what is in memory goes to its compact durable form
// (the durable store: the whole head into blocks), e.g. before measuring the size on disk.
HttpResponse Router::ForceFlush(const HttpRequest&, const Params&) {
  Status s = ctx_.storage->ForceFlush();
  if (!s.ok()) return Text(500, "force flush failed: " + s.ToString() + "\n");
  return Text(200, "OK\n");
}

HttpResponse Router::Ping(const HttpRequest&, const Params&) {
  HttpResponse r = Text(204, "");
  r.content_type.clear();
  r.headers.emplace_back("X-Influxdb-Version", kVersion);
  return r;
}

HttpResponse Router::Index(const HttpRequest& r, const Params& p) {
  if (index_html_.empty()) return Asset(r, p);
  return Cached(r, index_etag_, "text/html; charset=utf-8", index_html_);
}

HttpResponse Router::Favicon(const HttpRequest& r, const Params& p) {
  HttpRequest svg = r;
  svg.path = "/favicon.svg";
  return Asset(svg, p);
}

// Embedded files: revalidated on every load (no-cache) and answered 304 while the ETag matches,
// so a new binary's page is never mixed with an old cached script.
HttpResponse Router::Asset(const HttpRequest& req, const Params& p) {
  if (req.path == "/index.html") return Index(req, p);
  const WebAsset* a = FindWebAsset(req.path);
  if (a == nullptr) return ApiError("not_found", 404, "no route for " + req.path);
  return Cached(req, a->etag, a->content_type, a->data);
}

HttpResponse Router::Cached(const HttpRequest& req, std::string_view etag,
                            std::string_view content_type, std::string_view body) {
  HttpResponse r;
  r.headers.emplace_back("ETag", std::string(etag));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!req.if_none_match.empty() &&
      (req.if_none_match == "*" || req.if_none_match.find(etag) != std::string::npos)) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = std::string(content_type);
  r.body = std::string(body);
  return r;
}

HttpResponse Router::Dashboard(const HttpRequest&, const Params&) {
  HttpResponse r = Json(200, dashboard_json_);
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

HttpResponse Router::Stream(const HttpRequest&, const Params& p) {
  auto request = ParseStreamRequest(p);
  if (!request.ok()) return BadData(request.status().message());
  // Refuse bad PromQL now, with a status code, rather than as an event after the 200.
  for (const std::string& q : request->queries) {
    auto r = ctx_.engine->Instant(q, clock_->NowMillis());
    if (!r.ok() && r.status().code() == StatusCode::kInvalidArgument) {
      return InvalidParam("query", q + ": " + r.status().message());
    }
  }
  HttpResponse r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Accel-Buffering", "no");  // proxies: do not buffer the events
  r.body = "retry: 1000\n\n";                        // reconnect after 1 s when cut
  r.stream = std::make_shared<PanelStream>(*ctx_.engine, *clock_, *write_epoch_,
                                           std::move(request).value());
  return r;
}

}  // namespace mm::server

namespace mm::server {

HttpResponse Router::Export(const HttpRequest&, const Params& p) {
  // No match[]: every series (as VictoriaMetrics' default).
  auto sel = ParseSelection(p, {.limit = false});
  if (!sel.ok()) return BadData(sel.status().message());
  // Streamed: the series are listed now (an error is still a proper answer), then read and
  // sent a few at a time as the client reads.
  auto stream =
      ExportStream::Start(ctx_.storage, std::move(sel->sets), sel->start_ms, sel->end_ms);
  if (!stream.ok()) return ExecError(stream.status(), "");
  HttpResponse r = Text(200, "");
  r.content_type = "application/stream+json";
  r.stream = std::move(stream).value();
  return r;
}

HttpResponse Router::Import(const HttpRequest& req, const Params&) {
  ingest::ParseResult parsed = ingest::ParseJsonlImport(req.body);
  if (!parsed.batch.empty()) {
    auto stats = ctx_.storage->Write(parsed.batch);
    if (!stats.ok()) {
      const Status& s = stats.status();
      if (s.code() == StatusCode::kInvalidArgument) return BadData(s.message());
      write_requests_failed_->Add();
      int status = s.code() == StatusCode::kResourceExhausted ? 429 : 503;
      HttpResponse r = ApiError("unavailable", status, "storage unavailable, retry later: " +
                                                           s.message());
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    samples_stored_->Add(stats->samples_stored);
    write_epoch_->fetch_add(1, std::memory_order_release);
    if (!stats->rejected_reason.empty()) {
      return BadData("partial import: " + stats->rejected_reason);
    }
  }
  if (parsed.lines_failed > 0) {
    std::string msg;
    for (size_t i = 0; i < parsed.errors.size() && i < 10; ++i) {
      if (i) msg.append("; ");
      msg.append(ingest::ToString(parsed.errors[i]));
    }
    msg.append(" (" + std::to_string(parsed.lines_ok) + " lines imported, " +
               std::to_string(parsed.lines_failed) + " rejected)");
    return BadData(msg);
  }
  HttpResponse r = Text(204, "");
  r.content_type.clear();
  return r;
}

}  // namespace mm::server
