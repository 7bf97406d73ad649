// plot_metrics / render_metrics (include/metrics_manager/plot.h): the options over the manager's
// visualize.yaml (and a named panel) → range query on the manager's engine → viz::RenderChart →
// a file. Converts Status to mm::Error at this boundary.
#include "metrics_manager/plot.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>

#include "api/manager_impl.h"
#include "metrics_manager/manager.h"
#include "viz/chart.h"
#include "viz/plot_request.h"

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

}  // namespace

std::string render_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                           const PlotOptions& options) {
  if (metric_or_promql.empty() && options.panel.empty()) {
    throw Error("plot_metrics: the metric or query is empty (and no panel is named)");
  }
  auto size = [](int pixels) { return pixels != 0 ? std::optional<int>(pixels) : std::nullopt; };
  viz::PlotRequest request{.query = metric_or_promql,
                           .panel = options.panel,
                           .timeframe = options.timeframe,
                           .start = options.start,
                           .end = options.end,
                           .width = size(options.width),
                           .height = size(options.height),
                           .theme = options.theme,
                           .title = options.title,
                           .unit = options.unit,
                           .y_min = options.y_min,
                           .y_max = options.y_max,
                           .stacked = options.stacked,
                           .utc = options.utc};
  MetricsManager::Impl& impl = manager.impl();
  viz::PlotPlan plan = OrThrow(
      viz::PlanPlot(request, impl.dashboard.visualize, impl.clock->NowMillis()), "plot_metrics");
  plan.chart.format = FormatOf(options);

  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  QueryResult result = manager.query_range(
      plan.query, system_clock::time_point(milliseconds(plan.start_ms)),
      system_clock::time_point(milliseconds(plan.end_ms)), milliseconds(plan.step_ms));
  return OrThrow(viz::RenderChart(result, plan.chart), "plot_metrics");
}

std::string plot_metrics(MetricsManager& manager, const std::string& metric_or_promql,
                         const PlotOptions& options) {
  PlotOptions o = options;
  if (o.output.empty()) {
    o.output =
        viz::DefaultOutputName(metric_or_promql.empty() ? o.panel : metric_or_promql, FormatOf(o));
  }
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
