#include "sources/system_source.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "sources/proc_parse.h"

namespace mm {

namespace {

using proc::LineReader;
using proc::ParseDouble;
using proc::ParseError;
using proc::ParseU64;
using proc::Tokens;

// Selection bits, in collection order (KnownMetrics() follows it).
enum : uint32_t {
  kCpuUsage = 1u << 0,
  kMemoryUsage = 1u << 1,
  kCpu = 1u << 2,
  kSystem = 1u << 3,
  kKernel = 1u << 4,
  kProcesses = 1u << 5,
  kMem = 1u << 6,
  kSwap = 1u << 7,
  kDiskio = 1u << 8,
  kDisk = 1u << 9,
  kNet = 1u << 10,
  kTemp = 1u << 11,
  kAll = (1u << 12) - 1,
};

constexpr std::array<std::pair<std::string_view, uint32_t>, 12> kMetricBits = {{
    {"CPU_Usage", kCpuUsage},
    {"Memory_Usage", kMemoryUsage},
    {"cpu", kCpu},
    {"system", kSystem},
    {"kernel", kKernel},
    {"processes", kProcesses},
    {"mem", kMem},
    {"swap", kSwap},
    {"diskio", kDiskio},
    {"disk", kDisk},
    {"net", kNet},
    {"temp", kTemp},
}};

constexpr uint32_t kNeedsStat = kCpuUsage | kCpu | kSystem | kKernel | kProcesses;
constexpr uint32_t kNeedsCpuDelta = kCpuUsage | kCpu;
constexpr uint32_t kNeedsMeminfo = kMemoryUsage | kMem | kSwap;

uint32_t BitOf(std::string_view metric) {
  if (metric == "all") return kAll;
  for (const auto& [name, bit] : kMetricBits) {
    if (name == metric) return bit;
  }
  return 0;
}

// /proc/stat cpu columns, in file order.
enum CpuCol {
  kUser,
  kNice,
  kSystemT,
  kIdle,
  kIowait,
  kIrq,
  kSoftirq,
  kSteal,
  kGuest,
  kGuestNice,
  kCpuCols
};

struct CpuTimes {
  bool present = false;
  std::array<uint64_t, kCpuCols> t{};
};

struct StatSnapshot {
  CpuTimes total;
  std::vector<CpuTimes> cpus;  // index = N of "cpuN"; absent (offline) cores are !present
  uint64_t n_cpus = 0;
  uint64_t ctxt = 0, btime = 0, processes = 0, procs_running = 0, procs_blocked = 0, intr = 0;
  bool has_ctxt = false, has_btime = false, has_processes = false, has_running = false,
       has_blocked = false, has_intr = false;

  void Reset() {
    total.present = false;
    for (auto& c : cpus) c.present = false;
    n_cpus = 0;
    has_ctxt = has_btime = has_processes = has_running = has_blocked = has_intr = false;
  }
};

// /proc/meminfo keys we report, with their Telegraf `mem` field names (bytes unless noted).
enum MemKey {
  kMemTotal,
  kMemFree,
  kMemAvailable,
  kBuffers,
  kCached,
  kSwapCached,
  kActive,
  kInactive,
  kSwapTotal,
  kSwapFree,
  kDirty,
  kWriteback,
  kWritebackTmp,
  kMapped,
  kShmem,
  kSlab,
  kSReclaimable,
  kSUnreclaim,
  kPageTables,
  kCommitLimit,
  kCommittedAS,
  kVmallocTotal,
  kVmallocUsed,
  kVmallocChunk,
  kHugePagesTotal,
  kHugePagesFree,
  kHugepagesize,
  kHighTotal,
  kHighFree,
  kLowTotal,
  kLowFree,
  kMemKeys
};

struct MemKeyInfo {
  std::string_view key;    // as in /proc/meminfo, without ':'
  std::string_view field;  // `mem` field; "" = used for computation only
  bool is_count;           // a count, not kB
};

constexpr std::array<MemKeyInfo, kMemKeys> kMemKeyInfo = {{
    {"MemTotal", "total", false},
    {"MemFree", "free", false},
    {"MemAvailable", "available", false},
    {"Buffers", "buffered", false},
    {"Cached", "cached", false},
    {"SwapCached", "swap_cached", false},
    {"Active", "active", false},
    {"Inactive", "inactive", false},
    {"SwapTotal", "swap_total", false},
    {"SwapFree", "swap_free", false},
    {"Dirty", "dirty", false},
    {"Writeback", "write_back", false},
    {"WritebackTmp", "write_back_tmp", false},
    {"Mapped", "mapped", false},
    {"Shmem", "shared", false},
    {"Slab", "slab", false},
    {"SReclaimable", "sreclaimable", false},
    {"SUnreclaim", "sunreclaim", false},
    {"PageTables", "page_tables", false},
    {"CommitLimit", "commit_limit", false},
    {"Committed_AS", "committed_as", false},
    {"VmallocTotal", "vmalloc_total", false},
    {"VmallocUsed", "vmalloc_used", false},
    {"VmallocChunk", "vmalloc_chunk", false},
    {"HugePages_Total", "huge_pages_total", true},
    {"HugePages_Free", "huge_pages_free", true},
    {"Hugepagesize", "huge_page_size", false},
    {"HighTotal", "high_total", false},
    {"HighFree", "high_free", false},
    {"LowTotal", "low_total", false},
    {"LowFree", "low_free", false},
}};

struct MemInfo {
  std::array<uint64_t, kMemKeys> v{};  // bytes (or counts)
  std::array<bool, kMemKeys> has{};
  void Reset() { has.fill(false); }
};

struct Mount {
  std::string device, path, fstype;
  bool read_only = false;
};

double Percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Builds points with reused tag/field scratch vectors; keys and measurements are literals.
class Emitter {
 public:
  Emitter(PointBatch& out, int64_t ts, std::vector<TagRef>& tags, std::vector<FieldRef>& fields,
          size_t base_tags)
      : out_(out), ts_(ts), tags_(tags), fields_(fields), base_(base_tags) {}
  void Begin() {
    tags_.resize(base_);
    fields_.clear();
  }
  // `value` must already live in the batch (interned) or be static.
  void Tag(std::string_view key, std::string_view value) { tags_.push_back({key, value}); }
  void TagCopy(std::string_view key, std::string_view value) {
    tags_.push_back({key, out_.Intern(value)});
  }
  // The parameter type picks the field type, so call sites convert to it as they always did.
  void F(std::string_view key, double v) { NewField(key, FieldType::kFloat).f = v; }
  void U(std::string_view key, uint64_t v) { NewField(key, FieldType::kUint).u = v; }
  void I(std::string_view key, int64_t v) { NewField(key, FieldType::kInt).i = v; }
  void End(std::string_view measurement) {
    if (!fields_.empty()) out_.Add(measurement, tags_, fields_, ts_);
  }
  PointBatch& batch() { return out_; }

