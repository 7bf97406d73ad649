// Figures of the durable store (not a unit test; run by hand or from bench/): ingest with the
// WAL on, on-disk bytes per sample after cutting and compaction, restart (replay) time, and peak
// RSS of the replay against the steady state after ingest. Each phase runs in a child process
// so their peak RSS (VmHWM) are measured apart.
//   mm_disk_store_figures DIR [HOSTS=100] [STEPS=10000] [FSYNC=batch]
// Dataset: TSBS-like `cpu`, HOSTS hosts x 10 fields, one point every 10 s, STEPS steps,
// random-walk values printed with two decimals (as bench/gen_devops).
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "storage/tsdb/disk_store.h"

namespace {

using mm::storage::DiskStore;
using mm::storage::DiskStoreOptions;

uint64_t StatusKb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + std::strlen(key), nullptr, 10);
  }
  return 0;
}

double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

uint64_t DirBytes(const std::filesystem::path& p) {
  uint64_t n = 0;
  if (!std::filesystem::exists(p)) return 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

int Ingest(const std::string& dir, int hosts, int steps, mm::storage::FsyncMode fsync) {
  DiskStoreOptions o;
  o.path = dir;
  o.fsync = fsync;
  o.maintenance_interval_ms = 0;
  auto opened = DiskStore::Open(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  DiskStore& store = **opened;
  static const char* kFields[] = {"usage_user",   "usage_system", "usage_idle",  "usage_nice",
                                  "usage_iowait", "usage_irq",    "usage_softirq", "usage_steal",
                                  "usage_guest",  "usage_guest_nice"};
  std::mt19937_64 rng(42);
  std::normal_distribution<double> step(0, 1);
  std::vector<double> level(static_cast<size_t>(hosts) * 10, 50);
  std::vector<std::string> host_names;
  for (int h = 0; h < hosts; ++h) host_names.push_back("host_" + std::to_string(h));
  const int64_t t0 = 1'700'000'000'000LL / 7'200'000 * 7'200'000;
  const double cpu0 = CpuSeconds();
  const auto wall0 = std::chrono::steady_clock::now();
  uint64_t samples = 0;
  mm::PointBatch batch;
  for (int s = 0; s < steps; ++s) {
    const int64_t t = t0 + int64_t{s} * 10'000;
    for (int h = 0; h < hosts; ++h) {
      mm::TagRef tags[] = {{batch.Intern("hostname"), batch.Intern(host_names[h])},
                           {batch.Intern("region"), batch.Intern(h % 2 ? "eu-west-1" : "us-east-1")},
                           {batch.Intern("rack"), batch.Intern(std::to_string(h % 100))}};
      mm::FieldRef fields[10];
      for (int f = 0; f < 10; ++f) {
        double& v = level[static_cast<size_t>(h) * 10 + f];
        v = std::clamp(v + step(rng), 0.0, 100.0);
        fields[f].key = batch.Intern(kFields[f]);
        fields[f].f = std::round(v * 100) / 100;
      }
      batch.Add(batch.Intern("cpu"), tags, fields, t * 1'000'000);
      samples += 10;
      if (batch.size() >= 500) {
        auto r = store.Write(batch);
        if (!r.ok()) {
          std::fprintf(stderr, "write: %s\n", r.status().ToString().c_str());
          return 1;
        }
        batch.Clear();
      }
    }
    if (s % 180 == 179) {  // every 30 min of data, as the background thread would
      auto m = store.RunMaintenance();
      if (!m.ok()) std::fprintf(stderr, "maintenance: %s\n", m.ToString().c_str());
    }
  }
  if (!batch.empty()) (void)store.Write(batch);
  const double cpu = CpuSeconds() - cpu0;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  (void)store.RunMaintenance();
  auto st = store.Stats();
  std::printf("ingest: %llu samples, %.2f s wall, %.2f CPU-s: %.2f M samples/CPU-s, %llu fsyncs\n",
              static_cast<unsigned long long>(samples), wall, cpu, samples / cpu / 1e6,
              static_cast<unsigned long long>(st.wal_syncs));
  std::printf("steady state: RSS %.1f MB, peak RSS %.1f MB (head %llu samples)\n",
              StatusKb("VmRSS:") / 1024.0, StatusKb("VmHWM:") / 1024.0,
              static_cast<unsigned long long>(st.head.samples));
  (void)store.Close();
  const uint64_t blocks = DirBytes(std::filesystem::path(dir) / "blocks");
  const uint64_t wal = DirBytes(std::filesystem::path(dir) / "wal");
  std::printf("on disk: blocks %.1f MB for %llu samples = %.3f B/sample; WAL %.1f MB "
              "(head); whole dir %.3f B/sample\n",
              blocks / 1e6, static_cast<unsigned long long>(st.block_samples),
              st.block_samples ? double(blocks) / st.block_samples : 0.0, wal / 1e6,
              double(blocks + wal) / samples);
  return 0;
}

int Reopen(const std::string& dir, uint64_t samples) {
  DiskStoreOptions o;
  o.path = dir;
  o.maintenance_interval_ms = 0;
  const uint64_t rss0 = StatusKb("VmRSS:");
  const auto wall0 = std::chrono::steady_clock::now();
  auto opened = DiskStore::Open(o);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  if (!opened.ok()) {
    std::fprintf(stderr, "reopen: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto st = (*opened)->Stats();
  std::printf("restart: %.2f s for %llu samples (%.2f s per 10 M); replayed %llu WAL samples; "
              "RSS %.1f MB, peak RSS %.1f MB (before open %.1f MB)\n",
              wall, static_cast<unsigned long long>(samples), wall / (samples / 1e7),
              static_cast<unsigned long long>(st.wal_samples_replayed),
              StatusKb("VmRSS:") / 1024.0, StatusKb("VmHWM:") / 1024.0, rss0 / 1024.0);
  return 0;
}

template <typename F>
int InChild(F&& f) {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int rc = f();
    std::fflush(stdout);
    _exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [HOSTS=100] [STEPS=10000] [FSYNC=batch]\n", argv[0]);
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  const std::string dir = argv[1];
  const int hosts = argc > 2 ? std::atoi(argv[2]) : 100;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 10000;
  auto fsync = mm::storage::ParseFsyncMode(argc > 4 ? argv[4] : "batch");
  if (!fsync.ok()) return 2;
  std::filesystem::remove_all(dir);
  if (InChild([&] { return Ingest(dir, hosts, steps, *fsync); }) != 0) return 1;
  return InChild([&] { return Reopen(dir, uint64_t(hosts) * 10 * steps); });
}
