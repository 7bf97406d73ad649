// mm_bench_gen: writes a TSBS-like "devops cpu" dataset as Influx line protocol, for the
// side-by-side ingest benchmark (bench/run_bench.sh). Deterministic: the same flags give the
// same bytes, so runs on different days and machines are comparable.
//
// Each host has ten tags (hostname, region, datacenter, rack, os, arch, team, service,
// service_version, service_environment) and sends one `cpu` point with ten float fields every
// --interval seconds. Field values are bounded random walks in [0, 100] printed with exactly two
// decimals (kept as integer hundredths, so there is no float rounding). Lines are sorted by time,
// then host, as a live fleet sends them. Timestamps are in nanoseconds from a fixed start.

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// 2026-01-01T00:00:00Z: fixed, so runs are comparable; recent enough for any retention >= 1y.
constexpr int64_t kDefaultStartSeconds = 1767225600;

constexpr const char* kFieldNames[] = {
    "usage_user",   "usage_system", "usage_idle",    "usage_nice",  "usage_iowait",
    "usage_irq",    "usage_softirq", "usage_steal",  "usage_guest", "usage_guest_nice",
};
constexpr int kNumFields = sizeof(kFieldNames) / sizeof(kFieldNames[0]);

struct Region {
  const char* name;
  const char* datacenters[3];
};
constexpr Region kRegions[] = {
    {"us-east-1", {"us-east-1a", "us-east-1b", "us-east-1c"}},
    {"us-west-1", {"us-west-1a", "us-west-1b", "us-west-1c"}},
    {"us-west-2", {"us-west-2a", "us-west-2b", "us-west-2c"}},
    {"eu-west-1", {"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
    {"eu-central-1", {"eu-central-1a", "eu-central-1b", "eu-central-1c"}},
    {"ap-southeast-1", {"ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"}},
    {"ap-southeast-2", {"ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"}},
    {"ap-northeast-1", {"ap-northeast-1a", "ap-northeast-1b", "ap-northeast-1c"}},
    {"sa-east-1", {"sa-east-1a", "sa-east-1b", "sa-east-1c"}},
};
constexpr const char* kOses[] = {"Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"};
constexpr const char* kArches[] = {"x64", "x86"};
constexpr const char* kTeams[] = {"SF", "NYC", "LON", "CHI"};
constexpr const char* kEnvironments[] = {"production", "staging", "test"};

template <typename T, size_t N>
constexpr size_t Count(const T (&)[N]) {
  return N;
}

// SplitMix64: small, fast, fully specified, so the dataset does not depend on the C++ library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); the modulo bias is irrelevant for a benchmark dataset.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

struct Options {
  int64_t hosts = 1000;
  double hours = 4;
  int64_t interval_seconds = 10;
  uint64_t seed = 1;
  int64_t start_seconds = kDefaultStartSeconds;
  std::string output;
};

void Usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--hosts N] [--hours H] [--interval SECONDS] [--seed S]\n"
               "          [--start UNIX_SECONDS] -o FILE\n"
               "Writes a TSBS-like devops cpu dataset (Influx line protocol, ns timestamps).\n"
               "Defaults: --hosts 1000 --hours 4 --interval 10 --seed 1 --start %lld "
               "(2026-01-01T00:00:00Z).\n",
               argv0, static_cast<long long>(kDefaultStartSeconds));
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseArgs(int argc, char** argv, Options* opts) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view* v) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        return false;
      }
      *v = argv[++i];
      return true;
    };
    std::string_view v;
    int64_t n = 0;
    if (arg == "-h" || arg == "--help") {
      Usage(argv[0]);
      std::exit(0);
    } else if (arg == "--hosts") {
      if (!value(&v) || !ParseInt(v, &n) || n <= 0) return false;
      opts->hosts = n;
    } else if (arg == "--hours") {
      if (!value(&v)) return false;
      char* end = nullptr;
      std::string s(v);
      opts->hours = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size() || !(opts->hours > 0)) return false;
    } else if (arg == "--interval") {
      if (!value(&v) || !ParseInt(v, &n) || n <= 0) return false;
      opts->interval_seconds = n;
    } else if (arg == "--seed") {
      if (!value(&v) || !ParseInt(v, &n)) return false;
      opts->seed = static_cast<uint64_t>(n);
    } else if (arg == "--start") {
      if (!value(&v) || !ParseInt(v, &n) || n < 0) return false;
      opts->start_seconds = n;
    } else if (arg == "-o" || arg == "--output") {
      if (!value(&v)) return false;
      opts->output = std::string(v);
    } else {
      std::fprintf(stderr, "unknown argument: %s\n", argv[i]);
      return false;
    }
  }
  if (opts->output.empty()) {
    std::fprintf(stderr, "-o FILE is required\n");
    return false;
  }
  return true;
}

