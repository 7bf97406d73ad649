#include "viz/plot_request.h"

#include <charconv>
#include <cmath>

#include "viz/timeframe.h"

namespace mm::viz {
namespace {

Status BadParam(std::string_view name, std::string_view value, std::string_view why) {
  return Status::InvalidArgument("bad " + std::string(name) + " \"" + std::string(value) +
                                 "\": " + std::string(why));
}

Result<int> ParseInt(std::string_view name, std::string_view v) {
  int out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) return BadParam(name, v, "expected an integer");
  return out;
}

Result<double> ParseDouble(std::string_view name, std::string_view v) {
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(out)) {
    return BadParam(name, v, "expected a number");
  }
  return out;
}

Result<bool> ParseBool(std::string_view name, std::string_view v) {
  if (v == "1" || v == "true" || v.empty()) return true;  // "?stacked" alone means on
  if (v == "0" || v == "false") return false;
  return BadParam(name, v, "expected true or false");
}

}  // namespace

Result<PlotPlan> PlanPlot(const PlotRequest& r, const VisualizeConfig& config, int64_t now_ms) {
  const PanelConfig* panel = nullptr;
  if (!r.panel.empty()) {
    panel = config.FindPanel(r.panel);
    if (panel == nullptr) {
      std::string known;
      for (const PanelConfig& p : config.panels) known += (known.empty() ? "" : ", ") + p.name;
      return Status::InvalidArgument("unknown panel \"" + r.panel + "\" (visualize.yaml has: " +
                                     (known.empty() ? "none" : known) + ")");
    }
  }
  PlotPlan plan;
  plan.query = !r.query.empty() ? r.query : panel != nullptr ? panel->query : "";
  if (plan.query.empty()) return Status::InvalidArgument("no query: give a metric, a query or a panel");

  ChartOptions& c = plan.chart;
  c = config.ToChartOptions(panel);
  if (!r.format.empty()) {
    MM_ASSIGN_OR_RETURN(c.format, ParseFormat(r.format));
  }
  if (!r.theme.empty()) {
    MM_ASSIGN_OR_RETURN(c.theme, ParseTheme(r.theme));
  }
  if (r.width) c.width = *r.width;
  if (r.height) c.height = *r.height;
  if (c.width < kMinSize || c.width > kMaxSize || c.height < kMinSize || c.height > kMaxSize) {
    return Status::InvalidArgument("size " + std::to_string(c.width) + "x" +
                                   std::to_string(c.height) + " out of range (" +
                                   std::to_string(kMinSize) + ".." + std::to_string(kMaxSize) +
                                   ")");
  }
  if (!r.title.empty()) c.title = r.title;
  if (c.title.empty()) c.title = plan.query;
  if (!r.unit.empty()) c.unit = r.unit;
  if (r.y_min) c.y_min = r.y_min;
  if (r.y_max) c.y_max = r.y_max;
  if (r.stacked) c.stacked = *r.stacked;
  if (r.utc) c.utc = *r.utc;
  c.series_label = plan.query;

  std::string timeframe = !r.timeframe.empty()                       ? r.timeframe
                          : panel != nullptr && !panel->timeframe.empty() ? panel->timeframe
                                                                          : config.timeframe;
  MM_ASSIGN_OR_RETURN(TimeRange range, ResolveTimeRange(timeframe, r.start, r.end, now_ms));
  plan.step_ms = ChooseStepMillis(range, c.width);
  // Steps on a fixed grid, so the same window renders the same points every time.
  plan.start_ms = (range.start_ms + plan.step_ms - 1) / plan.step_ms * plan.step_ms;
  if (range.start_ms < 0) plan.start_ms = range.start_ms;
  plan.end_ms = std::max(plan.start_ms, range.end_ms);
  c.start_ms = range.start_ms;
  c.end_ms = range.end_ms;
  c.step_ms = plan.step_ms;
  return plan;
}

Result<PlotRequest> PlotRequestFromParams(
    const std::vector<std::pair<std::string, std::string>>& params) {
  PlotRequest r;
  std::vector<std::string_view> seen;
  for (const auto& [name, value] : params) {
    bool first = true;
    for (std::string_view s : seen) first &= s != name;
    if (!first) continue;
    seen.push_back(name);
    if (name == "query") {
      r.query = value;
    } else if (name == "panel") {
      r.panel = value;
    } else if (name == "timeframe") {
      r.timeframe = value;
    } else if (name == "start") {
      r.start = value;
    } else if (name == "end") {
      r.end = value;
    } else if (name == "format") {
      r.format = value;
    } else if (name == "width") {
      MM_ASSIGN_OR_RETURN(r.width, ParseInt(name, value));
    } else if (name == "height") {
      MM_ASSIGN_OR_RETURN(r.height, ParseInt(name, value));
    } else if (name == "theme") {
      r.theme = value;
    } else if (name == "title") {
      r.title = value;
    } else if (name == "unit") {
      r.unit = value;
    } else if (name == "y_min") {
      MM_ASSIGN_OR_RETURN(r.y_min, ParseDouble(name, value));
    } else if (name == "y_max") {
      MM_ASSIGN_OR_RETURN(r.y_max, ParseDouble(name, value));
    } else if (name == "stacked") {
      MM_ASSIGN_OR_RETURN(r.stacked, ParseBool(name, value));
    } else if (name == "utc") {
      MM_ASSIGN_OR_RETURN(r.utc, ParseBool(name, value));
    }
  }
  return r;
}

Result<std::string> RenderPlan(const query::Engine& engine, const PlotPlan& plan) {
  MM_ASSIGN_OR_RETURN(QueryResult result,
                      engine.Range(plan.query, plan.start_ms, plan.end_ms, plan.step_ms));
  return RenderChart(result, plan.chart);
}

}  // namespace mm::viz
