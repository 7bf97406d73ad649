#include "api/config.h"

#include <yaml-cpp/yaml.h>

#include "core/duration.h"
#include "core/env.h"

namespace mm::api {

namespace {

std::string Where(const std::string& file, const YAML::Node& node, const std::string& key) {
  std::string s = file;
  if (node.Mark().line >= 0) s += ":" + std::to_string(node.Mark().line + 1);
  return s + ": key \"" + key + "\"";
}

Status Bad(const std::string& file, const YAML::Node& node, const std::string& key,
           const std::string& why) {
  return Status::InvalidArgument(Where(file, node, key) + ": " + why);
}

Result<std::string> GetString(const std::string& file, const YAML::Node& node,
                              const std::string& key) {
  if (!node.IsScalar()) return Bad(file, node, key, "expected a string");
  return node.Scalar();
}

Result<int64_t> GetDuration(const std::string& file, const YAML::Node& node,
                            const std::string& key) {
  if (!node.IsScalar()) return Bad(file, node, key, "expected a duration such as 1s or 500ms");
  auto d = ParseDurationOrSecondsMillis(node.Scalar());
  if (!d.ok()) return Bad(file, node, key, d.status().message());
  if (*d <= 0) return Bad(file, node, key, "must be positive");
  return *d;
}

Result<int64_t> GetInt(const std::string& file, const YAML::Node& node, const std::string& key) {
  try {
    return node.as<int64_t>();
  } catch (const YAML::Exception&) {
    return Bad(file, node, key, "expected an integer");
  }
}

// "512MB", "10GB", "1TB", "4096" (bytes; units are powers of 1024, as Prometheus reads them).
Result<uint64_t> GetBytes(const std::string& file, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) return Bad(file, node, key, "expected a size such as 512MB or 10GB");
  const std::string& t = node.Scalar();
  size_t i = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  if (i == 0 || i > 15) return Bad(file, node, key, "expected a size such as 512MB or 10GB");
  uint64_t n = std::stoull(t.substr(0, i));
  const std::string unit = t.substr(i);
  const std::pair<const char*, int> units[] = {{"", 0},  {"B", 0},  {"KB", 10},
                                               {"MB", 20}, {"GB", 30}, {"TB", 40}};
  for (const auto& [u, shift] : units) {
    if (unit == u) return n << shift;
  }
  return Bad(file, node, key, "unknown size unit \"" + unit + "\" (B, KB, MB, GB, TB)");
}

Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file) {
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap()) return Status::InvalidArgument(file + ": expected a mapping at the top level");
    return root;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Status Unknown(const std::string& file, const YAML::Node& key_node, const std::string& key,
               const std::string& known) {
  return Bad(file, key_node, key, "unknown key (known: " + known + ")");
}

}  // namespace

Config DefaultDaemonConfig() {
  Config c;
  c.metrics.push_back(MetricConfig{.name = "system", .source = "system", .interval_ms = 1000});
  return c;
}