// Appends `hundredths` (0..10000) as a decimal with exactly two fraction digits.
void AppendHundredths(std::string* out, int32_t hundredths) {
  char buf[16];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), hundredths / 100);
  (void)ec;
  *ptr++ = '.';
  *ptr++ = static_cast<char>('0' + (hundredths / 10) % 10);
  *ptr++ = static_cast<char>('0' + hundredths % 10);
  out->append(buf, ptr);
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  if (!ParseArgs(argc, argv, &opts)) {
    Usage(argv[0]);
    return 2;
  }
  const int64_t points_per_host =
      static_cast<int64_t>(opts.hours * 3600.0 / static_cast<double>(opts.interval_seconds));
  if (points_per_host <= 0) {
    std::fprintf(stderr, "--hours is shorter than one --interval\n");
    return 2;
  }

  Rng rng(opts.seed);
  // Per host: the tag prefix ("cpu,hostname=...,service_environment=... ") and the walk state.
  std::vector<std::string> prefixes;
  std::vector<int32_t> state(static_cast<size_t>(opts.hosts) * kNumFields);
  prefixes.reserve(static_cast<size_t>(opts.hosts));
  for (int64_t h = 0; h < opts.hosts; ++h) {
    const Region& region = kRegions[rng.Below(Count(kRegions))];
    std::string p = "cpu,hostname=host_" + std::to_string(h);
    p += ",region=";
    p += region.name;
    p += ",datacenter=";
    p += region.datacenters[rng.Below(3)];
    p += ",rack=" + std::to_string(rng.Below(100));
    p += ",os=";
    p += kOses[rng.Below(Count(kOses))];
    p += ",arch=";
    p += kArches[rng.Below(Count(kArches))];
    p += ",team=";
    p += kTeams[rng.Below(Count(kTeams))];
    p += ",service=" + std::to_string(rng.Below(20));
    p += ",service_version=" + std::to_string(rng.Below(2));
    p += ",service_environment=";
    p += kEnvironments[rng.Below(Count(kEnvironments))];
    p += ' ';
    prefixes.push_back(std::move(p));
    for (int f = 0; f < kNumFields; ++f) {
      state[static_cast<size_t>(h) * kNumFields + f] = static_cast<int32_t>(rng.Below(10001));
    }
  }

  std::FILE* out = std::fopen(opts.output.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "cannot open %s: %s\n", opts.output.c_str(), std::strerror(errno));
    return 1;
  }
  std::string buf;
  buf.reserve(1 << 22);
  int64_t lines = 0;
  for (int64_t t = 0; t < points_per_host; ++t) {
    const int64_t ts_ns = (opts.start_seconds + t * opts.interval_seconds) * 1000000000LL;
    char ts[32];
    auto [ts_end, ec] = std::to_chars(ts, ts + sizeof(ts), ts_ns);
    (void)ec;
    for (int64_t h = 0; h < opts.hosts; ++h) {
      buf += prefixes[static_cast<size_t>(h)];
      int32_t* walk = &state[static_cast<size_t>(h) * kNumFields];
      for (int f = 0; f < kNumFields; ++f) {
        if (t > 0) {
          // Step of -1.00 .. +1.00, clamped to [0, 100].
          int32_t v = walk[f] + static_cast<int32_t>(rng.Below(201)) - 100;
          walk[f] = v < 0 ? 0 : (v > 10000 ? 10000 : v);
        }
        if (f > 0) buf += ',';
        buf += kFieldNames[f];
        buf += '=';
        AppendHundredths(&buf, walk[f]);
      }
      buf += ' ';
      buf.append(ts, ts_end);
      buf += '\n';
      ++lines;
      if (buf.size() > (1 << 22) - 4096) {
        if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
          std::fprintf(stderr, "write %s: %s\n", opts.output.c_str(), std::strerror(errno));
          std::fclose(out);
          return 1;
        }
        buf.clear();
      }
    }
  }
  if ((!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) ||
      std::fclose(out) != 0) {
    std::fprintf(stderr, "write %s: %s\n", opts.output.c_str(), std::strerror(errno));
    return 1;
  }
  std::printf("wrote %s: hosts=%lld points_per_host=%lld lines=%lld values=%lld first_ns=%lld\n",
              opts.output.c_str(), static_cast<long long>(opts.hosts),
              static_cast<long long>(points_per_host), static_cast<long long>(lines),
              static_cast<long long>(lines * kNumFields),
              static_cast<long long>(opts.start_seconds * 1000000000LL));
  return 0;
}
