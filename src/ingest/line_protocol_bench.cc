// Line protocol parsing throughput on a TSDB-benchmark-like cpu line (11 tags, 10 float fields).
// Reports bytes/s and values/s (one value per field), the figures to compare with other
// ingesters per CPU-second.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "ingest/line_protocol.h"

namespace mm::ingest {
namespace {

constexpr char kCpuLine[] =
    "cpu,hostname=host_12,region=eu-west-1,datacenter=eu-west-1a,rack=42,os=Ubuntu16.10,"
    "arch=x86,team=SF,service=9,service_version=0,service_environment=staging "
    "usage_user=58.13,usage_system=2.24,usage_idle=24.51,usage_nice=61.52,usage_iowait=22.14,"
    "usage_irq=63.93,usage_softirq=6.45,usage_steal=44.61,usage_guest=80.95,"
    "usage_guest_nice=38.92 1451606400000000000\n";

std::shared_ptr<const std::string> Body(int lines, const char* line) {
  auto body = std::make_shared<std::string>();
  for (int i = 0; i < lines; ++i) body->append(line);
  return body;
}

void Run(benchmark::State& state, const char* line, int fields_per_line) {
  const int lines = static_cast<int>(state.range(0));
  std::shared_ptr<const std::string> body = Body(lines, line);
  for (auto _ : state) {
    ParseResult r = ParseLineProtocol(body, Precision::kNanoseconds, 0);
    if (r.lines_ok != static_cast<size_t>(lines)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r.batch.points().data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body->size()));
  state.counters["values/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * lines * fields_per_line,
                         benchmark::Counter::kIsRate);
}

void BM_ParseCpuLines(benchmark::State& state) { Run(state, kCpuLine, 10); }
BENCHMARK(BM_ParseCpuLines)->Arg(1000)->Arg(10000)->Arg(100000);

// The same line with escapes and strings: the path that copies into the arena.
void BM_ParseEscapedLines(benchmark::State& state) {
  Run(state,
      "cpu\\ load,host\\=name=host\\ 12,region=eu-west-1 usage_user=58.13,"
      "msg=\"say \\\"hi\\\"\",count=12i,ok=true 1451606400000000000\n",
      4);
}
BENCHMARK(BM_ParseEscapedLines)->Arg(10000);

// Integer fields and no timestamp (Telegraf-style counters).
void BM_ParseIntLines(benchmark::State& state) {
  Run(state,
      "net,host=a,interface=eth0 bytes_recv=123456789i,bytes_sent=987654321i,packets_recv="
      "1234567i,packets_sent=7654321i,err_in=0i,err_out=0i,drop_in=3i,drop_out=0i\n",
      8);
}
BENCHMARK(BM_ParseIntLines)->Arg(10000);

}  // namespace
}  // namespace mm::ingest
