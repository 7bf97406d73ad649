// PlotRequest: what a plot asks for — a query (or a visualize.yaml panel), a timeframe or an
// explicit start/end, and the look — as `metrics-manager plot`, GET /api/v1/render and
// plot_metrics share it. PlanPlot resolves it against visualize.yaml's defaults into the range
// query to run and the chart options; RenderPlan runs it on an engine and renders.
// Value types and pure functions (RenderPlan is as thread-safe as the engine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "query/engine.h"
#include "viz/chart.h"
#include "viz/visualize_config.h"

namespace mm::viz {

struct PlotRequest {
  std::string query;      // a metric name or PromQL; may be empty when `panel` is set
  std::string panel;      // a visualize.yaml panel: its query, title, unit, range, timeframe
  std::string timeframe;  // empty: the panel's, else the config's
  std::string start, end; // explicit range (RFC 3339 or Unix seconds); win over timeframe
  std::string format;     // png | svg | pdf; empty: png
  std::optional<int> width, height;
  std::string theme, title, unit;  // empty: from the panel / config
  std::optional<double> y_min, y_max;
  std::optional<bool> stacked, utc;
};

struct PlotPlan {
  std::string query;
  int64_t start_ms = 0, end_ms = 0, step_ms = 0;  // the range query (start on the step grid)
  ChartOptions chart;                             // with the time range and step set
};

// Errors (kInvalidArgument) name the parameter: an unknown panel, no query, a bad timeframe,
// format, theme or size.
Result<PlotPlan> PlanPlot(const PlotRequest& request, const VisualizeConfig& config,
                          int64_t now_ms);

// URL parameters (the first value of each name wins): query, panel, timeframe, start, end,
// format, width, height, theme, title, unit, y_min, y_max, stacked, utc. Unknown names are
// ignored (caches add their own); malformed numbers and booleans are errors.
Result<PlotRequest> PlotRequestFromParams(
    const std::vector<std::pair<std::string, std::string>>& params);

// Runs the plan's range query on `engine` and renders the chart.
Result<std::string> RenderPlan(const query::Engine& engine, const PlotPlan& plan);

}  // namespace mm::viz
