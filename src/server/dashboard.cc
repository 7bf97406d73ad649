#include "server/dashboard.h"

#include <charconv>
#include <cmath>

#include "server/prom_json.h"
#include "server/prom_time.h"

namespace mm::server {

namespace {

constexpr size_t kMaxStreamQueries = 64;
constexpr int64_t kMaxStreamSteps = 60;

// The shortest round-trip digits without an exponent (as AppendPromValue, unquoted); null when
// there is no finite value.
void AppendNumberOrNull(std::string& out, std::optional<double> v) {
  if (!v || !std::isfinite(*v)) {
    out.append("null");
    return;
  }
  char buf[400];  // the longest fixed form of a double has 309 digits before the point
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v, std::chars_format::fixed);
  out.append(buf, end);
}

}  // namespace

std::vector<DashboardPanel> DefaultDashboardPanels() {
  auto panel = [](std::string title, std::vector<std::string> queries, std::string unit = "",
                  std::optional<double> y_min = std::nullopt,
                  std::optional<double> y_max = std::nullopt) {
    DashboardPanel p;
    p.title = std::move(title);
    p.queries = std::move(queries);
    p.unit = std::move(unit);
    p.y_min = y_min;
    p.y_max = y_max;
    return p;
  };
  return {
      panel("CPU usage", {"CPU_Usage"}, "percent", 0, 100),
      panel("Memory usage", {"Memory_Usage"}, "percent", 0, 100),
      panel("Load average", {"system_load1", "system_load5", "system_load15"}, "", 0),
      panel("Network", {"rate(net_bytes_recv[1m])", "rate(net_bytes_sent[1m])"}, "bytes/s", 0),
      panel("Disk I/O", {"rate(diskio_read_bytes[1m])", "rate(diskio_write_bytes[1m])"}, "bytes/s",
            0),
      panel("Ingestion (points/s)",
            {"rate(mm_http_write_points_received_total[1m])",
             "rate(mm_http_write_points_rejected_total[1m])",
             "rate(mm_pipeline_points_written_total[1m])",
             "rate(mm_pipeline_rejected_batches_total[1m])"},
            "", 0),
      panel("Pipeline queue (points)", {"mm_pipeline_queued_points"}, "", 0),
  };
}

