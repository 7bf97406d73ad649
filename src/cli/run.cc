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
    api::Config config = api::DefaultDaemonConfig();
    if (!use_defaults) {
      auto loaded = api::LoadConfig(config_dir);
      if (!loaded.ok()) throw Error(loaded.status().message());
      config = std::move(loaded).value();
    }
    // Command-line flags win over the files; applied before the store opens.
    if (!o.listen.empty()) config.listen = o.listen;
    if (!o.data_dir.empty()) config.data_dir = o.data_dir;
    std::unique_ptr<MetricsManager> owned =
        api::NewMetricsManager(std::move(config), use_defaults ? std::filesystem::path() : config_dir);
    MetricsManager& manager = *owned;
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
