// plot_metrics / render_metrics (include/metrics_manager/plot.h): timeframe → range query on the
// manager's engine → viz::RenderChart → a file. Converts Status to mm::Error at this boundary.
#include "metrics_manager/plot.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include "api/manager_impl.h"
#include "metrics_manager/manager.h"
#include "viz/chart.h"
#include "viz/timeframe.h"

namespace mm {
namespace {

[[noreturn]] void Throw(const std::string& what, const Status& s) {
  throw Error(what + ": " + s.message());
}

template <typename T>
T OrThrow(Result<T> r, const std::string& what) {
  if (!r.ok()) Throw(what, r.status());
  return std::move(r).value();
}

viz::Format FormatOf(const PlotOptions& o) {
  if (!o.format.empty()) return OrThrow(viz::ParseFormat(o.format), "plot_metrics");
  if (!o.output.empty()) return OrThrow(viz::FormatFromPath(o.output), "plot_metrics");
  return viz::Format::kPng;
}

// "rate(x_total[1m])" → "rate_x_total_1m": a file name from the query's letters and digits.
std::string DefaultOutput(const std::string& query) {
  std::string name;
  for (char c : query) {
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    if (word) {
      name += c;
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
    if (name.size() >= 80) break;
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return (name.empty() ? "plot" : name) + ".png";
}

}  // namespace

std::string render_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                           const PlotOptions& options) {
  if (metric_or_promql.empty()) throw Error("plot_metrics: the metric or query is empty");
  viz::ChartOptions c;
  c.format = FormatOf(options);
  c.theme = OrThrow(viz::ParseTheme(options.theme), "plot_metrics");
  c.width = options.width;
  c.height = options.height;
  if (c.width < viz::kMinSize || c.width > viz::kMaxSize || c.height < viz::kMinSize ||
      c.height > viz::kMaxSize) {
    throw Error("plot_metrics: size " + std::to_string(c.width) + "x" + std::to_string(c.height) +
                " out of range (" + std::to_string(viz::kMinSize) + ".." +
                std::to_string(viz::kMaxSize) + ")");
  }
  int64_t now = manager.impl().clock->NowMillis();
  viz::TimeRange range = OrThrow(
      viz::ResolveTimeRange(options.timeframe, options.start, options.end, now), "plot_metrics");
  int64_t step = viz::ChooseStepMillis(range, c.width);
  // Steps on a fixed grid, so the same window renders the same points every time.
  int64_t first = range.start_ms / step * step;
  if (first < range.start_ms) first += step;

  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  QueryResult result = manager.query_range(
      metric_or_promql, system_clock::time_point(milliseconds(first)),
      system_clock::time_point(milliseconds(std::max(first, range.end_ms))), milliseconds(step));

  c.title = options.title.empty() ? metric_or_promql : options.title;
  c.unit = options.unit;
  c.y_min = options.y_min;
  c.y_max = options.y_max;
  c.stacked = options.stacked;
  c.utc = options.utc;
  c.start_ms = range.start_ms;
  c.end_ms = range.end_ms;
  c.step_ms = step;
  c.series_label = metric_or_promql;
  return OrThrow(viz::RenderChart(result, c), "plot_metrics");
}

std::string plot_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                         const PlotOptions& options) {
  PlotOptions o = options;
  if (o.output.empty()) o.output = DefaultOutput(metric_or_promql);
  std::string bytes = render_metrics(manager, metric_or_promql, o);
  std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
  if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (out) out.close();
  if (!out) {
    throw Error("plot_metrics: cannot write \"" + o.output + "\": " + std::strerror(errno));
  }
  return o.output;
}

std::string MetricsManager::plot_metrics(const std::string& metric_or_promql,
                                         const PlotOptions& options) {
  return mm::plot_metrics(*this, metric_or_promql, options);
}

}  // namespace mm
