// plot_metrics: renders a metric (or any PromQL expression) over a timeframe as a line chart —
// PNG, SVG or PDF, chosen by the output file's extension — from a MetricsManager's store.
// The chart has a time axis, a y axis with units, one line per series, a legend with each
// series' last/min/max/avg, and gaps where data is missing. See docs/configuration.md
// (visualize.yaml) for the look and docs of the timeframes.
// Thread-safe as MetricsManager::query_range is. A bad timeframe, extension, size, theme or
// query throws mm::Error naming it (a timeframe error lists the accepted forms).
#pragma once

#include <optional>
#include <string>

namespace mm {

class MetricsManager;

struct PlotOptions {
  // last_15m, last_hour, last_24h, last_7d, last_<duration>, a duration (30m, 1h, 2d), or
  // "START/END" with RFC 3339 or Unix-seconds times (END may be "now").
  std::string timeframe = "last_hour";
  // The file to write; its extension (.png, .svg, .pdf) is the format. Empty: "<metric>.png"
  // in the current directory (the query's letters and digits).
  std::string output;
  int width = 1000;  // pixels (points for PDF), 64..8192
  int height = 500;
  std::string theme = "light";  // "light" or "dark"
  std::string title;            // empty: the query
  std::string unit;             // "", "percent", "bytes", "bytes/s", "seconds", or any text
  std::optional<double> y_min, y_max;  // unset: from the data
  bool stacked = false;
  bool utc = false;             // time labels in UTC (default: the local zone)
  std::string start, end;       // explicit range (RFC 3339 or Unix seconds); wins over timeframe
  std::string format;           // "png" | "svg" | "pdf": overrides the extension
};

// Queries `metric_or_promql` over the timeframe (about one point per pixel column), renders it
// and writes the file. Returns the path written.
std::string plot_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                         const PlotOptions& options = {});

// The same chart as bytes, without writing a file (format: options.format, else the output's
// extension, else PNG).
std::string render_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                           const PlotOptions& options = {});

}  // namespace mm
