// HttpServer: the HTTP front door — Influx line-protocol writes (/write, /api/v2/write), the
// Prometheus HTTP API (/api/v1/query, query_range, series, labels, label values), /metrics,
// /health, the web dashboard (embedded assets, /api/v1/dashboard) and its live event stream
// (/api/v1/stream, server-sent events). HTTP/1.1 keep-alive on an io_context thread pool.
// The server borrows everything in ServerContext (the caller keeps it alive until Stop()).
// Start/Stop/port are thread-safe; Stop is idempotent and joins the I/O threads.
#pragma once

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/self_metrics.h"
#include "core/status.h"
#include "query/engine.h"
#include "server/dashboard.h"
#include "storage/storage.h"

namespace mm::server {

struct ServerOptions {
  std::string listen = "127.0.0.1:8750";  // HOST:PORT; port 0 picks a free one (see port())
  int threads = 0;                        // I/O threads; 0 = one per core
  size_t max_body_bytes = 64 << 20;       // request bodies (and gunzipped bodies) above → 413
};

struct ServerContext {
  storage::Storage* storage = nullptr;  // required
  query::Engine* engine = nullptr;      // required
  SelfMetrics* metrics = nullptr;       // optional: the server keeps its own registry if null
  Clock* clock = nullptr;               // optional: Clock::Real() if null
  // Optional: called once at Start() with the registry, so the owner can add callback gauges
  // (series count, sample count, queue depths) that /metrics renders.
  std::function<void(SelfMetrics&)> register_metrics;
  // Optional: bumped (release) by the owner after every write into `storage` that does not come
  // through this server (sources, the pipeline); the server bumps it after its own writes. Live
  // dashboard streams re-evaluate when it moves. Null: the server keeps its own counter.
  std::atomic<uint64_t>* write_epoch = nullptr;
  // The dashboard's panels (config/visualize.yaml); no panels gives the built-in overview.
  DashboardConfig dashboard;
};

class HttpServer {
 public:
  // Binds, listens and starts the I/O threads. Fails (kInvalidArgument / kIoError) on a bad
  // listen address or a port in use.
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                   ServerContext context);
  ~HttpServer();  // calls Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound (useful with listen port 0).
  uint16_t port() const;
  // The host part of the listen address as bound (e.g. "127.0.0.1").
  const std::string& host() const;
  // Closes the listener and every connection, joins the I/O threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mm::server
