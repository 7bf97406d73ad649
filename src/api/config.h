// Config: the daemon's settings read from a config directory (metrics-manager.yaml, storage.yaml;
// see docs/configuration.md). Every key has a default, so an empty or missing directory runs.
// Errors name the file, the line and the key. Value types; no shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mm::api {

struct MetricConfig {
  std::string name;              // series name, or a system metric set ("system", "cpu", ...)
  std::string source = "system";
  int64_t interval_ms = 1000;
  std::vector<std::pair<std::string, std::string>> labels;
};

// storage.yaml `embedded:` — the durable store's settings (used when data_dir is set).
struct EmbeddedStoreConfig {
  std::string fsync = "batch";           // batch | interval | off
  int64_t retention_ms = 0;              // 0 = keep everything
  uint64_t retention_bytes = 0;          // 0 = no size limit
  int64_t ooo_window_ms = 3600 * 1000;   // out-of-order samples accepted this far back
};

struct Config {
  std::string listen = "127.0.0.1:8750";  // "" = no HTTP listener
  std::string data_dir;                   // "" = in memory
  EmbeddedStoreConfig embedded;
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  size_t max_queued_points = 1'000'000;
  int http_threads = 0;                   // 0 = number of cores
  size_t max_body_bytes = 64 << 20;
  std::vector<MetricConfig> metrics;
};

// The daemon's defaults: every host metric each second, HTTP on 127.0.0.1:8750.
Config DefaultDaemonConfig();
// Reads `dir`/metrics-manager.yaml and `dir`/storage.yaml over DefaultDaemonConfig().
Result<Config> LoadConfig(const std::filesystem::path& dir);
// Same, from text (for tests); `file_name` is used in error messages.
Status ApplyMainConfig(const std::string& text, const std::string& file_name, Config& config);
Status ApplyStorageConfig(const std::string& text, const std::string& file_name, Config& config);

}  // namespace mm::api
