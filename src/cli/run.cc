// `metrics-manager run`: the daemon. Builds the MetricsManager from the config directory, serves
// HTTP, and waits for SIGINT/SIGTERM (taken with sigwait on a blocked set, so no handler runs
// in a random thread), then stops cleanly: queues drained, store flushed.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "api/config.h"
#include "api/manager_impl.h"
#include "cli/commands.h"
#include "metrics_manager/metrics_manager.h"

namespace mm::cli {

int RunCommand(const RunOptions& o) {
  // Block the signals before any thread starts: every thread inherits the mask, and only
  // sigwait below sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  // --config DIR, else ./config when there is one, else the built-in daemon defaults.
  std::filesystem::path config_dir = o.config_dir.empty() ? "config" : o.config_dir;
  if (!o.config_dir.empty() && !std::filesystem::is_directory(config_dir)) {
    std::cerr << "error: --config " << o.config_dir << ": not a directory\n";
    return 1;
  }
  bool use_defaults = o.config_dir.empty() && !std::filesystem::is_directory(config_dir);
  try {
    std::unique_ptr<MetricsManager> owned;
    if (use_defaults) {
      const api::Config d = api::DefaultDaemonConfig();
      ManagerOptions mo;
      mo.listen = d.listen;
      mo.lookback_delta = std::chrono::milliseconds(d.lookback_delta_ms);
      owned = std::make_unique<MetricsManager>(mo);
      for (const auto& m : d.metrics) {
        MetricOptions mopt;
        mopt.source = m.source;
        mopt.interval = std::chrono::milliseconds(m.interval_ms);
        mopt.labels = m.labels;
        owned->add_metric(m.name, std::move(mopt));
      }
    } else {
      owned = std::make_unique<MetricsManager>(config_dir);
    }
    MetricsManager& manager = *owned;
    // Command-line flags win over the files. listen is read at start(); data_dir is too, as
    // long as the store is in memory (see the report on durable storage).
    if (!o.listen.empty()) manager.impl().config.listen = o.listen;
    if (!o.data_dir.empty()) manager.impl().config.data_dir = o.data_dir;
    manager.start();
    const auto& impl = manager.impl();
    if (impl.server) {
      std::string host = impl.server->host();
      if (host.find(':') != std::string::npos) host = "[" + host + "]";
      std::printf("metrics-manager %s listening on http://%s:%u — dashboard /, API "
                  "/api/v1/query, metrics /metrics\n",
                  kVersion, host.c_str(), static_cast<unsigned>(impl.http_port()));
    } else {
      std::printf("metrics-manager %s running without an HTTP listener\n", kVersion);
    }
    std::fflush(stdout);

    int sig = 0;
    sigwait(&set, &sig);
    std::printf("received %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    std::fflush(stdout);
    manager.stop();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace mm::cli
