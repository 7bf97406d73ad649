// `metrics-manager plot`: asks a server's /api/v1/query_range for a metric, a PromQL expression
// or a visualize.yaml panel over a timeframe, renders the chart here (mm_viz) and writes
// PNG/SVG/PDF by the output's extension. Functions of their arguments; thread-compatible.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "core/status.h"
#include "metrics_manager/query_result.h"

namespace mm::cli {

struct PlotCommandOptions {
  std::string metric;      // positional: a metric name (or any PromQL)
  std::string query;       // --query: a PromQL expression (wins over `metric`)
  std::string panel;       // --panel: a visualize.yaml panel
  std::string timeframe;   // empty: the panel's / visualize.yaml's (last_hour)
  std::string start, end;
  std::string output;      // -o; empty: "<panel or metric>.png"
  std::string server = kDefaultServer;
  std::string config_dir;  // where visualize.yaml is; empty: ./config if it has one
  std::string theme, title, unit, format;
  std::optional<int> width, height;
  std::optional<double> y_min, y_max;
  bool stacked = false, utc = false;
};
int PlotCommand(const PlotCommandOptions& options, std::ostream& out, std::ostream& err);

// A Prometheus API success body (matrix, vector or scalar) → QueryResult.
Result<QueryResult> DecodeQueryResponse(std::string_view body);

}  // namespace mm::cli
