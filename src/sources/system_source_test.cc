#include "sources/system_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <thread>

namespace mm {
namespace {

using ::testing::HasSubstr;

const std::string kFixtures = std::string(MM_SOURCE_DIR) + "/tests/data/system/";

// An Env that forwards to another one, switchable between collections (snapshot a → b).
class SwitchEnv : public Env {
 public:
  explicit SwitchEnv(Env* e) : e_(e) {}
  void Set(Env* e) { e_ = e; }
  Result<std::string> ReadFile(const std::string& p) override { return e_->ReadFile(p); }
  Result<std::vector<std::string>> ListDir(const std::string& p) override { return e_->ListDir(p); }
  bool FileExists(const std::string& p) override { return e_->FileExists(p); }
  Result<FsStats> StatFs(const std::string& p) override { return e_->StatFs(p); }

 private:
  Env* e_;
};

// Every sample of the batch as "series{k=v,...}" → value, the way storage will name it.
std::map<std::string, double> Samples(const PointBatch& b) {
  std::map<std::string, double> out;
  for (const auto& p : b.points()) {
    std::string labels;
    for (const auto& t : b.tags(p)) {
      if (!labels.empty()) labels += ',';
      labels.append(t.key).append("=").append(t.value);
    }
    for (const auto& f : b.fields(p)) {
      std::string key = SeriesName(p.measurement, f.key);
      if (!labels.empty()) key += "{" + labels + "}";
      EXPECT_EQ(out.count(key), 0u) << "duplicate series " << key;
      out[key] = f.AsDouble();
    }
  }
  return out;
}

SystemSourceOptions FixtureOptions() {
  SystemSourceOptions o;
  o.user_hz = 100;
  o.page_size = 4096;
  return o;
}

class FixtureTest : public ::testing::Test {
 protected:
  std::unique_ptr<Env> a_ = NewRootedEnv(kFixtures + "debian12_a");
  std::unique_ptr<Env> b_ = NewRootedEnv(kFixtures + "debian12_b");
  SwitchEnv env_{a_.get()};

