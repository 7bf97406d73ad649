// RenderChart: draws a query answer (a matrix; a vector or scalar draws dots) as a line chart —
// title, time axis, y axis with units, one line per series from a palette, gaps where data is
// missing, and a legend with each series' labels and last/min/max/avg — to PNG, SVG or PDF bytes.
// Many samples are reduced per pixel column (first/min/max/last), so 10 M samples draw about
// 4 × width vertices and a one-sample spike still shows. Pure function of its inputs;
// thread-safe (each call has its own surfaces).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "metrics_manager/query_result.h"

namespace mm::viz {

enum class Format { kPng, kSvg, kPdf };
enum class Theme { kLight, kDark };

// "png" | "svg" | "pdf".
Result<Format> ParseFormat(std::string_view name);
// From a file name's extension (.png .svg .pdf, any case).
Result<Format> FormatFromPath(std::string_view path);
// A file name for a plot of `query` when none is given: its letters, digits, '_' and '-' (other
// runs become one '_', at most 80), and the format's extension:
// "rate(x_total[1m])" → "rate_x_total_1m.png"; "plot.png" when nothing is left.
std::string DefaultOutputName(std::string_view query, Format format);
// "light" | "dark".
Result<Theme> ParseTheme(std::string_view name);
std::string_view ContentType(Format format);

inline constexpr int kMinSize = 64;
inline constexpr int kMaxSize = 8192;

struct ChartOptions {
  Format format = Format::kPng;
  int width = 1000;  // pixels (points for PDF), kMinSize..kMaxSize
  int height = 500;
  Theme theme = Theme::kLight;
  std::string title;
  std::string unit;                      // see axis.h: "", "percent", "bytes", "seconds", "W", …
  std::optional<double> y_min, y_max;    // fixed ends of the y axis; unset: from the data
  bool stacked = false;                  // series summed in order, areas filled
  int64_t start_ms = 0, end_ms = 0;      // time range; both 0: the data's extent
  int64_t step_ms = 0;                   // the data's spacing (a range query's step); 0: inferred
  bool utc = false;                      // time labels in UTC instead of the local zone
  double line_width = 1.5;
  std::vector<std::string> colors;       // "#rrggbb" palette; empty: the theme's
  std::string series_label;              // legend text for a series without labels (the query)
  bool legend = true;
};

// Where things land, so callers (and tests) can map data to pixels.
struct ChartLayout {
  double plot_left = 0, plot_top = 0, plot_right = 0, plot_bottom = 0;  // the plot area
  int64_t start_ms = 0, end_ms = 0;
  double y_min = 0, y_max = 1;
  int legend_rows = 0;       // series listed in the legend (the rest are counted in one line)
  int hidden_series = 0;     // series not listed for lack of room

  double X(int64_t t_ms) const {
    return plot_left + static_cast<double>(t_ms - start_ms) * (plot_right - plot_left) /
                           static_cast<double>(end_ms - start_ms);
  }
  double Y(double v) const {
    return plot_bottom - (v - y_min) * (plot_bottom - plot_top) / (y_max - y_min);
  }
};

// The layout RenderChart uses for these inputs (errors as RenderChart's).
Result<ChartLayout> ComputeChartLayout(const QueryResult& result, const ChartOptions& options);

// Errors: kInvalidArgument for a size out of range, a bad colour, an empty or inverted y range,
// a string result.
Result<std::string> RenderChart(const QueryResult& result, const ChartOptions& options);

// The default palettes (ten colours each).
const std::vector<std::string>& DefaultPalette(Theme theme);

}  // namespace mm::viz