 private:
  // Appends a field with `key` and `type`; the caller sets the value member `type` names.
  FieldRef& NewField(std::string_view key, FieldType type) {
    FieldRef& f = fields_.emplace_back();
    f.key = key;
    f.type = type;
    return f;
  }

  PointBatch& out_;
  int64_t ts_;
  std::vector<TagRef>& tags_;
  std::vector<FieldRef>& fields_;
  size_t base_;
};

constexpr std::array<std::string_view, kCpuCols> kTimeFields = {
    "time_user", "time_nice",    "time_system", "time_idle",  "time_iowait",
    "time_irq",  "time_softirq", "time_steal",  "time_guest", "time_guest_nice"};
constexpr std::array<std::string_view, kCpuCols> kUsageFields = {
    "usage_user", "usage_nice",    "usage_system", "usage_idle",  "usage_iowait",
    "usage_irq",  "usage_softirq", "usage_steal",  "usage_guest", "usage_guest_nice"};

// Per-column deltas (negative ones, e.g. iowait going back on NO_HZ kernels, clamp to 0) and
// their total; guest and guest_nice are already inside user and nice, so not in the total.
struct CpuDelta {
  std::array<double, kCpuCols> d{};
  double total = 0;
};

CpuDelta Delta(const CpuTimes& prev, const CpuTimes& cur) {
  CpuDelta r;
  for (int i = 0; i < kCpuCols; ++i) {
    r.d[i] = cur.t[i] >= prev.t[i] ? static_cast<double>(cur.t[i] - prev.t[i]) : 0.0;
  }
  for (int i = kUser; i <= kSteal; ++i) r.total += r.d[i];
  return r;
}

}  // namespace

struct SystemSource::State {
  // Statistics (read by stats() from other threads).
  std::atomic<uint64_t> collections{0}, missing{0}, unreadable{0}, parse_errors{0}, no_cpu_delta{0};

  int64_t user_hz = 100;
  int64_t page_size = 4096;

  StatSnapshot stat, prev_stat;
  bool have_prev_stat = false;
  MemInfo mem;

  std::vector<TagRef> tags;
  std::vector<FieldRef> fields;
  std::vector<Mount> mounts;
  size_t n_mounts = 0;
  std::string path;      // reused path buffer
  std::string scratch;   // reused unescape buffer
  std::string cpu_name;  // "cpuN"

