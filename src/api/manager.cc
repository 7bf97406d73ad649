#include "metrics_manager/manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/manager_impl.h"
#include "api/self_scrape.h"
#include "sources/custom_source.h"
#include "sources/system_source.h"
#include "storage/tsdb/disk_store.h"
#include "storage/tsdb/mem_store.h"
#include "viz/visualize_config.h"

namespace mm {

namespace {

// Hands scheduler batches to the pipeline (back-pressure: a full queue refuses, the scheduler
// counts the skip).
class PipelineSink : public Sink {
 public:
  explicit PipelineSink(pipeline::Pipeline* p) : p_(p) {}
  Status Write(PointBatch&& batch) override { return p_->Submit(std::move(batch)); }

 private:
  pipeline::Pipeline* p_;
};

[[noreturn]] void Throw(const Status& s) { throw Error(s.message()); }

bool ValidMetricName(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// The embedded store: in memory, or durable in config.data_dir.
Result<std::unique_ptr<storage::Storage>> OpenStore(const api::Config& config) {
  if (config.data_dir.empty()) return storage::NewMemStore({});
  storage::DiskStoreOptions o;
  o.path = config.data_dir;
  MM_ASSIGN_OR_RETURN(o.fsync, storage::ParseFsyncMode(config.embedded.fsync));
  o.retention_ms = config.embedded.retention_ms;
  o.retention_bytes = config.embedded.retention_bytes;
  o.ooo_window_ms = config.embedded.ooo_window_ms;
  MM_ASSIGN_OR_RETURN(std::unique_ptr<storage::Storage> s, storage::OpenDiskStore(std::move(o)));
  spdlog::info("embedded store in {} (fsync: {})", config.data_dir, config.embedded.fsync);
  return s;
}

// The store's figures on /metrics (gauges read at scrape time; Stats() walks the head,
// so one scrape computes it once).
void RegisterStoreMetrics(MetricsManager::Impl* impl) {
  struct Cache {
    std::mutex mu;
    bool valid = false;
    int64_t at_ns = 0;
    storage::DiskStoreStats stats;
  };
  auto cache = std::make_shared<Cache>();
  auto get = [impl, cache](auto field) {
    return [impl, cache, field]() -> double {
      std::lock_guard lock(cache->mu);
      const int64_t now = impl->clock->MonotonicNanos();
      if (!cache->valid || now - cache->at_ns > 500'000'000) {
        cache->valid = true;
        if (auto* disk = dynamic_cast<const storage::DiskStore*>(impl->store.get())) {
          cache->stats = disk->Stats();
        } else if (auto* mem = dynamic_cast<const storage::MemStore*>(impl->store.get())) {
          cache->stats = storage::DiskStoreStats{};
          cache->stats.head = mem->Stats();
        }
        cache->at_ns = now;
      }
      return static_cast<double>(field(cache->stats));
    };
  };
  using S = const storage::DiskStoreStats&;
  SelfMetrics& m = impl->metrics;
  // The head (MemStoreStats), for the in-memory store too.
  m.NewCallbackGauge("mm_tsdb_series", "Series in the store's head.",
                     get([](S s) { return s.head.series; }));
  m.NewCallbackGauge("mm_tsdb_samples", "Samples in the head and the blocks.",
                     get([](S s) { return s.head.samples + s.block_samples; }));
  m.NewCallbackGauge("mm_tsdb_chunk_bytes", "Encoded bytes of the head's cut chunks.",
                     get([](S s) { return s.head.chunk_bytes; }));
  m.NewCallbackGauge("mm_tsdb_chunk_samples", "Samples in the head's cut chunks.",
                     get([](S s) { return s.head.chunk_samples; }));
  m.NewCallbackGauge("mm_tsdb_index_bytes", "Bytes of the head's series keys and index.",
                     get([](S s) { return s.head.index_bytes; }));
  m.NewCallbackGauge("mm_tsdb_head_overhead_bytes",
                     "Per-series bookkeeping of the head (not samples, chunk refs or index).",
                     get([](S s) { return s.head.head_overhead_bytes; }));
  m.NewCallbackGauge("mm_tsdb_blocks", "On-disk blocks of the embedded store.",
                     get([](S s) { return s.blocks; }));
  m.NewCallbackGauge("mm_tsdb_block_bytes", "Bytes of the on-disk blocks.",
                     get([](S s) { return s.block_bytes; }));
  m.NewCallbackGauge("mm_tsdb_block_samples", "Samples in the on-disk blocks.",
                     get([](S s) { return s.block_samples; }));
  m.NewCallbackGauge("mm_tsdb_head_samples", "Samples in the head (in memory).",
                     get([](S s) { return s.head.samples; }));
  m.NewCallbackGauge("mm_tsdb_wal_fsyncs", "WAL fsyncs since start (group commit).",
                     get([](S s) { return s.wal_syncs; }));
  m.NewCallbackGauge("mm_tsdb_wal_corrupt_tails",
                     "WAL segments cut at a torn or corrupt record when the store was opened.",
                     get([](S s) { return s.wal_corrupt_tails; }));
  m.NewCallbackGauge("mm_tsdb_wal_bytes_dropped", "WAL bytes dropped after a corrupt record.",
                     get([](S s) { return s.wal_bytes_dropped; }));
  m.NewCallbackGauge("mm_tsdb_corrupt_blocks", "Blocks set aside as unreadable when opened.",
                     get([](S s) { return s.corrupt_blocks; }));
  m.NewCallbackGauge("mm_tsdb_write_failures",
                     "Writes refused because they could not be made durable (HTTP 503).",
                     get([](S s) { return s.write_failures; }));
  m.NewCallbackGauge("mm_tsdb_samples_rejected_too_old",
                     "Samples older than the out-of-order window or the head start.",
                     get([](S s) { return s.head.rejected_too_old; }));
  m.NewCallbackGauge("mm_tsdb_compactions", "Block compactions since start.",
                     get([](S s) { return s.compactions; }));
  m.NewCallbackGauge("mm_tsdb_blocks_dropped", "Blocks dropped by retention since start.",
                     get([](S s) { return s.blocks_dropped; }));
  m.NewCallbackGauge("mm_tsdb_open_seconds", "Time the last open took (blocks + WAL replay).",
                     get([](S s) { return s.replay_ms / 1000.0; }));
}

}  // namespace

MetricsManager::Impl::Impl(api::Config cfg) : config(std::move(cfg)) {
  auto opened = OpenStore(config);
  if (!opened.ok()) Throw(opened.status());
  store = std::move(opened).value();
  RegisterStoreMetrics(this);
  engine = std::make_unique<query::Engine>(
      *store, query::EngineOptions{.lookback_delta_ms = config.lookback_delta_ms});
  Counter* stored = metrics.NewCounter("mm_pipeline_points_written_total",
                                       "Points the pipeline wrote into the primary store.");
  pipeline = std::make_unique<pipeline::Pipeline>(
      [this, stored](const PointBatch& batch) -> Status {
        auto r = store->Write(batch);
        if (!r.ok()) {
          spdlog::warn("storage refused a batch of {} points: {}", batch.size(),
                       r.status().ToString());
          return r.status();
        }
        stored->Add(batch.size());
        write_epoch.fetch_add(1, std::memory_order_release);
        return Status::Ok();
      },
      pipeline::PipelineOptions{.max_queued_points = config.max_queued_points}, &metrics);
  pipeline_sink = std::make_unique<PipelineSink>(pipeline.get());
  scheduler = std::make_unique<Scheduler>(clock);
}

MetricsManager::Impl::~Impl() { Stop(); }

void MetricsManager::Impl::AddMetric(const std::string& name, MetricOptions options) {
  std::lock_guard lock(mu);
  if (started) throw Error("add_metric(\"" + name + "\"): the manager is already started");
  if (!ValidMetricName(name)) {
    throw Error("add_metric(\"" + name +
                "\"): invalid metric name (letters, digits, '_' and ':', not starting with a digit)");
  }
  if (std::find(names.begin(), names.end(), name) != names.end()) {
    throw Error("add_metric(\"" + name + "\"): a metric with this name is already added");
  }
  if (options.interval < Scheduler::kMinInterval) {
    throw Error("add_metric(\"" + name + "\"): interval " + std::to_string(options.interval.count()) +
                "ms is too short (minimum " + std::to_string(Scheduler::kMinInterval.count()) +
                "ms)");
  }
  std::unique_ptr<Source> source;
  if (options.source == "system") {
    SystemSourceOptions so;
    so.tags = options.labels;
    // "system" (and "all") collect the whole host set; any other name one metric or set.
    auto s = SystemSource::ForMetric(Env::Default(), name == "system" ? "all" : name, std::move(so));
    if (!s.ok()) throw Error("add_metric(\"" + name + "\"): " + s.status().message());
    source = std::move(s).value();
  } else if (options.source == "custom") {
    if (!options.callback) {
      throw Error("add_metric(\"" + name + "\"): source \"custom\" needs a callback");
    }
    source = std::make_unique<CustomSource>(
        name, [cb = std::move(options.callback)]() -> Result<double> { return cb(); },
        options.labels);
  } else {
    throw Error("add_metric(\"" + name + "\"): unknown source \"" + options.source +
                "\" (known: system, custom)");
  }
  auto job = scheduler->AddJob(source.get(), options.interval, pipeline_sink.get());
  if (!job.ok()) Throw(job.status());
  sources.push_back(std::move(source));
  names.push_back(name);
}

void MetricsManager::Impl::Start() {
  std::lock_guard lock(mu);
  if (started) return;
  pipeline->Start();
  if (!config.listen.empty()) {
    server::ServerOptions so;
    so.listen = config.listen;
    so.threads = config.http_threads;
    so.max_body_bytes = config.max_body_bytes;
    server::ServerContext ctx;
    ctx.storage = store.get();
    ctx.engine = engine.get();
    ctx.metrics = &metrics;
    ctx.clock = clock;
    ctx.write_epoch = &write_epoch;
    ctx.dashboard = dashboard;
    if (!self_scrape) {
      self_scrape = std::make_unique<api::SelfScrapeSource>(metrics);
      auto job = scheduler->AddJob(self_scrape.get(), std::chrono::seconds(5),
                                   pipeline_sink.get());
      if (!job.ok()) spdlog::warn("self-metrics into the store: {}", job.status().ToString());
    }
    auto s = server::HttpServer::Start(so, ctx);
    if (!s.ok()) {
      pipeline->Stop();
      Throw(s.status());
    }
    server = std::move(s).value();
  }
  Status s = scheduler->Start();
  if (!s.ok()) Throw(s);
  started = true;
}

void MetricsManager::Impl::Stop() {
  std::lock_guard lock(mu);
  if (!started) return;
  scheduler->Stop();
  if (server) server->Stop();
  pipeline->Stop();  // drains the queue into the store
  Status s = store->Flush();
  if (!s.ok()) spdlog::error("flushing the store failed: {}", s.ToString());
  started = false;
}

Status MetricsManager::Impl::Write(PointBatch&& batch) {
  auto r = store->Write(batch);
  if (r.ok()) write_epoch.fetch_add(1, std::memory_order_release);
  return r.ok() ? Status::Ok() : r.status();
}

uint16_t MetricsManager::Impl::http_port() const { return server ? server->port() : 0; }

// ---- public API ----

MetricsManager::MetricsManager() : MetricsManager(ManagerOptions{}) {}

MetricsManager::MetricsManager(ManagerOptions options) {
  api::Config c;
  c.listen = options.listen;
  c.data_dir = options.data_dir.string();
  c.lookback_delta_ms = options.lookback_delta.count();
  impl_ = std::make_unique<Impl>(std::move(c));
}

namespace api {

std::unique_ptr<MetricsManager::Impl> NewManagerImpl(Config config,
                                                     const std::filesystem::path& config_dir) {
  auto metrics = config.metrics;
  auto impl = std::make_unique<MetricsManager::Impl>(std::move(config));
  if (!config_dir.empty()) {
    // The dashboard's panels: the same visualize.yaml that plots read (a missing file: defaults).
    auto viz = viz::LoadVisualizeConfig(*Env::Default(), (config_dir / "visualize.yaml").string());
    if (!viz.ok()) Throw(viz.status());
    impl->dashboard.timeframe = viz->timeframe;
    impl->dashboard.visualize = *viz;  // plots (plot_metrics, /api/v1/render) read it too
    for (const auto& p : viz->panels) {
      server::DashboardPanel d;
      d.title = p.title.empty() ? p.name : p.title;
      d.queries = {p.query};
      d.unit = p.unit;
      d.y_min = p.y_min;
      d.y_max = p.y_max;
      d.stacked = p.stacked;
      impl->dashboard.panels.push_back(std::move(d));
    }
  }
  for (const auto& m : metrics) {
    MetricOptions o;
    o.source = m.source;
    o.interval = std::chrono::milliseconds(m.interval_ms);
    o.labels = m.labels;
    impl->AddMetric(m.name, std::move(o));
  }
  return impl;
}

std::unique_ptr<MetricsManager> NewMetricsManager(Config config,
                                                  const std::filesystem::path& config_dir) {
  return std::make_unique<MetricsManager>(NewManagerImpl(std::move(config), config_dir));
}

}  // namespace api

MetricsManager::MetricsManager(const std::filesystem::path& config_dir) {
  auto c = api::LoadConfig(config_dir);
  if (!c.ok()) Throw(c.status());
  impl_ = api::NewManagerImpl(std::move(c).value(), config_dir);
}

MetricsManager::MetricsManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsManager::~MetricsManager() = default;

void MetricsManager::add_metric(const std::string& name, MetricOptions options) {
  impl_->AddMetric(name, std::move(options));
}

void MetricsManager::start() { impl_->Start(); }
void MetricsManager::stop() { impl_->Stop(); }
bool MetricsManager::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->started;
}

void MetricsManager::write(const std::vector<Point>& points) {
  PointBatch batch;
  int64_t now = impl_->clock->NowNanos();
  for (const auto& p : points) {
    if (p.measurement.empty()) throw Error("write: a point has an empty measurement");
    if (p.fields.empty()) throw Error("write: point \"" + p.measurement + "\" has no fields");
    batch.AddOwned(p, now);
  }
  Status s = impl_->Write(std::move(batch));
  if (!s.ok()) Throw(s);
}

QueryResult MetricsManager::query(const std::string& promql,
                                  std::optional<std::chrono::system_clock::time_point> time) {
  int64_t t = time ? std::chrono::duration_cast<std::chrono::milliseconds>(
                         time->time_since_epoch()).count()
                   : impl_->clock->NowMillis();
  impl_->pipeline->Flush();  // what was collected before the call is visible
  auto r = impl_->engine->Instant(promql, t);
  if (!r.ok()) Throw(r.status());
  return std::move(r).value();
}

QueryResult MetricsManager::query_range(const std::string& promql,
                                        std::chrono::system_clock::time_point start,
                                        std::chrono::system_clock::time_point end,
                                        std::chrono::milliseconds step) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  if (step.count() <= 0) throw Error("query_range: step must be positive");
  if (end < start) throw Error("query_range: end is before start");
  impl_->pipeline->Flush();
  auto r = impl_->engine->Range(promql, duration_cast<milliseconds>(start.time_since_epoch()).count(),
                                duration_cast<milliseconds>(end.time_since_epoch()).count(),
                                step.count());
  if (!r.ok()) Throw(r.status());
  return std::move(r).value();
}

std::vector<std::string> MetricsManager::metrics() const {
  std::lock_guard lock(impl_->mu);
  return impl_->names;
}

}  // namespace mm