std::string EncodeDashboard(const DashboardConfig& config) {
  const std::vector<DashboardPanel> defaults =
      config.panels.empty() ? DefaultDashboardPanels() : std::vector<DashboardPanel>{};
  const std::vector<DashboardPanel>& panels = config.panels.empty() ? defaults : config.panels;
  std::string out = R"({"timeframe":)";
  AppendJsonString(out, config.timeframe);
  out.append(R"(,"theme":)");
  AppendJsonString(out, config.theme);
  out.append(R"(,"default":)");
  out.append(config.panels.empty() ? "true" : "false");
  out.append(R"(,"panels":[)");
  for (size_t i = 0; i < panels.size(); ++i) {
    const DashboardPanel& p = panels[i];
    if (i) out.push_back(',');
    out.append(R"({"title":)");
    AppendJsonString(out, p.title);
    out.append(R"(,"queries":[)");
    for (size_t q = 0; q < p.queries.size(); ++q) {
      if (q) out.push_back(',');
      AppendJsonString(out, p.queries[q]);
    }
    out.append(R"(],"unit":)");
    AppendJsonString(out, p.unit);
    out.append(R"(,"y_min":)");
    AppendNumberOrNull(out, p.y_min);
    out.append(R"(,"y_max":)");
    AppendNumberOrNull(out, p.y_max);
    out.append(R"(,"stacked":)");
    out.append(p.stacked ? "true" : "false");
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

std::string EncodeSeriesColumns(const QueryResult& result) {
  std::string out = R"({"status":"success","series":[)";
  auto append_series = [&out](const Labels& labels, const std::vector<SamplePoint>& samples) {
    out.append(R"({"metric":)");
    AppendLabelsObject(out, labels);
    out.append(R"(,"t":[)");
    for (size_t i = 0; i < samples.size(); ++i) {
      if (i) out.push_back(',');
      AppendPromTimestamp(out, samples[i].timestamp_ms);
    }
    out.append(R"(],"v":[)");
    for (size_t i = 0; i < samples.size(); ++i) {
      if (i) out.push_back(',');
      AppendNumberOrNull(out, samples[i].value);
    }
    out.append("]}");
  };
  switch (result.type) {
    case QueryResult::Type::kScalar:
      append_series(Labels{}, {result.scalar});
      break;
    case QueryResult::Type::kVector:
    case QueryResult::Type::kMatrix:
      for (size_t i = 0; i < result.series.size(); ++i) {
        if (i) out.push_back(',');
        append_series(result.series[i].labels, result.series[i].samples);
      }
      break;
    case QueryResult::Type::kString:
      break;  // nothing to chart
  }
  out.append("]}");
  return out;
}

std::string IndexWithConfig(std::string_view index_html, std::string_view config_json) {
  const size_t at = index_html.find(kIndexConfigElement);
  if (at == std::string_view::npos) return std::string(index_html);
  constexpr std::string_view kNull = "null</script>";
  const std::string_view open =
      kIndexConfigElement.substr(0, kIndexConfigElement.size() - kNull.size());
  std::string out(index_html.substr(0, at));
  out.append(open);
  for (char c : config_json) {
    if (c == '<') {
      out.append("\\u003c");  // only inside JSON strings, where the escape means the same
    } else {
      out.push_back(c);
    }
  }
  out.append("</script>");
  out.append(index_html.substr(at + kIndexConfigElement.size()));
  return out;
}

Result<StreamRequest> ParseStreamRequest(const Params& params) {
  StreamRequest r;
  for (std::string_view q : params.GetAll("query")) {
    if (q.empty()) return Status::InvalidArgument("invalid parameter \"query\": empty expression");
    r.queries.emplace_back(q);
  }
  if (r.queries.empty()) return Status::InvalidArgument("no query parameter provided");
  if (r.queries.size() > kMaxStreamQueries) {
    return Status::InvalidArgument("invalid parameter \"query\": more than " +
                                   std::to_string(kMaxStreamQueries) + " queries in one stream");
  }
  if (params.Has("step")) {
    auto step = ParsePromDurationMillis(params.Get("step"));
    if (!step.ok()) {
      return Status::InvalidArgument("invalid parameter \"step\": " + step.status().message());
    }
    if (*step <= 0) return Status::InvalidArgument("invalid parameter \"step\": must be positive");
    r.step_ms = *step;
  }
  if (params.Has("steps")) {
    std::string_view v = params.Get("steps");
    int64_t n = 0;
    bool ok = !v.empty() && v.size() <= 3;
    for (char c : v) ok = ok && c >= '0' && c <= '9' && ((n = n * 10 + (c - '0')), true);
    if (!ok || n < 1 || n > kMaxStreamSteps) {
      return Status::InvalidArgument("invalid parameter \"steps\": expected 1.." +
                                     std::to_string(kMaxStreamSteps));
    }
    r.steps = n;
  }
  return r;
}

PanelStream::PanelStream(const query::Engine& engine, Clock& clock,
                         const std::atomic<uint64_t>& epoch, StreamRequest request)
    : engine_(engine), clock_(clock), epoch_(epoch), request_(std::move(request)) {}

bool PanelStream::Changed() {
  return epoch_.load(std::memory_order_acquire) != polled_epoch_.load(std::memory_order_relaxed);
}

std::optional<std::string> PanelStream::Poll() {
  // Read the epoch before the queries: a write that lands during them moves it again, so the
  // next tick polls once more and nothing is missed.
  polled_epoch_.store(epoch_.load(std::memory_order_acquire), std::memory_order_relaxed);
  const int64_t now = clock_.NowMillis();
  const int64_t step = request_.step_ms;
  const int64_t end = now - ((now % step) + step) % step;  // floor to the step grid
  const int64_t start = end - (request_.steps - 1) * step;
  std::string out = "event: points\ndata: {\"t\":" + std::to_string(now) + ",\"results\":[";
  for (size_t i = 0; i < request_.queries.size(); ++i) {
    if (i) out.push_back(',');
    const std::string& q = request_.queries[i];
    auto range = engine_.Range(q, start, end, step);
    auto instant = range.ok() ? engine_.Instant(q, now) : Result<QueryResult>(range.status());
    if (!range.ok() || !instant.ok()) {
      out.append(R"({"error":)");
      AppendJsonString(out, (range.ok() ? instant : range).status().message());
      out.push_back('}');
      continue;
    }
    out.append(R"({"range":)");
    out.append(EncodeQueryResult(*range));
    out.append(R"(,"now":)");
    out.append(EncodeQueryResult(*instant));
    out.push_back('}');
  }
  out.append("]}\n\n");
  return out;
}

}  // namespace mm::server
