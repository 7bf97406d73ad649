// SystemSource: host metrics read from /proc and /sys through Env (so tests run on recorded
// fixtures): CPU_Usage and Memory_Usage (the two names users ask for), plus Telegraf-shaped
// measurements cpu, system, kernel, processes, mem, swap, diskio, disk, net, temp. The full list
// of series is in src/sources/README.md. Owns its parse state; the Env is not owned and must
// outlive it. Not thread-safe: Prime/Collect from one thread at a time (the Scheduler does);
// stats() from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "sources/source.h"

namespace mm {

struct SystemSourceOptions {
  // What to collect: names from SystemSource::KnownMetrics(), or "all".
  std::vector<std::string> metrics = {"all"};
  // Clock ticks per second of /proc/stat (USER_HZ); 0 = sysconf(_SC_CLK_TCK).
  int64_t user_hz = 0;
  // Bytes per page for /proc/vmstat pswpin/pswpout; 0 = sysconf(_SC_PAGESIZE).
  int64_t page_size = 0;
  // `cpu`: one point per core as well as cpu-total (Telegraf's percpu).
  bool per_cpu = true;
  // `processes`: scan every /proc/<pid>/stat for per-state counts (Telegraf's fields; costs one
  // file read per process) instead of the cheap counters of /proc/stat and /proc/loadavg.
  bool scan_processes = false;
  // `disk`: file-system types not reported (pseudo and read-only image file systems).
  // overlay is kept: it is / in a container.
  std::vector<std::string> ignore_fs = DefaultIgnoredFs();
  // `diskio`: devices whose name starts with one of these are skipped.
  std::vector<std::string> ignore_disk_prefixes = {"loop", "ram", "zram", "fd"};
  // `net`: interfaces skipped by exact name.
  std::vector<std::string> ignore_interfaces = {"lo"};
  // Tags added to every point (e.g. the labels given to add_metric).
  std::vector<std::pair<std::string, std::string>> tags;

  static std::vector<std::string> DefaultIgnoredFs();
};

// Counters of what a SystemSource skipped or failed on, since construction.
struct SystemSourceStats {
  uint64_t collections = 0;
  uint64_t missing_files = 0;  // a file or directory that was absent (skipped quietly)
  uint64_t unreadable = 0;     // a statfs or sensor read that failed (skipped quietly)
  uint64_t parse_errors = 0;   // returned as a Status naming file and line
  uint64_t no_cpu_delta = 0;   // ticks without a CPU % (first collection, or no time passed)
};

class SystemSource : public Source {
 public:
  // REQUIRES: every name in options.metrics is known (Create() checks and says which is not).
  SystemSource(Env* env, SystemSourceOptions options = {});
  ~SystemSource() override;

  // Validates options.metrics: NotFound listing the known names for an unknown one.
  static Result<std::unique_ptr<SystemSource>> Create(Env* env, SystemSourceOptions options = {});
  // A source for one name: "CPU_Usage", "Memory_Usage", a measurement ("cpu", "mem", ...), or
  // "all". The other options are kept; options.metrics is replaced.
  static Result<std::unique_ptr<SystemSource>> ForMetric(Env* env, std::string_view metric,
                                                         SystemSourceOptions options = {});
  // The names ForMetric accepts (besides "all"), in collection order.
  static std::vector<std::string> KnownMetrics();
  static bool IsKnownMetric(std::string_view metric);

  std::string_view name() const override { return name_; }
  // Reads the CPU counters so the first Collect already reports CPU percentages.
  Status Prime() override;
  // Collects every selected subsystem. A missing file skips its subsystem (counted); the first
  // parse error is returned after the other subsystems have been collected.
  Status Collect(PointBatch& out, int64_t now_ns) override;

  SystemSourceStats stats() const;

 private:
  struct State;
  struct Collector;
  Env* const env_;
  const SystemSourceOptions options_;
  std::string name_;
  uint32_t mask_ = 0;
  std::unique_ptr<State> state_;
};

}  // namespace mm