  // Prime on a, collect on b.
  std::map<std::string, double> CollectAB(SystemSourceOptions o, Status* status = nullptr) {
    SystemSource src(&env_, std::move(o));
    env_.Set(a_.get());
    EXPECT_TRUE(src.Prime().ok());
    env_.Set(b_.get());
    PointBatch batch;
    Status s = src.Collect(batch, 1'000'000'000);
    if (status) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    for (const auto& p : batch.points()) EXPECT_EQ(p.timestamp_ns, 1'000'000'000);
    return Samples(batch);
  }
  std::map<std::string, double> CollectA(SystemSourceOptions o) {
    SystemSource src(a_.get(), std::move(o));
    PointBatch batch;
    Status s = src.Collect(batch, 1);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return Samples(batch);
  }
};

TEST_F(FixtureTest, CpuUsageFromTwoSnapshots) {
  auto o = FixtureOptions();
  o.metrics = {"CPU_Usage"};
  auto s = CollectAB(o);
  // Deltas (README): total 200 ticks, idle 80, iowait 10 → (200 - 90) / 200.
  ASSERT_EQ(s.size(), 1u);
  EXPECT_DOUBLE_EQ(s["CPU_Usage"], 55.0);
}

TEST_F(FixtureTest, FirstCollectionWithoutPrimeHasNoCpuUsage) {
  auto o = FixtureOptions();
  o.metrics = {"CPU_Usage"};
  SystemSource src(&env_, o);
  PointBatch first;
  ASSERT_TRUE(src.Collect(first, 1).ok());
  EXPECT_TRUE(first.empty());
  EXPECT_EQ(src.stats().no_cpu_delta, 1u);
  env_.Set(b_.get());
  PointBatch second;
  ASSERT_TRUE(src.Collect(second, 2).ok());
  EXPECT_DOUBLE_EQ(Samples(second)["CPU_Usage"], 55.0);
  // Same snapshot again: no time passed, no value (not a 0 % or a division by zero).
  PointBatch third;
  ASSERT_TRUE(src.Collect(third, 3).ok());
  EXPECT_TRUE(third.empty());
  EXPECT_EQ(src.stats().no_cpu_delta, 2u);
}

TEST_F(FixtureTest, CpuMeasurementTimesAndUsage) {
  auto o = FixtureOptions();
  o.metrics = {"cpu"};
  auto s = CollectAB(o);
  // Times are b's ticks / USER_HZ.
  EXPECT_DOUBLE_EQ(s["cpu_time_user{cpu=cpu-total}"], 89.36);
  EXPECT_DOUBLE_EQ(s["cpu_time_idle{cpu=cpu-total}"], 945.38);
  EXPECT_DOUBLE_EQ(s["cpu_time_guest_nice{cpu=cpu0}"], 0.05);
  EXPECT_DOUBLE_EQ(s["cpu_time_system{cpu=cpu1}"], 33.86);
  // cpu-total: of 200 ticks, user 60 (10 of them guest), nice 10 (5 guest_nice), ...
  EXPECT_DOUBLE_EQ(s["cpu_usage_user{cpu=cpu-total}"], 25.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_nice{cpu=cpu-total}"], 2.5);
  EXPECT_DOUBLE_EQ(s["cpu_usage_system{cpu=cpu-total}"], 15.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_idle{cpu=cpu-total}"], 40.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_iowait{cpu=cpu-total}"], 5.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_irq{cpu=cpu-total}"], 2.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_softirq{cpu=cpu-total}"], 2.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_steal{cpu=cpu-total}"], 1.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_guest{cpu=cpu-total}"], 5.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_guest_nice{cpu=cpu-total}"], 2.5);
  // cpu0: 100 ticks; cpu1: 100 ticks of which user 30, system 20, idle 50.
  EXPECT_DOUBLE_EQ(s["cpu_usage_user{cpu=cpu0}"], 20.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_iowait{cpu=cpu0}"], 10.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_user{cpu=cpu1}"], 30.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_system{cpu=cpu1}"], 20.0);
  EXPECT_DOUBLE_EQ(s["cpu_usage_idle{cpu=cpu1}"], 50.0);
  for (std::string cpu : {"cpu-total", "cpu0", "cpu1"}) {
    double sum = 0;
    for (const auto& [k, v] : s) {
      if (k.starts_with("cpu_usage_") && k.ends_with("{cpu=" + cpu + "}")) sum += v;
    }
    EXPECT_NEAR(sum, 100.0, 1e-9) << cpu;
  }
  EXPECT_EQ(s.size(), 3u * 20u);
}

TEST_F(FixtureTest, CpuPerCpuOff) {
  auto o = FixtureOptions();
  o.metrics = {"cpu"};
  o.per_cpu = false;
  auto s = CollectAB(o);
  EXPECT_EQ(s.size(), 20u);
  EXPECT_EQ(s.count("cpu_usage_user{cpu=cpu0}"), 0u);
}

TEST_F(FixtureTest, MemoryUsageIsFreeUsedOverTotal) {
  auto o = FixtureOptions();
  o.metrics = {"Memory_Usage"};
  auto s = CollectA(o);
  ASSERT_EQ(s.size(), 1u);
  // procps-ng 4 `free`: used = MemTotal - MemAvailable (kB values from debian12_a/proc/meminfo).
  EXPECT_DOUBLE_EQ(s["Memory_Usage"], 100.0 * (24683620.0 - 24267076.0) / 24683620.0);
}

TEST_F(FixtureTest, Mem) {
  auto o = FixtureOptions();
  o.metrics = {"mem"};
  auto s = CollectA(o);
  EXPECT_EQ(s["mem_total"], 24683620.0 * 1024);
  EXPECT_EQ(s["mem_available"], 24267076.0 * 1024);
  EXPECT_EQ(s["mem_used"], (24683620.0 - 24267076.0) * 1024);
  EXPECT_EQ(s["mem_free"], 24090528.0 * 1024);
  EXPECT_EQ(s["mem_buffered"], 2500.0 * 1024);
  EXPECT_EQ(s["mem_cached"], 348084.0 * 1024);
  EXPECT_EQ(s["mem_slab"], 111616.0 * 1024);
  EXPECT_EQ(s["mem_sreclaimable"], 88276.0 * 1024);
  EXPECT_EQ(s["mem_dirty"], 9732.0 * 1024);
  EXPECT_EQ(s["mem_shared"], 8952.0 * 1024);
  EXPECT_EQ(s["mem_vmalloc_total"], 34359738367.0 * 1024);
  EXPECT_EQ(s["mem_huge_pages_total"], 0.0);
  EXPECT_EQ(s["mem_huge_page_size"], 2048.0 * 1024);
  EXPECT_DOUBLE_EQ(s["mem_used_percent"], 100.0 * (24683620.0 - 24267076.0) / 24683620.0);
  EXPECT_DOUBLE_EQ(s["mem_available_percent"], 100.0 * 24267076.0 / 24683620.0);
  EXPECT_EQ(s.count("mem_high_total"), 0u);  // not in a 64-bit kernel's meminfo
}

TEST(SystemSourceMem, WithoutMemAvailableFallsBackToFreeBuffersCache) {
  FakeEnv env;
  env.SetFile("/proc/meminfo",
              "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n"
              "SReclaimable: 50 kB\n");
  SystemSourceOptions o;
  o.metrics = {"Memory_Usage", "mem"};
  SystemSource src(&env, o);
  PointBatch b;
  ASSERT_TRUE(src.Collect(b, 1).ok());
  auto s = Samples(b);
  EXPECT_DOUBLE_EQ(s["Memory_Usage"], 60.0);
  EXPECT_EQ(s["mem_available"], 400.0 * 1024);
}

TEST_F(FixtureTest, Swap) {
  auto o = FixtureOptions();
  o.metrics = {"swap"};
  auto s = CollectA(o);
  EXPECT_EQ(s["swap_total"], 2147483648.0);
  EXPECT_EQ(s["swap_free"], 1610612736.0);
  EXPECT_EQ(s["swap_used"], 536870912.0);
  EXPECT_DOUBLE_EQ(s["swap_used_percent"], 25.0);
  EXPECT_EQ(s["swap_in"], 100.0 * 4096);
  EXPECT_EQ(s["swap_out"], 250.0 * 4096);
  EXPECT_EQ(s.size(), 6u);
}

TEST_F(FixtureTest, SystemAndKernel) {
  auto o = FixtureOptions();
  o.metrics = {"system", "kernel"};
  auto s = CollectA(o);
  EXPECT_DOUBLE_EQ(s["system_load1"], 0.48);
  EXPECT_DOUBLE_EQ(s["system_load5"], 0.45);
  EXPECT_DOUBLE_EQ(s["system_load15"], 0.22);
  EXPECT_EQ(s["system_n_cpus"], 2);
  EXPECT_EQ(s["system_uptime"], 551);
  EXPECT_EQ(s["kernel_boot_time"], 1795556418);
  EXPECT_EQ(s["kernel_context_switches"], 380751);
  EXPECT_EQ(s["kernel_interrupts"], 215310);
  EXPECT_EQ(s["kernel_processes_forked"], 6216);
  EXPECT_EQ(s["kernel_entropy_avail"], 256);
  EXPECT_EQ(s.size(), 10u);
}

TEST_F(FixtureTest, ProcessesCheap) {
  auto o = FixtureOptions();
  o.metrics = {"processes"};
  auto s = CollectA(o);
  EXPECT_EQ(s["processes_running"], 1);
  EXPECT_EQ(s["processes_blocked"], 0);
  EXPECT_EQ(s["processes_total_threads"], 91);
  EXPECT_EQ(s.size(), 3u);
}

TEST_F(FixtureTest, ProcessesScan) {
  auto o = FixtureOptions();
  o.metrics = {"processes"};
  o.scan_processes = true;
  auto s = CollectA(o);
  // pids 2, 14 (S), 15 (I), 4242 (Z, odd comm), 4243 (T, 3 threads), 4244 (D).
  EXPECT_EQ(s["processes_total"], 6);
  EXPECT_EQ(s["processes_sleeping"], 2);
  EXPECT_EQ(s["processes_idle"], 1);
  EXPECT_EQ(s["processes_zombies"], 1);
  EXPECT_EQ(s["processes_stopped"], 1);
  EXPECT_EQ(s["processes_blocked"], 1);
  EXPECT_EQ(s["processes_running"], 0);
  EXPECT_EQ(s["processes_total_threads"], 8);
}

TEST_F(FixtureTest, Diskio) {
  auto o = FixtureOptions();
  o.metrics = {"diskio"};
  auto s = CollectA(o);
  // loop0-7 and zram0 are skipped by default; vda is left.
  EXPECT_EQ(s.size(), 11u);
  EXPECT_EQ(s["diskio_reads{name=vda}"], 31865);
  EXPECT_EQ(s["diskio_merged_reads{name=vda}"], 7406);
  EXPECT_EQ(s["diskio_read_bytes{name=vda}"], 2996570.0 * 512);
  EXPECT_EQ(s["diskio_read_time{name=vda}"], 11657);
  EXPECT_EQ(s["diskio_writes{name=vda}"], 24632);
  EXPECT_EQ(s["diskio_merged_writes{name=vda}"], 8884);
  EXPECT_EQ(s["diskio_write_bytes{name=vda}"], 2246496.0 * 512);
  EXPECT_EQ(s["diskio_write_time{name=vda}"], 7215);
  EXPECT_EQ(s["diskio_iops_in_progress{name=vda}"], 0);
  EXPECT_EQ(s["diskio_io_time{name=vda}"], 9940);
  EXPECT_EQ(s["diskio_weighted_io_time{name=vda}"], 20653);
  o.ignore_disk_prefixes.clear();
  EXPECT_EQ(CollectA(o).size(), 10u * 11u);
}

TEST_F(FixtureTest, Disk) {
  auto o = FixtureOptions();
  o.metrics = {"disk"};
  auto s = CollectA(o);
  // Only / (ext4) and /data (xfs) are left after the ignored pseudo file systems.
  EXPECT_EQ(s.size(), 2u * 8u);
  const std::string root = "{device=vda,fstype=ext4,mode=rw,path=/}";
  EXPECT_EQ(s["disk_total" + root], 66053021.0 * 4096);
  EXPECT_EQ(s["disk_free" + root], 20747182.0 * 4096);
  EXPECT_EQ(s["disk_used" + root], (66053021.0 - 61715906.0) * 4096);
  EXPECT_DOUBLE_EQ(s["disk_used_percent" + root], 100.0 * 4337115.0 / (4337115.0 + 20747182.0));
  EXPECT_EQ(s["disk_inodes_total" + root], 16777216);
  EXPECT_EQ(s["disk_inodes_free" + root], 16348253);
  EXPECT_EQ(s["disk_inodes_used" + root], 16777216 - 16348253);
  const std::string data = "{device=vdb,fstype=xfs,mode=ro,path=/data}";
  EXPECT_EQ(s["disk_used" + data], 600000.0 * 4096);
  EXPECT_EQ(s["disk_free" + data], 300000.0 * 4096);
  EXPECT_DOUBLE_EQ(s["disk_used_percent" + data], 100.0 * 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s["disk_inodes_used_percent" + data], 100.0 * 536.0 / 65536.0);
}

TEST(SystemSourceDisk, EscapedMountPathsDuplicatesAndUnreadableMounts) {
  FakeEnv env;
  env.SetFile("/proc/self/mounts",
              "/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\n"
              "/dev/sdb1 /srv ext4 rw 0 0\n"
              "/dev/sdc1 /srv xfs ro 0 0\n"  // mounted over the first /srv
              "/dev/sdd1 /gone ext4 rw 0 0\n"
              "overlay / overlay rw,lowerdir=/x 0 0\n");
  FsStats fs{.block_size = 1024,
             .blocks = 100,
             .blocks_free = 50,
             .blocks_avail = 50,
             .files = 10,
             .files_free = 5};
  env.SetStatFs("/mnt/my disk", fs);
  env.SetStatFs("/srv", fs);
  env.SetStatFs("/", fs);
  SystemSourceOptions o;
  o.metrics = {"disk"};
  SystemSource src(&env, o);
  PointBatch b;
  ASSERT_TRUE(src.Collect(b, 1).ok());
  auto s = Samples(b);
  EXPECT_EQ(s["disk_total{device=sda1,fstype=ext4,mode=rw,path=/mnt/my disk}"], 102400);
  EXPECT_EQ(s["disk_total{device=sdc1,fstype=xfs,mode=ro,path=/srv}"], 102400);
  EXPECT_EQ(s["disk_total{device=overlay,fstype=overlay,mode=rw,path=/}"], 102400);
  EXPECT_EQ(s.size(), 3u * 8u);
  EXPECT_EQ(src.stats().unreadable, 1u);  // /gone has no statfs answer
}

TEST_F(FixtureTest, Net) {
  auto o = FixtureOptions();
  o.metrics = {"net"};
  auto s = CollectA(o);
  EXPECT_EQ(s.size(), 3u * 8u);  // ifb0, ifb1, eth0; lo ignored
  EXPECT_EQ(s["net_bytes_recv{interface=eth0}"], 78828544);
  EXPECT_EQ(s["net_packets_recv{interface=eth0}"], 2028);
  EXPECT_EQ(s["net_bytes_sent{interface=eth0}"], 86935);
  EXPECT_EQ(s["net_packets_sent{interface=eth0}"], 1167);
  EXPECT_EQ(s["net_err_in{interface=eth0}"], 0);
  EXPECT_EQ(s["net_drop_out{interface=ifb1}"], 0);
  EXPECT_EQ(s.count("net_bytes_recv{interface=lo}"), 0u);
}

TEST_F(FixtureTest, Temp) {
  auto o = FixtureOptions();
  o.metrics = {"temp"};
  auto s = CollectA(o);
  EXPECT_EQ(s.size(), 4u);
  EXPECT_DOUBLE_EQ(s["temp{label=Package id 0,name=coretemp,sensor=temp1}"], 45.0);
  EXPECT_DOUBLE_EQ(s["temp{label=Core 0,name=coretemp,sensor=temp2}"], 43.5);
  EXPECT_DOUBLE_EQ(s["temp{name=nvme,sensor=temp1}"], 38.85);
  EXPECT_DOUBLE_EQ(s["temp{name=nvme_1,sensor=temp1}"], -5.25);
}

TEST_F(FixtureTest, AllCollectsEverySubsystemWithExtraTags) {
  auto o = FixtureOptions();
  o.tags = {{"host", "vm1"}};
  auto s = CollectAB(o);
  EXPECT_DOUBLE_EQ(s["CPU_Usage{host=vm1}"], 55.0);
  EXPECT_EQ(s.count("Memory_Usage{host=vm1}"), 1u);
  for (const char* m : {"cpu_", "system_", "kernel_", "processes_", "mem_", "swap_", "diskio_",
                        "disk_", "net_", "temp{"}) {
    bool found = false;
    for (const auto& [k, v] : s) found |= k.starts_with(m) && k.find("host=vm1") != k.npos;
    EXPECT_TRUE(found) << m;
  }
}

TEST(SystemSourceMetrics, ForMetricAndUnknownNames) {
  FakeEnv env;
  auto known = SystemSource::KnownMetrics();
  EXPECT_EQ(known.size(), 12u);
  EXPECT_EQ(known[0], "CPU_Usage");
  for (const auto& m : known) {
    auto src = SystemSource::ForMetric(&env, m);
    ASSERT_TRUE(src.ok()) << m;
    EXPECT_EQ((*src)->name(), "system:" + m);
  }
  auto all = SystemSource::ForMetric(&env, "all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)->name(), "system");
  auto bad = SystemSource::ForMetric(&env, "GPU_Usage");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(bad.status().message(), HasSubstr("GPU_Usage"));
  EXPECT_THAT(bad.status().message(), HasSubstr("CPU_Usage, Memory_Usage, cpu"));
}

TEST(SystemSourceErrors, MissingFilesAreSkippedAndCounted) {
  FakeEnv env;  // nothing at all
  SystemSource src(&env, SystemSourceOptions{});
  PointBatch b;
  Status s = src.Collect(b, 1);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(b.empty());
  EXPECT_GE(src.stats().missing_files, 6u);
}

TEST(SystemSourceErrors, ParseErrorNamesFileAndLineAndOthersStillCollect) {
  FakeEnv env;
  env.SetFile("/proc/stat", "cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
  env.SetFile("/proc/meminfo", "MemTotal: 1000 kB\nMemFree: lots kB\n");
  env.SetFile("/proc/net/dev", "h1\nh2\n  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
  SystemSourceOptions o;
  o.metrics = {"cpu", "mem", "net"};
  o.user_hz = 100;
  SystemSource src(&env, o);
  PointBatch b;
  Status s = src.Collect(b, 1);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("/proc/meminfo:2"));
  EXPECT_THAT(s.message(), HasSubstr("lots"));
  EXPECT_EQ(src.stats().parse_errors, 1u);
  auto samples = Samples(b);
  EXPECT_DOUBLE_EQ(samples["cpu_time_user{cpu=cpu-total}"], 0.01);
  EXPECT_EQ(samples["net_bytes_sent{interface=eth0}"], 9);
  EXPECT_EQ(samples.count("mem_total"), 0u);
}

TEST(SystemSourceErrors, BadStatLine) {
  FakeEnv env;
  env.SetFile("/proc/stat", "cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 x 4\n");
  SystemSourceOptions o;
  o.metrics = {"CPU_Usage"};
  SystemSource src(&env, o);
  Status s = src.Prime();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("/proc/stat:2"));
  EXPECT_THAT(s.message(), HasSubstr("'x'"));
}

TEST(SystemSourceErrors, OldKernelStatWithFewerColumns) {
  FakeEnv env;
  env.SetFile("/proc/stat", "cpu  10 0 10 80 0 0 0\n");  // 2.6.10: no steal/guest columns
  SystemSourceOptions o;
  o.metrics = {"CPU_Usage"};
  SystemSource src(&env, o);
  ASSERT_TRUE(src.Prime().ok());
  env.SetFile("/proc/stat", "cpu  20 0 20 160 0 0 0\n");
  PointBatch b;
  ASSERT_TRUE(src.Collect(b, 1).ok());
  EXPECT_DOUBLE_EQ(Samples(b)["CPU_Usage"], 20.0);
}

TEST(SystemSourceErrors, CountersGoingBackwardsClampToZero) {
  FakeEnv env;
  // iowait is known to go backwards on NO_HZ kernels.
  env.SetFile("/proc/stat", "cpu  100 0 100 800 50 0 0 0 0 0\n");
  SystemSourceOptions o;
  o.metrics = {"CPU_Usage"};
  SystemSource src(&env, o);
  ASSERT_TRUE(src.Prime().ok());
  env.SetFile("/proc/stat", "cpu  150 0 150 900 40 0 0 0 0 0\n");
  PointBatch b;
  ASSERT_TRUE(src.Collect(b, 1).ok());
  EXPECT_DOUBLE_EQ(Samples(b)["CPU_Usage"], 50.0);  // 100 busy of 200
}

// ---- on this machine

TEST(SystemSourceReal, CpuUsageInRange) {
  auto src = SystemSource::ForMetric(Env::Default(), "CPU_Usage");
  ASSERT_TRUE(src.ok());
  ASSERT_TRUE((*src)->Prime().ok());
  // Burn a little CPU so at least one tick passes.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(60);
  volatile uint64_t x = 0;
  while (std::chrono::steady_clock::now() < until) x = x + 1;
  PointBatch b;
  ASSERT_TRUE((*src)->Collect(b, 1).ok());
  auto s = Samples(b);
  ASSERT_EQ(s.count("CPU_Usage"), 1u);
  EXPECT_GE(s["CPU_Usage"], 0.0);
  EXPECT_LE(s["CPU_Usage"], 100.0);
  EXPECT_GT(s["CPU_Usage"], 0.0);  // we were busy
}

// `free -b`'s "Mem:" line as used / total * 100.
double FreeUsedPercent() {
  FILE* p = ::popen("free -b", "r");
  if (p == nullptr) return -1;
  char buf[4096];
  std::string out;
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  std::istringstream in(out);
  std::string word;
  while (in >> word) {
    if (word == "Mem:") {
      double total, used;
      in >> total >> used;
      return 100.0 * used / total;
    }
  }
  return -1;
}

TEST(SystemSourceReal, MemoryUsageMatchesFree) {
  auto src = SystemSource::ForMetric(Env::Default(), "Memory_Usage");
  ASSERT_TRUE(src.ok());
  PointBatch b;
  ASSERT_TRUE((*src)->Collect(b, 1).ok());
  double ours = Samples(b)["Memory_Usage"];
  double free = FreeUsedPercent();
  ASSERT_GE(free, 0) << "could not run `free -b` (procps)";
  EXPECT_NEAR(ours, free, 1.0);
  EXPECT_GT(ours, 0.0);
}

TEST(SystemSourceReal, AllSubsystemsOnThisMachine) {
  SystemSourceOptions o;
  o.scan_processes = true;
  SystemSource src(Env::Default(), o);
  ASSERT_TRUE(src.Prime().ok());
  PointBatch b;
  Status s = src.Collect(b, 1);
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto m = Samples(b);
  EXPECT_GT(m["mem_total"], 0);
  EXPECT_GE(m["processes_total"], 1);
  EXPECT_EQ(m["system_n_cpus"], ::sysconf(_SC_NPROCESSORS_ONLN));
}

}  // namespace
}  // namespace mm
