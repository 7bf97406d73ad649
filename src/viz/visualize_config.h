// VisualizeConfig: config/visualize.yaml — the look of plots and of the dashboard (theme, size,
// colours, line width, default timeframe, time zone) and named panels (title, query, unit,
// y range, stacked) that both use. Every key has a default; errors name the file, line and key.
// Value types; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "viz/chart.h"

namespace mm::viz {

struct PanelConfig {
  std::string name;       // unique; how a plot or the dashboard refers to it
  std::string title;      // default: the name
  std::string query;      // PromQL (a metric name is one)
  std::string unit;       // see axis.h
  std::optional<double> y_min, y_max;
  bool stacked = false;
  std::string timeframe;  // empty: the file's default
};

struct VisualizeConfig {
  Theme theme = Theme::kLight;
  int width = 1000;
  int height = 500;
  double line_width = 1.5;
  std::vector<std::string> colors;  // empty: the theme's palette
  std::string timeframe = "last_hour";
  bool utc = false;
  int64_t refresh_ms = 5000;  // dashboard refresh
  std::vector<PanelConfig> panels;

  // nullptr when there is no panel of that name.
  const PanelConfig* FindPanel(std::string_view name) const;
  // The chart options these settings give (with a panel's title/unit/range/stacked when set).
  ChartOptions ToChartOptions(const PanelConfig* panel = nullptr) const;
};

// Parses the text of a visualize.yaml; `file_name` is used in error messages.
Result<VisualizeConfig> ParseVisualizeConfig(const std::string& text,
                                             const std::string& file_name);
// Reads `path` through `env`; a missing file gives the defaults.
Result<VisualizeConfig> LoadVisualizeConfig(Env& env, const std::string& path);

}  // namespace mm::viz