  // Records a non-ok status: NotFound is counted and dropped; anything else is kept if first.
  void Note(Status s, Status& first) {
    if (s.ok()) return;
    if (s.code() == StatusCode::kNotFound) {
      missing.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (s.code() == StatusCode::kCorruption) parse_errors.fetch_add(1, std::memory_order_relaxed);
    if (first.ok()) first = std::move(s);
  }
};

std::vector<std::string> SystemSourceOptions::DefaultIgnoredFs() {
  return {"autofs",    "binfmt_misc", "bpf",      "cgroup",   "cgroup2", "configfs",   "debugfs",
          "devfs",     "devpts",      "devtmpfs", "efivarfs", "fusectl", "hugetlbfs",  "iso9660",
          "mqueue",    "nsfs",        "proc",     "pstore",   "ramfs",   "rpc_pipefs", "securityfs",
          "selinuxfs", "squashfs",    "sysfs",    "tmpfs",    "tracefs"};
}

std::vector<std::string> SystemSource::KnownMetrics() {
  std::vector<std::string> out;
  for (const auto& [name, bit] : kMetricBits) out.emplace_back(name);
  return out;
}

bool SystemSource::IsKnownMetric(std::string_view metric) { return BitOf(metric) != 0; }

SystemSource::SystemSource(Env* env, SystemSourceOptions options)
    : env_(env), options_(std::move(options)), state_(std::make_unique<State>()) {
  for (const auto& m : options_.metrics) {
    uint32_t bit = BitOf(m);
    MM_DCHECK(bit != 0, "SystemSource: unknown metric (use Create to validate)");
    mask_ |= bit;
  }
  name_ = "system";
  if (mask_ != kAll) {
    name_ += ':';
    bool first = true;
    for (const auto& [metric, bit] : kMetricBits) {
      if (!(mask_ & bit)) continue;
      if (!first) name_ += ',';
      name_ += metric;
      first = false;
    }
  }
  state_->user_hz = options_.user_hz > 0 ? options_.user_hz : ::sysconf(_SC_CLK_TCK);
  if (state_->user_hz <= 0) state_->user_hz = 100;
  state_->page_size = options_.page_size > 0 ? options_.page_size : ::sysconf(_SC_PAGESIZE);
  if (state_->page_size <= 0) state_->page_size = 4096;
}

SystemSource::~SystemSource() = default;

Result<std::unique_ptr<SystemSource>> SystemSource::Create(Env* env, SystemSourceOptions options) {
  for (const auto& m : options.metrics) {
    if (BitOf(m) == 0) {
      std::string known = "all";
      for (const auto& [name, bit] : kMetricBits) known.append(", ").append(name);
      return Status::NotFound("unknown system metric '" + m + "'; known: " + known);
    }
  }
  if (options.metrics.empty()) return Status::InvalidArgument("SystemSource: no metrics selected");
  return std::make_unique<SystemSource>(env, std::move(options));
}

Result<std::unique_ptr<SystemSource>> SystemSource::ForMetric(Env* env, std::string_view metric,
                                                              SystemSourceOptions options) {
  options.metrics = {std::string(metric)};
  return Create(env, std::move(options));
}

SystemSourceStats SystemSource::stats() const {
  SystemSourceStats s;
  s.collections = state_->collections.load(std::memory_order_relaxed);
  s.missing_files = state_->missing.load(std::memory_order_relaxed);
  s.unreadable = state_->unreadable.load(std::memory_order_relaxed);
  s.parse_errors = state_->parse_errors.load(std::memory_order_relaxed);
  s.no_cpu_delta = state_->no_cpu_delta.load(std::memory_order_relaxed);
  return s;
}

// ---------------------------------------------------------------- parsing

namespace {

constexpr std::string_view kStatPath = "/proc/stat";

Status ParseStat(std::string_view text, StatSnapshot& s) {
  s.Reset();
  LineReader lines(text);
  while (auto line = lines.Next()) {
    Tokens tok(*line);
    std::string_view key = tok.Next();
    if (key.empty()) continue;
    if (StartsWith(key, "cpu")) {
      CpuTimes* c;
      if (key.size() == 3) {
        c = &s.total;
      } else {
        uint64_t n;
        if (!ParseU64(key.substr(3), n) || n > 65535) {
          return ParseError(kStatPath, lines.line_number(), "bad cpu line name", key);
        }
        if (s.cpus.size() <= n) s.cpus.resize(n + 1);
        c = &s.cpus[n];
        ++s.n_cpus;
      }
      c->present = true;
      c->t.fill(0);
      // Older kernels have fewer columns (steal, guest, guest_nice came later): they stay 0.
      for (int i = 0; i < kCpuCols; ++i) {
        std::string_view v = tok.Next();
        if (v.empty()) {
          if (i < kIowait) {
            return ParseError(kStatPath, lines.line_number(), "too few cpu columns", *line);
          }
          break;
        }
        if (!ParseU64(v, c->t[i])) {
          return ParseError(kStatPath, lines.line_number(), "expected a tick count", v);
        }
      }
      continue;
    }
    uint64_t* dst = nullptr;
    bool* has = nullptr;
    if (key == "ctxt") {
      dst = &s.ctxt, has = &s.has_ctxt;
    } else if (key == "btime") {
      dst = &s.btime, has = &s.has_btime;
    } else if (key == "processes") {
      dst = &s.processes, has = &s.has_processes;
    } else if (key == "procs_running") {
      dst = &s.procs_running, has = &s.has_running;
    } else if (key == "procs_blocked") {
      dst = &s.procs_blocked, has = &s.has_blocked;
    } else if (key == "intr") {
      dst = &s.intr, has = &s.has_intr;  // the first number is the total
    } else {
      continue;
    }
    std::string_view v = tok.Next();
    if (!ParseU64(v, *dst)) {
      return ParseError(kStatPath, lines.line_number(), "expected a number", v);
    }
    *has = true;
  }
  if (!s.total.present) return ParseError(kStatPath, lines.line_number(), "no cpu line", "");
  return Status::Ok();
}

constexpr std::string_view kMeminfoPath = "/proc/meminfo";

Status ParseMeminfo(std::string_view text, MemInfo& m) {
  m.Reset();
  LineReader lines(text);
  while (auto line = lines.Next()) {
    size_t colon = line->find(':');
    if (colon == std::string_view::npos) {
      if (proc::Trim(*line).empty()) continue;
      return ParseError(kMeminfoPath, lines.line_number(), "expected 'Key: value'", *line);
    }
    std::string_view key = line->substr(0, colon);
    int idx = -1;
    for (int i = 0; i < kMemKeys; ++i) {
      if (kMemKeyInfo[i].key == key) {
        idx = i;
        break;
      }
    }
    if (idx < 0) continue;
    Tokens tok(line->substr(colon + 1));
    std::string_view v = tok.Next();
    std::string_view unit = tok.Next();
    uint64_t n;
    if (!ParseU64(v, n))
      return ParseError(kMeminfoPath, lines.line_number(), "expected a number", v);
    if (unit == "kB") {
      n *= 1024;
    } else if (!unit.empty()) {
      return ParseError(kMeminfoPath, lines.line_number(), "unknown unit", unit);
    }
    m.v[idx] = n;
    m.has[idx] = true;
  }
  if (!m.has[kMemTotal]) return ParseError(kMeminfoPath, lines.line_number(), "no MemTotal", "");
  return Status::Ok();
}

// used and available as procps-ng 4 `free` computes them: used = MemTotal - MemAvailable. On
// kernels before 3.14 (no MemAvailable) available is estimated as free + buffers + cached +
// reclaimable slab.
struct MemUse {
  uint64_t total, available, used;
};

MemUse ComputeMemUse(const MemInfo& m) {
  MemUse u;
  u.total = m.v[kMemTotal];
  if (m.has[kMemAvailable]) {
    u.available = m.v[kMemAvailable];
  } else {
    u.available = m.v[kMemFree] + m.v[kBuffers] + m.v[kCached] + m.v[kSReclaimable];
  }
  if (u.available > u.total) u.available = u.total;
  u.used = u.total - u.available;
  return u;
}

}  // namespace

// ---------------------------------------------------------------- collection

namespace {

// Reads `path` into a Result; a missing file is NotFound (counted, skipped by the caller).
Result<std::string> Read(Env* env, const std::string& path) { return env->ReadFile(path); }

}  // namespace

// The collectors. Each emits into `e` and reports through Note(); none stops the others.
struct SystemSource::Collector {
  SystemSource& src;
  State& st;
  Emitter& e;
  Status& first;

