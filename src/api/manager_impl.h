// MetricsManager::Impl: wires the parts together — sources on a scheduler → pipeline → the
// primary store; the query engine over that store; the HTTP server when a listen address is set.
// Internal (src/api); the CLI and tests reach it through MetricsManager::impl().
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/config.h"
#include "core/clock.h"
#include "core/self_metrics.h"
#include "metrics_manager/manager.h"
#include "pipeline/pipeline.h"
#include "query/engine.h"
#include "server/http_server.h"
#include "sources/scheduler.h"
#include "sources/source.h"
#include "storage/storage.h"

namespace mm {

struct MetricsManager::Impl {
  explicit Impl(api::Config config);
  ~Impl();

  // Adds a pull source for `name` (see MetricsManager::add_metric). Throws mm::Error.
  void AddMetric(const std::string& name, MetricOptions options);
  void Start();
  void Stop();
  // Writes a batch synchronously into the primary store.
  Status Write(PointBatch&& batch);

  // The bound HTTP port (0 when not serving).
  uint16_t http_port() const;

  api::Config config;
  Clock* clock = Clock::Real();
  SelfMetrics metrics;
  std::unique_ptr<storage::Storage> store;
  std::unique_ptr<query::Engine> engine;
  std::unique_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<Sink> pipeline_sink;
  std::unique_ptr<Scheduler> scheduler;
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<std::string> names;
  std::unique_ptr<server::HttpServer> server;
  // Bumped after every write into `store`: the dashboard's live streams re-evaluate on it.
  std::atomic<uint64_t> write_epoch{0};
  // The dashboard's panels (visualize.yaml of the config directory; none: the overview).
  server::DashboardConfig dashboard;
  // The daemon's own metrics into the store every 5 s while serving HTTP (the dashboard's
  // ingestion panels).
  std::unique_ptr<Source> self_scrape;

  mutable std::mutex mu;
  bool started = false;
};

namespace api {
// Builds a manager from a parsed config (the CLI applies its flags to the config first, so the
// store opens once, in the right place). `config_dir` (may be empty) holds visualize.yaml.
// Throws mm::Error like the public constructors.
std::unique_ptr<MetricsManager::Impl> NewManagerImpl(Config config,
                                                     const std::filesystem::path& config_dir);
std::unique_ptr<MetricsManager> NewMetricsManager(Config config,
                                                  const std::filesystem::path& config_dir);
}  // namespace api

}  // namespace mm
