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

// Every look option left unset takes the manager's visualize.yaml (the config directory's, when
// the manager was built from one; see docs/configuration.md), then a named panel's settings,
// then the built-in defaults shown here.
struct PlotOptions {
  // last_15m, last_hour, last_24h, last_7d, last_<duration>, a duration (30m, 1h, 2d), or
  // "START/END" with RFC 3339 or Unix-seconds times (END may be "now"). Empty: the panel's,
  // else visualize.yaml's (default last_hour).
  std::string timeframe;
  // The file to write; its extension (.png, .svg, .pdf) is the format. Empty: "<metric>.png"
  // (or the format's extension) in the current directory, from the query's letters and digits
  // (or the panel's name).
  std::string output;
  int width = 0;      // pixels (points for PDF), 64..8192; 0: visualize.yaml's (default 1000)
  int height = 0;     // 0: visualize.yaml's (default 500)
  std::string theme;  // "light" or "dark"; empty: visualize.yaml's (default light)
  std::string title;  // empty: the panel's, else the query
  std::string unit;   // "", "percent", "bytes", "bytes/s", "seconds", or any text
  std::optional<double> y_min, y_max;  // unset: the panel's, else from the data
  std::optional<bool> stacked;         // unset: the panel's, else not stacked
  std::optional<bool> utc;  // time labels in UTC; unset: visualize.yaml's (default: local zone)
  std::string start, end;   // explicit range (RFC 3339 or Unix seconds); wins over timeframe
  std::string format;       // "png" | "svg" | "pdf": overrides the extension
  // A named panel of visualize.yaml: its query (when the metric argument is empty), title, unit,
  // y range, stacking and timeframe, each overridden by the options set here.
  std::string panel;
};

// Queries `metric_or_promql` (or, when it is empty, options.panel's query) over the timeframe
// (about one point per pixel column), renders it and writes the file. Returns the path written.
std::string plot_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                         const PlotOptions& options = {});

// The same chart as bytes, without writing a file (format: options.format, else the output's
// extension, else PNG).
std::string render_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                           const PlotOptions& options = {});

}  // namespace mm
