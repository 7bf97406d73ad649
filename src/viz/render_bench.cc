// Rendering speed (issue 4): 1 series × 1 M samples and 50 series × 10 k samples to a
// 1000×500 PNG (target < 100 ms each), plus the same to SVG.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>

#include "viz/chart.h"

namespace mm::viz {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

QueryResult Make(int series, int samples) {
  QueryResult r;
  r.type = QueryResult::Type::kMatrix;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0, 1);
  for (int s = 0; s < series; ++s) {
    SeriesResult sr{Labels{{"__name__", "cpu_usage_user"}, {"host", "host_" + std::to_string(s)}},
                    {}};
    sr.samples.reserve(samples);
    double v = 50 + s;
    for (int i = 0; i < samples; ++i) {
      v = std::clamp(v + noise(rng), 0.0, 100.0);
      sr.samples.push_back({kT0 + int64_t{i} * 1000, v});
    }
    r.series.push_back(std::move(sr));
  }
  return r;
}

void Render(benchmark::State& state, int series, int samples, Format format) {
  QueryResult r = Make(series, samples);
  ChartOptions o;
  o.format = format;
  o.title = "bench";
  o.unit = "percent";
  o.step_ms = 1000;
  o.utc = true;
  size_t bytes = 0;
  for (auto _ : state) {
    auto out = RenderChart(r, o);
    if (!out.ok()) state.SkipWithError(out.status().ToString().c_str());
    bytes = out->size();
    benchmark::DoNotOptimize(out);
  }
  // MM_VIZ_OUT=DIR keeps one image of each case, to look at.
  if (const char* dir = std::getenv("MM_VIZ_OUT")) {
    auto out = RenderChart(r, o);
    std::string ext = format == Format::kPng ? ".png" : ".svg";
    if (out.ok()) {
      std::ofstream(std::string(dir) + "/render_" + std::to_string(series) + "x" +
                    std::to_string(samples) + ext) << *out;
    }
  }
  state.counters["samples"] = static_cast<double>(series) * samples;
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(series) * samples,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK_CAPTURE(Render, png_1x1M, 1, 1'000'000, Format::kPng)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Render, png_50x10k, 50, 10'000, Format::kPng)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Render, png_1x10M, 1, 10'000'000, Format::kPng)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Render, svg_1x1M, 1, 1'000'000, Format::kSvg)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Render, svg_50x10k, 50, 10'000, Format::kSvg)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mm::viz