Status ApplyMainConfig(const std::string& text, const std::string& file, Config& config) {
  MM_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, file));
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "listen") {
      MM_ASSIGN_OR_RETURN(config.listen, GetString(file, v, key));
    } else if (key == "data_dir") {
      MM_ASSIGN_OR_RETURN(config.data_dir, GetString(file, v, key));
    } else if (key == "lookback_delta") {
      MM_ASSIGN_OR_RETURN(config.lookback_delta_ms, GetDuration(file, v, key));
    } else if (key == "max_queued_points") {
      MM_ASSIGN_OR_RETURN(int64_t n, GetInt(file, v, key));
      if (n <= 0) return Bad(file, v, key, "must be positive");
      config.max_queued_points = static_cast<size_t>(n);
    } else if (key == "http_threads") {
      MM_ASSIGN_OR_RETURN(int64_t n, GetInt(file, v, key));
      if (n < 0 || n > 256) return Bad(file, v, key, "must be between 0 and 256");
      config.http_threads = static_cast<int>(n);
    } else if (key == "max_body_bytes") {
      MM_ASSIGN_OR_RETURN(int64_t n, GetInt(file, v, key));
      if (n <= 0) return Bad(file, v, key, "must be positive");
      config.max_body_bytes = static_cast<size_t>(n);
    } else if (key == "metrics") {
      if (v.IsNull()) {
        config.metrics.clear();
        continue;
      }
      if (!v.IsSequence()) return Bad(file, v, key, "expected a list of metrics");
      config.metrics.clear();
      for (const YAML::Node& m : v) {
        if (!m.IsMap()) return Bad(file, m, "metrics[]", "expected a mapping with name, source, interval");
        MetricConfig mc;
        for (const auto& mkv : m) {
          const std::string mk = mkv.first.Scalar();
          const YAML::Node& mv = mkv.second;
          if (mk == "name") {
            MM_ASSIGN_OR_RETURN(mc.name, GetString(file, mv, "metrics[].name"));
          } else if (mk == "source") {
            MM_ASSIGN_OR_RETURN(mc.source, GetString(file, mv, "metrics[].source"));
          } else if (mk == "interval") {
            MM_ASSIGN_OR_RETURN(mc.interval_ms, GetDuration(file, mv, "metrics[].interval"));
          } else if (mk == "labels") {
            if (!mv.IsMap()) return Bad(file, mv, "metrics[].labels", "expected a mapping");
            for (const auto& lkv : mv) {
              mc.labels.emplace_back(lkv.first.Scalar(), lkv.second.Scalar());
            }
          } else {
            return Unknown(file, mkv.first, "metrics[]." + mk, "name, source, interval, labels");
          }
        }
        if (mc.name.empty()) return Bad(file, m, "metrics[].name", "missing");
        config.metrics.push_back(std::move(mc));
      }
    } else {
      return Unknown(file, kv.first, key,
                     "listen, data_dir, lookback_delta, max_queued_points, http_threads, "
                     "max_body_bytes, metrics");
    }
  }
  return Status::Ok();
}

Status ApplyStorageConfig(const std::string& text, const std::string& file, Config& config) {
  MM_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, file));
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "embedded") {
      if (v.IsNull()) continue;
      if (!v.IsMap()) return Bad(file, v, key, "expected a mapping");
      for (const auto& ekv : v) {
        const std::string ek = ekv.first.Scalar();
        const YAML::Node& ev = ekv.second;
        const std::string full = "embedded." + ek;
        if (ek == "path") {
          MM_ASSIGN_OR_RETURN(config.data_dir, GetString(file, ev, full));
        } else if (ek == "fsync") {
          MM_ASSIGN_OR_RETURN(std::string mode, GetString(file, ev, full));
          if (mode != "batch" && mode != "interval" && mode != "off") {
            return Bad(file, ev, full, "expected batch, interval or off");
          }
          config.embedded.fsync = mode;
        } else if (ek == "retention") {
          MM_ASSIGN_OR_RETURN(config.embedded.retention_ms, GetDuration(file, ev, full));
        } else if (ek == "retention_size") {
          MM_ASSIGN_OR_RETURN(config.embedded.retention_bytes, GetBytes(file, ev, full));
        } else if (ek == "ooo_window") {
          MM_ASSIGN_OR_RETURN(config.embedded.ooo_window_ms, GetDuration(file, ev, full));
        } else {
          return Unknown(file, ekv.first, full,
                         "path, fsync, retention, retention_size, ooo_window");
        }
      }
    } else {
      return Unknown(file, kv.first, key, "embedded");
    }
  }
  return Status::Ok();
}

Result<Config> LoadConfig(const std::filesystem::path& dir) {
  Config config = DefaultDaemonConfig();
  Env* env = Env::Default();
  if (!dir.empty() && !env->FileExists(dir.string())) {
    return Status::NotFound("config directory " + dir.string() + " does not exist");
  }
  auto main_path = (dir / "metrics-manager.yaml").string();
  if (env->FileExists(main_path)) {
    MM_ASSIGN_OR_RETURN(std::string text, env->ReadFile(main_path));
    MM_RETURN_IF_ERROR(ApplyMainConfig(text, main_path, config));
  }
  auto storage_path = (dir / "storage.yaml").string();
  if (env->FileExists(storage_path)) {
    MM_ASSIGN_OR_RETURN(std::string text, env->ReadFile(storage_path));
    MM_RETURN_IF_ERROR(ApplyStorageConfig(text, storage_path, config));
  }
  return config;
}

}  // namespace mm::api
