// The dashboard's server half: its panel list (/api/v1/dashboard, from config/visualize.yaml or a
// built-in overview of the host and of the daemon's own ingestion) and its live updates
// (/api/v1/stream: server-sent events that carry the newest points of the panel queries each
// time the store's write epoch moves). Plain C++, no Beast: the transport streams the events.
// DashboardConfig is a value type; PanelStream is used by one transport session at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "query/engine.h"
#include "server/http_types.h"
#include "server/params.h"
#include "viz/visualize_config.h"

namespace mm::server {

struct DashboardPanel {
  std::string title;
  std::vector<std::string> queries;  // PromQL; one line per result series
  std::string unit;                  // as visualize.yaml: percent, bytes, bytes/s, s, ...
  std::optional<double> y_min, y_max;
  bool stacked = false;
};

struct DashboardConfig {
  std::vector<DashboardPanel> panels;  // empty: DefaultDashboardPanels()
  std::string timeframe = "last_hour";
  std::string theme;  // "" follows the browser (prefers-color-scheme)
  // The whole visualize.yaml: the look (theme, size, colours, line width, timeframe, time zone)
  // and the named panels of GET /api/v1/render.
  viz::VisualizeConfig visualize;
};

// The overview shown when visualize.yaml has no panels: CPU, memory, load, network, disk, and
// the daemon's own ingestion rates and queue depth.
std::vector<DashboardPanel> DefaultDashboardPanels();

// {"timeframe":"last_hour","theme":"","panels":[{"title":..,"queries":[..],"unit":..,
//  "y_min":..,"y_max":..,"stacked":..}]} — the defaults when config.panels is empty.
std::string EncodeDashboard(const DashboardConfig& config);

// The element of index.html that carries the panel list, and the page with it filled in: the
// server writes EncodeDashboard's JSON there, so the page knows its panels without a round trip
// and starts the data requests before its scripts load. Every '<' in the JSON is written \u003c,
// so no value can end the element early (or open a comment in it). A page without the element is
// returned unchanged.
inline constexpr std::string_view kIndexConfigElement =
    R"(<script type="application/json" id="mm-config">null</script>)";
std::string IndexWithConfig(std::string_view index_html, std::string_view config_json);

// One query's answer in /api/v1/query_range_batch: the series as columns, ready for a chart —
//   {"status":"success","series":[{"metric":{..},"t":[seconds,..],"v":[number|null,..]}]}
// Times as Prometheus writes them (seconds, up to 3 decimals), values as JSON numbers and null
// where a value is not finite (NaN, ±Inf: a gap on the chart). A page parses this into number
// arrays with no work per point, where [[t,"v"],..] costs an array and a string per point.
// A scalar is one series with no labels.
std::string EncodeSeriesColumns(const QueryResult& result);

// What one /api/v1/stream asks for: the panel queries (`query`, repeated), the chart step
// (`step`, a duration or seconds) and how many recent steps each event repeats (`steps`, 1..60,
// default 3: late samples in the last steps are corrected on screen).
struct StreamRequest {
  std::vector<std::string> queries;
  int64_t step_ms = 15000;
  int64_t steps = 3;
};
// kInvalidArgument naming the parameter for a missing query, more than 64, or a bad step.
Result<StreamRequest> ParseStreamRequest(const Params& params);

// The events of one stream. Each Poll evaluates every query over the last `steps` aligned steps
// (a range query) and at the present (an instant query: the live edge) and answers one event:
//   event: points
//   data: {"t":<now ms>,"results":[{"range":<query_range JSON>,"now":<query JSON>}|
//                                  {"error":"..."}, ...]}
// in the order of the queries. Changed() is true when `epoch` moved since the last Poll (and
// before the first, so a new client gets the current tail at once).
class PanelStream : public EventStream {
 public:
  // Borrows engine, clock and epoch (the server outlives its streams).
  PanelStream(const query::Engine& engine, Clock& clock, const std::atomic<uint64_t>& epoch,
              StreamRequest request);

  bool Changed() override;
  std::optional<std::string> Poll() override;

 private:
  const query::Engine& engine_;
  Clock& clock_;
  const std::atomic<uint64_t>& epoch_;
  StreamRequest request_;
  std::atomic<uint64_t> polled_epoch_{~uint64_t{0}};
};

}  // namespace mm::server
