// mm::MetricsManager: the whole chain in one object — sources collect on their intervals, points
// flow through the pipeline into the primary store, and PromQL queries read it back.
// Default-constructed it runs on the embedded in-memory store with no config; constructed from a
// config directory it reads metrics-manager.yaml / storage.yaml there (see docs/configuration.md).
// Thread-safe: add_metric before start(); write/query from any thread while running.
// Misuse (unknown source, bad interval, duplicate name, bad PromQL) throws mm::Error.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics_manager/error.h"
#include "metrics_manager/plot.h"
#include "metrics_manager/point.h"
#include "metrics_manager/query_result.h"

namespace mm {

struct MetricOptions {
  // "system" (a host metric by name, e.g. CPU_Usage, Memory_Usage, or "all"),
  // "custom" (the callback below).
  std::string source = "system";
  std::chrono::milliseconds interval = std::chrono::seconds(1);
  std::function<double()> callback;       // source == "custom"
  std::vector<std::pair<std::string, std::string>> labels;  // extra labels on the series
};

struct ManagerOptions {
  std::filesystem::path data_dir;        // empty: in memory
  std::string listen;                    // "HOST:PORT" to serve the HTTP API; empty: none
  std::chrono::milliseconds lookback_delta = std::chrono::minutes(5);
};

class MetricsManager {
 public:
  MetricsManager();
  explicit MetricsManager(ManagerOptions options);
  // Reads the YAML files in `config_dir`; a missing file means all defaults.
  explicit MetricsManager(const std::filesystem::path& config_dir);
  struct Impl;  // defined in src/api
  // Internal: how src/api builds a manager from a parsed config (see api::NewMetricsManager).
  explicit MetricsManager(std::unique_ptr<Impl> impl);
  ~MetricsManager();  // calls stop()
  MetricsManager(const MetricsManager&) = delete;
  MetricsManager& operator=(const MetricsManager&) = delete;

  // REQUIRES: not started. Throws mm::Error naming the metric on a bad source/interval/duplicate.
  void add_metric(const std::string& name, MetricOptions options = {});

  // Starts the sources (and the HTTP listener if configured). Idempotent.
  void start();
  // Stops the sources, drains queues and flushes the store. Idempotent.
  void stop();
  bool running() const;

  // Stores points now; timestamp 0 means now. Throws mm::Error if the store refuses them.
  void write(const std::vector<Point>& points);

  // PromQL instant query at `time` (default: now).
  QueryResult query(const std::string& promql,
                    std::optional<std::chrono::system_clock::time_point> time = std::nullopt);
  // PromQL range query over [start, end] every `step`.
  QueryResult query_range(const std::string& promql, std::chrono::system_clock::time_point start,
                          std::chrono::system_clock::time_point end,
                          std::chrono::milliseconds step);

  // Renders `metric_or_promql` over options.timeframe to options.output (PNG/SVG/PDF by the
  // extension); the same as mm::plot_metrics(*this, ...) in plot.h. Returns the path written.
  std::string plot_metrics(const std::string& metric_or_promql, const PlotOptions& options = {});

  // The names of the metrics added with add_metric, in order.
  std::vector<std::string> metrics() const;

  // Internal parts (server, CLI, tests) reach the engine through this.
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mm
