// Cost of one SystemSource collection on this machine (real /proc and /sys through
// Env::Default()). The budget: collecting everything every second stays under 0.5 % of one core,
// i.e. under 5 ms per collection.
#include <benchmark/benchmark.h>

#include "sources/system_source.h"

namespace mm {
namespace {

void Collect(benchmark::State& state, SystemSourceOptions options) {
  auto src = SystemSource::Create(Env::Default(), std::move(options));
  if (!src.ok() || !(*src)->Prime().ok()) {
    state.SkipWithError("cannot create or prime the source");
    return;
  }
  size_t points = 0;
  for (auto _ : state) {
    PointBatch batch;
    Status s = (*src)->Collect(batch, 1);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    points = batch.size();
    benchmark::DoNotOptimize(batch);
  }
  state.counters["points"] = static_cast<double>(points);
}

SystemSourceOptions Only(std::string metric, bool scan = false) {
  SystemSourceOptions o;
  o.metrics = {std::move(metric)};
  o.scan_processes = scan;
  return o;
}

BENCHMARK_CAPTURE(Collect, all, Only("all"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, all_scan_processes, Only("all", true))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, CPU_Usage, Only("CPU_Usage"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, Memory_Usage, Only("Memory_Usage"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, cpu, Only("cpu"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, system, Only("system"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, kernel, Only("kernel"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, processes, Only("processes"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, processes_scan, Only("processes", true))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, mem, Only("mem"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, swap, Only("swap"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, diskio, Only("diskio"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, disk, Only("disk"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, net, Only("net"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Collect, temp, Only("temp"))->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mm