  void Note(Status s) { st.Note(std::move(s), first); }

  void CpuUsage() {
    if (!st.have_prev_stat || !st.prev_stat.total.present) {
      st.no_cpu_delta.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    CpuDelta d = Delta(st.prev_stat.total, st.stat.total);
    if (d.total <= 0) {
      st.no_cpu_delta.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    double busy = d.total - d.d[kIdle] - d.d[kIowait];
    e.Begin();
    e.F("value", std::clamp(Percent(busy, d.total), 0.0, 100.0));
    e.End("CPU_Usage");
  }

  void CpuPoint(std::string_view cpu_tag, const CpuTimes& cur, const CpuTimes* prev) {
    e.Begin();
    e.Tag("cpu", cpu_tag);
    const double hz = static_cast<double>(st.user_hz);
    for (int i = 0; i < kCpuCols; ++i) e.F(kTimeFields[i], static_cast<double>(cur.t[i]) / hz);
    if (prev != nullptr && prev->present) {
      CpuDelta d = Delta(*prev, cur);
      if (d.total > 0) {
        // Telegraf's convention: usage_user/usage_nice exclude the guest time they contain, so
        // the ten usage_* fields add up to 100.
        std::array<double, kCpuCols> pct;
        for (int i = 0; i < kCpuCols; ++i) pct[i] = d.d[i];
        pct[kUser] = std::max(0.0, d.d[kUser] - d.d[kGuest]);
        pct[kNice] = std::max(0.0, d.d[kNice] - d.d[kGuestNice]);
        for (int i = 0; i < kCpuCols; ++i) e.F(kUsageFields[i], Percent(pct[i], d.total));
      }
    }
    e.End("cpu");
  }

  void Cpu() {
    const StatSnapshot& cur = st.stat;
    const StatSnapshot* prev = st.have_prev_stat ? &st.prev_stat : nullptr;
    if (src.options_.per_cpu) {
      for (size_t n = 0; n < cur.cpus.size(); ++n) {
        if (!cur.cpus[n].present) continue;
        st.cpu_name.assign("cpu");
        char buf[8];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, n);
        st.cpu_name.append(buf, p);
        const CpuTimes* pc = prev && n < prev->cpus.size() ? &prev->cpus[n] : nullptr;
        CpuPoint(e.batch().Intern(st.cpu_name), cur.cpus[n], pc);
      }
    }
    CpuPoint("cpu-total", cur.total, prev ? &prev->total : nullptr);
  }

  void System() {
    e.Begin();
    auto load = Read(src.env_, "/proc/loadavg");
    if (load.ok()) {
      Tokens tok(*load);
      static constexpr std::array<std::string_view, 3> kLoad = {"load1", "load5", "load15"};
      for (auto key : kLoad) {
        std::string_view v = tok.Next();
        double d;
        if (!ParseDouble(v, d)) return Note(ParseError("/proc/loadavg", 1, "expected a load", v));
        e.F(key, d);
      }
    } else {
      Note(load.status());
    }
    if (st.stat.n_cpus > 0) e.I("n_cpus", static_cast<int64_t>(st.stat.n_cpus));
    auto up = Read(src.env_, "/proc/uptime");
    if (up.ok()) {
      Tokens tok(*up);
      std::string_view v = tok.Next();
      double d;
      if (!ParseDouble(v, d)) return Note(ParseError("/proc/uptime", 1, "expected seconds", v));
      e.U("uptime", static_cast<uint64_t>(d));
    } else {
      Note(up.status());
    }
    e.End("system");
  }

  void Kernel() {
    const StatSnapshot& s = st.stat;
    e.Begin();
    if (s.has_btime) e.U("boot_time", s.btime);
    if (s.has_ctxt) e.U("context_switches", s.ctxt);
    if (s.has_intr) e.U("interrupts", s.intr);
    if (s.has_processes) e.U("processes_forked", s.processes);
    auto ent = Read(src.env_, "/proc/sys/kernel/random/entropy_avail");
    if (ent.ok()) {
      uint64_t n;
      std::string_view v = proc::Trim(*ent);
      if (!ParseU64(v, n)) {
        Note(ParseError("/proc/sys/kernel/random/entropy_avail", 1, "expected a number", v));
      } else {
        e.U("entropy_avail", n);
      }
    } else {
      Note(ent.status());
    }
    e.End("kernel");
  }

  void ProcessesCheap() {
    // procs_running / procs_blocked count tasks (threads) in R / D state right now; the
    // denominator of /proc/loadavg's 4th field is the number of tasks (threads) on the host.
    const StatSnapshot& s = st.stat;
    e.Begin();
    if (s.has_running) e.U("running", s.procs_running);
    if (s.has_blocked) e.U("blocked", s.procs_blocked);
    auto load = Read(src.env_, "/proc/loadavg");
    if (load.ok()) {
      Tokens tok(*load);
      for (int i = 0; i < 3; ++i) tok.Next();
      std::string_view rt = tok.Next();
      size_t slash = rt.find('/');
      uint64_t threads;
      if (slash == std::string_view::npos || !ParseU64(rt.substr(slash + 1), threads)) {
        Note(ParseError("/proc/loadavg", 1, "expected running/total", rt));
      } else {
        e.U("total_threads", threads);
      }
    } else {
      Note(load.status());
    }
    e.End("processes");
  }

  void ProcessesScan() {
    auto names = src.env_->ListDir("/proc");
    if (!names.ok()) return Note(names.status());
    uint64_t total = 0, running = 0, sleeping = 0, blocked = 0, zombies = 0, stopped = 0, dead = 0,
             paging = 0, idle = 0, unknown = 0, threads = 0;
    for (const std::string& pid : *names) {
      if (!IsDigits(pid)) continue;
      st.path.assign("/proc/").append(pid).append("/stat");
      auto text = src.env_->ReadFile(st.path);
      if (!text.ok()) continue;  // the process exited since the listing: not an error
      // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so cut at the last ')'.
      std::string_view line = *text;
      size_t rp = line.rfind(')');
      if (rp == std::string_view::npos) {
        Note(ParseError(st.path, 1, "no ')' after the command name", line));
        continue;
      }
      Tokens tok(line.substr(rp + 1));
      std::string_view state = tok.Next();
      // num_threads is field 20; state is field 3.
      std::string_view nt;
      for (int f = 4; f <= 20; ++f) nt = tok.Next();
      uint64_t n;
      if (state.size() != 1 || !ParseU64(nt, n)) {
        Note(ParseError(st.path, 1, "expected state and num_threads", line.substr(rp + 1)));
        continue;
      }
      ++total;
      threads += n;
      switch (state[0]) {
        case 'R':
          ++running;
          break;
        case 'S':
          ++sleeping;
          break;
        case 'D':
          ++blocked;
          break;
        case 'Z':
          ++zombies;
          break;
        case 'T':
        case 't':
          ++stopped;
          break;
        case 'X':
        case 'x':
          ++dead;
          break;
        case 'W':
          ++paging;
          break;
        case 'I':
          ++idle;
          break;
        default:
          ++unknown;
          break;
      }
    }
    e.Begin();
    e.U("total", total);
    e.U("running", running);
    e.U("sleeping", sleeping);
    e.U("blocked", blocked);
    e.U("zombies", zombies);
    e.U("stopped", stopped);
    e.U("dead", dead);
    e.U("paging", paging);
    e.U("idle", idle);
    e.U("unknown", unknown);
    e.U("total_threads", threads);
    e.End("processes");
  }

  void MemoryUsage() {
    MemUse u = ComputeMemUse(st.mem);
    e.Begin();
    e.F("value", Percent(static_cast<double>(u.used), static_cast<double>(u.total)));
    e.End("Memory_Usage");
  }

  void Mem() {
    const MemInfo& m = st.mem;
    MemUse u = ComputeMemUse(m);
    e.Begin();
    for (int i = 0; i < kMemKeys; ++i) {
      if (i == kMemAvailable) continue;  // below, with its fallback
      if (m.has[i]) e.U(kMemKeyInfo[i].field, m.v[i]);
    }
    e.U("available", u.available);
    e.U("used", u.used);
    e.F("available_percent",
        Percent(static_cast<double>(u.available), static_cast<double>(u.total)));
    e.F("used_percent", Percent(static_cast<double>(u.used), static_cast<double>(u.total)));
    e.End("mem");
  }

  void Swap() {
    const MemInfo& m = st.mem;
    e.Begin();
    if (m.has[kSwapTotal] && m.has[kSwapFree]) {
      uint64_t total = m.v[kSwapTotal], free = std::min(m.v[kSwapFree], total);
      e.U("total", total);
      e.U("free", free);
      e.U("used", total - free);
      e.F("used_percent", Percent(static_cast<double>(total - free), static_cast<double>(total)));
    }
    auto vm = Read(src.env_, "/proc/vmstat");
    if (vm.ok()) {
      LineReader lines(*vm);
      int found = 0;
      while (found < 2) {
        auto line = lines.Next();
        if (!line) break;
        if (!StartsWith(*line, "pswp")) continue;
        Tokens tok(*line);
        std::string_view key = tok.Next(), v = tok.Next();
        if (key != "pswpin" && key != "pswpout") continue;
        uint64_t pages;
        if (!ParseU64(v, pages)) {
          Note(ParseError("/proc/vmstat", lines.line_number(), "expected a page count", v));
          break;
        }
        e.U(key == "pswpin" ? "in" : "out", pages * static_cast<uint64_t>(st.page_size));
        ++found;
      }
    } else {
      Note(vm.status());
    }
    e.End("swap");
  }

  void Diskio() {
    auto text = Read(src.env_, "/proc/diskstats");
    if (!text.ok()) return Note(text.status());
    LineReader lines(*text);
    std::array<uint64_t, 11> v;
    while (auto line = lines.Next()) {
      Tokens tok(*line);
      tok.Next();  // major
      tok.Next();  // minor
      std::string_view name = tok.Next();
      if (name.empty()) continue;
      bool skip = false;
      for (const auto& p : src.options_.ignore_disk_prefixes) {
        if (StartsWith(name, p)) {
          skip = true;
          break;
        }
      }
      if (skip) continue;
      int n = 0;
      for (; n < 11; ++n) {
        std::string_view t = tok.Next();
        if (t.empty()) break;
        if (!ParseU64(t, v[n])) {
          Note(ParseError("/proc/diskstats", lines.line_number(), "expected a counter", t));
          return;
        }
      }
      if (n < 11) continue;  // 2.6-era 4-column partition lines: nothing we report
      e.Begin();
      e.TagCopy("name", name);
      e.U("reads", v[0]);
      e.U("merged_reads", v[1]);
      e.U("read_bytes", v[2] * 512);  // sectors are always 512 bytes in /proc/diskstats
      e.U("read_time", v[3]);
      e.U("writes", v[4]);
      e.U("merged_writes", v[5]);
      e.U("write_bytes", v[6] * 512);
      e.U("write_time", v[7]);
      e.U("iops_in_progress", v[8]);
      e.U("io_time", v[9]);
      e.U("weighted_io_time", v[10]);
      e.End("diskio");
    }
  }

  void Disk() {
    auto text = Read(src.env_, "/proc/self/mounts");
    if (!text.ok()) return Note(text.status());
    // Parse all mounts first: a later mount on the same path hides the earlier one.
    st.n_mounts = 0;
    LineReader lines(*text);
    while (auto line = lines.Next()) {
      Tokens tok(*line);
      std::string_view dev = tok.Next(), path = tok.Next(), fstype = tok.Next(), opts = tok.Next();
      if (dev.empty()) continue;
      if (opts.empty()) {
        Note(ParseError("/proc/self/mounts", lines.line_number(), "expected 4+ fields", *line));
        return;
      }
      bool ignored = false;
      for (const auto& fs : src.options_.ignore_fs) {
        if (fs == fstype) {
          ignored = true;
          break;
        }
      }
      if (ignored) continue;
      proc::UnescapeMountField(path, st.scratch);
      Mount* m = nullptr;
      for (size_t i = 0; i < st.n_mounts; ++i) {
        if (st.mounts[i].path == st.scratch) m = &st.mounts[i];
      }
      if (m == nullptr) {
        if (st.n_mounts == st.mounts.size()) st.mounts.emplace_back();
        m = &st.mounts[st.n_mounts++];
        m->path.assign(st.scratch);
      }
      proc::UnescapeMountField(dev, m->device);
      m->fstype.assign(fstype);
      std::string_view first_opt = opts.substr(0, opts.find(','));
      m->read_only = first_opt == "ro";
    }
    for (size_t i = 0; i < st.n_mounts; ++i) {
      const Mount& m = st.mounts[i];
      auto fs = src.env_->StatFs(m.path);
      if (!fs.ok()) {
        // Permission denied, a stale network mount, a path outside our mount namespace.
        st.unreadable.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (fs->blocks == 0) continue;  // a pseudo file system not in ignore_fs
      const uint64_t bs = fs->block_size;
      const uint64_t used = (fs->blocks - std::min(fs->blocks_free, fs->blocks)) * bs;
      const uint64_t free = fs->blocks_avail * bs;
      const uint64_t inodes_used = fs->files - std::min(fs->files_free, fs->files);
      std::string_view device = m.device;
      if (StartsWith(device, "/dev/")) device.remove_prefix(5);
      e.Begin();
      e.TagCopy("path", m.path);
      e.TagCopy("device", device);
      e.TagCopy("fstype", m.fstype);
      e.Tag("mode", m.read_only ? "ro" : "rw");
      e.U("total", fs->blocks * bs);
      e.U("free", free);
      e.U("used", used);
      // df's Use%: used / (used + available), since root-reserved blocks are not available.
      e.F("used_percent", Percent(static_cast<double>(used), static_cast<double>(used + free)));
      e.U("inodes_total", fs->files);
      e.U("inodes_free", fs->files_free);
      e.U("inodes_used", inodes_used);
      e.F("inodes_used_percent",
          Percent(static_cast<double>(inodes_used), static_cast<double>(fs->files)));
      e.End("disk");
    }
  }

  void Net() {
    auto text = Read(src.env_, "/proc/net/dev");
    if (!text.ok()) return Note(text.status());
    LineReader lines(*text);
    std::array<uint64_t, 16> v;
    while (auto line = lines.Next()) {
      size_t colon = line->find(':');
      if (colon == std::string_view::npos) continue;  // the two header lines
      std::string_view iface = proc::Trim(line->substr(0, colon));
      if (iface.find('|') != std::string_view::npos) continue;
      bool skip = false;
      for (const auto& name : src.options_.ignore_interfaces) {
        if (name == iface) {
          skip = true;
          break;
        }
      }
      if (skip) continue;
      Tokens tok(line->substr(colon + 1));
      for (int i = 0; i < 16; ++i) {
        std::string_view t = tok.Next();
        if (!ParseU64(t, v[i])) {
          Note(ParseError("/proc/net/dev", lines.line_number(), "expected 16 counters", t));
          return;
        }
      }
      e.Begin();
      e.TagCopy("interface", iface);
      e.U("bytes_recv", v[0]);
      e.U("packets_recv", v[1]);
      e.U("err_in", v[2]);
      e.U("drop_in", v[3]);
      e.U("bytes_sent", v[8]);
      e.U("packets_sent", v[9]);
      e.U("err_out", v[10]);
      e.U("drop_out", v[11]);
      e.End("net");
    }
  }

  // Emits the temp*_input sensors of one hwmon directory; false if it has none.
  bool TempDir(const std::string& dir, std::string_view chip) {
    auto names = src.env_->ListDir(dir);
    if (!names.ok()) return false;
    bool any = false;
    for (const std::string& f : *names) {
      if (!StartsWith(f, "temp") || f.size() <= 10 || f.compare(f.size() - 6, 6, "_input") != 0) {
        continue;
      }
      std::string_view sensor(f.data(), f.size() - 6);  // "tempN"
      if (!IsDigits(sensor.substr(4))) continue;
      any = true;
      st.path.assign(dir).append("/").append(f);
      auto v = src.env_->ReadFile(st.path);
      if (!v.ok()) {
        // Some sensors answer EIO / ENODATA when idle or absent.
        st.unreadable.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      int64_t milli;
      std::string_view t = proc::Trim(*v);
      if (!proc::ParseI64(t, milli)) {
        Note(ParseError(st.path, 1, "expected millidegrees", t));
        continue;
      }
      e.Begin();
      e.TagCopy("name", chip);
      e.TagCopy("sensor", sensor);
      st.path.assign(dir).append("/").append(sensor).append("_label");
      auto label = src.env_->ReadFile(st.path);
      if (label.ok() && !proc::Trim(*label).empty()) e.TagCopy("label", proc::Trim(*label));
      e.F("value", static_cast<double>(milli) / 1000.0);
      e.End("temp");
    }
    return any;
  }

  void Temp() {
    static const std::string kHwmon = "/sys/class/hwmon";
    auto dirs = src.env_->ListDir(kHwmon);
    if (!dirs.ok()) return Note(dirs.status());
    std::vector<std::string> seen;  // chip names so far; duplicates get _1, _2 (per collection)
    std::string chip;
    for (const std::string& d : *dirs) {
      std::string dir = kHwmon + "/" + d;
      auto name = src.env_->ReadFile(dir + "/name");
      chip.assign(name.ok() ? proc::Trim(*name) : std::string_view(d));
      size_t dup = static_cast<size_t>(std::count(seen.begin(), seen.end(), chip));
      seen.push_back(chip);
      if (dup > 0) chip.append("_").append(std::to_string(dup));
      // Older drivers put the sensor files in the device directory.
      if (!TempDir(dir, chip)) TempDir(dir + "/device", chip);
    }
  }
};

Status SystemSource::Prime() {
  if (!(mask_ & kNeedsCpuDelta)) return Status::Ok();
  State& st = *state_;
  auto text = env_->ReadFile(std::string(kStatPath));
  if (!text.ok()) return text.status();
  MM_RETURN_IF_ERROR(ParseStat(*text, st.prev_stat));
  st.have_prev_stat = true;
  return Status::Ok();
}

Status SystemSource::Collect(PointBatch& out, int64_t now_ns) {
  State& st = *state_;
  st.collections.fetch_add(1, std::memory_order_relaxed);
  Status first;

  st.tags.clear();
  for (const auto& [k, v] : options_.tags) st.tags.push_back({out.Intern(k), out.Intern(v)});
  Emitter e(out, now_ns, st.tags, st.fields, st.tags.size());
  Collector c{*this, st, e, first};

  if (mask_ & kNeedsStat) {
    auto text = env_->ReadFile(std::string(kStatPath));
    bool have_stat = false;
    if (!text.ok()) {
      c.Note(text.status());
    } else {
      Status s = ParseStat(*text, st.stat);
      have_stat = s.ok();
      c.Note(std::move(s));
    }
    if (have_stat) {
      if (mask_ & kCpuUsage) c.CpuUsage();
      if (mask_ & kCpu) c.Cpu();
      if (mask_ & kSystem) c.System();
      if (mask_ & kKernel) c.Kernel();
      if ((mask_ & kProcesses) && !options_.scan_processes) c.ProcessesCheap();
      if (mask_ & kNeedsCpuDelta) {
        std::swap(st.stat, st.prev_stat);
        st.have_prev_stat = true;
      }
    }
  }
  if ((mask_ & kProcesses) && options_.scan_processes) c.ProcessesScan();

  if (mask_ & kNeedsMeminfo) {
    auto text = env_->ReadFile(std::string(kMeminfoPath));
    if (!text.ok()) {
      c.Note(text.status());
    } else if (Status s = ParseMeminfo(*text, st.mem); !s.ok()) {
      c.Note(std::move(s));
    } else {
      if (mask_ & kMemoryUsage) c.MemoryUsage();
      if (mask_ & kMem) c.Mem();
      if (mask_ & kSwap) c.Swap();
    }
  }
  if (mask_ & kDiskio) c.Diskio();
  if (mask_ & kDisk) c.Disk();
  if (mask_ & kNet) c.Net();
  if (mask_ & kTemp) c.Temp();
  return first;
}

}  // namespace mm
