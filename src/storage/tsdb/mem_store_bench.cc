// MemStore micro-benchmarks on a TSBS-like dataset: 100 hosts x 10 fields ("cpu" measurement,
// 10 tags per host), values a random walk (normal steps, sd 1, clamped to [0, 100]) rounded to
// 2 decimals, one point per host every 10 s for 4 h. Figures are recorded in
// docs/storage_format.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/tsdb/mem_store.h"

namespace mm::storage {
namespace {

constexpr int kHosts = 100;
constexpr int kFields = 10;
constexpr int64_t kStepMs = 10'000;
constexpr int kSteps = 4 * 3600 * 1000 / kStepMs;  // 1440
constexpr int64_t kStartMs = 1'700'000'000'000;

const char* const kFieldNames[kFields] = {"usage_user",   "usage_system", "usage_idle",
                                          "usage_nice",   "usage_iowait", "usage_irq",
                                          "usage_softirq", "usage_steal", "usage_guest",
                                          "usage_guest_nice"};

struct Dataset {
  std::vector<PointBatch> batches;  // one per timestamp: kHosts points x kFields fields
  size_t samples = 0;
};

// Builds batches for `steps` timestamps from `first_step`, hosts numbered from `host_base`.
// The random walk state carries over between calls through `walk`.
Dataset MakeDataset(int first_step, int steps, int host_base, int hosts,
                    std::vector<double>& walk, std::mt19937_64& rng) {
  static const char* const kRegions[] = {"us-east-1", "us-west-1", "eu-central-1", "ap-south-1"};
  std::normal_distribution<double> step(0, 1);
  if (walk.size() < static_cast<size_t>(hosts * kFields)) {
    walk.resize(hosts * kFields);
    for (double& w : walk) w = std::uniform_real_distribution<double>(0, 100)(rng);
  }
  Dataset d;
  for (int s = first_step; s < first_step + steps; ++s) {
    PointBatch b;
    for (int h = 0; h < hosts; ++h) {
      int id = host_base + h;
      std::string region = kRegions[id % 4];
      std::vector<std::pair<std::string, std::string>> tags = {
          {"arch", id % 2 ? "x64" : "arm64"},
          {"datacenter", region + "a"},
          {"hostname", "host_" + std::to_string(id)},
          {"os", "Ubuntu16.04LTS"},
          {"rack", std::to_string(id % 100)},
          {"region", region},
          {"service", std::to_string(id % 20)},
          {"service_environment", id % 3 ? "production" : "staging"},
          {"service_version", std::to_string(id % 2)},
          {"team", id % 4 ? "SF" : "NYC"}};
      std::vector<TagRef> tr;
      for (auto& [k, v] : tags) tr.push_back({b.Intern(k), b.Intern(v)});
      std::vector<FieldRef> fr;
      for (int f = 0; f < kFields; ++f) {
        double& w = walk[h * kFields + f];
        w = std::clamp(w + step(rng), 0.0, 100.0);
        fr.push_back({.key = kFieldNames[f], .type = FieldType::kFloat,
                      .f = std::round(w * 100) / 100});
      }
      b.Add("cpu", tr, fr, (kStartMs + s * kStepMs) * 1'000'000);
      d.samples += kFields;
    }
    d.batches.push_back(std::move(b));
  }
  return d;
}

const Dataset& Tsbs() {
  static const Dataset* d = [] {
    std::vector<double> walk;
    std::mt19937_64 rng(2024);
    return new Dataset(MakeDataset(0, kSteps, 0, kHosts, walk, rng));
  }();
  return *d;
}

// Whole dataset into a fresh store; reports compression and memory per series.
void BM_WriteTsbs(benchmark::State& state) {
  const Dataset& d = Tsbs();
  MemStoreStats st;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_unique<MemStore>(
        MemStoreOptions{.chunk_target_samples = static_cast<uint32_t>(state.range(0))});
    state.ResumeTiming();
    for (const PointBatch& b : d.batches) {
      auto r = store->Write(b);
      if (!r.ok()) state.SkipWithError("write failed");
    }
    state.PauseTiming();
    st = store->Stats();
    store.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.samples));
  const double series = static_cast<double>(st.series);
  state.counters["chunk_B_per_sample"] =
      static_cast<double>(st.chunk_bytes) / static_cast<double>(st.chunk_samples);
  state.counters["chunk_meta_B_per_sample"] =
      static_cast<double>(st.chunk_meta_bytes) / static_cast<double>(st.chunk_samples);
  state.counters["all_B_per_sample"] =
      static_cast<double>(st.chunk_bytes + st.head_chunk_bytes) / static_cast<double>(st.samples);
  state.counters["head_overhead_B_per_series"] = static_cast<double>(st.head_overhead_bytes) / series;
  state.counters["index_B_per_series"] = static_cast<double>(st.index_bytes) / series;
  state.counters["mem_B_per_sample"] =
      static_cast<double>(st.chunk_bytes + st.chunk_meta_bytes + st.head_chunk_bytes +
                          st.head_overhead_bytes + st.index_bytes) /
      static_cast<double>(st.samples);
}
BENCHMARK(BM_WriteTsbs)->Arg(120)->Arg(240)->Arg(480)->Unit(benchmark::kMillisecond);

// Steady state: all series exist; each iteration writes the next batch of the dataset (1000
// samples at the next timestamp). After the last batch the store is rebuilt (not timed).
void BM_WriteExisting(benchmark::State& state) {
  const Dataset& d = Tsbs();
  std::unique_ptr<MemStore> store;
  size_t next = d.batches.size();
  for (auto _ : state) {
    if (next == d.batches.size()) {
      state.PauseTiming();
      store = std::make_unique<MemStore>(MemStoreOptions{});
      (void)store->Write(d.batches[0]);
      next = 1;
      state.ResumeTiming();
    }
    auto r = store->Write(d.batches[next++]);
    if (!r.ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * kHosts * kFields);
}
BENCHMARK(BM_WriteExisting);

// New series: each batch carries 1000 series never seen before.
void BM_CreateSeries(benchmark::State& state) {
  auto store = std::make_unique<MemStore>(MemStoreOptions{});
  std::vector<double> walk;
  std::mt19937_64 rng(9);
  int base = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Dataset d = MakeDataset(0, 1, base, kHosts, walk, rng);
    base += kHosts;
    state.ResumeTiming();
    auto r = store->Write(d.batches[0]);
    if (!r.ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * kHosts * kFields);
}
BENCHMARK(BM_CreateSeries);

// Reads: one field of every host over the 4 h (100 series x 1440 samples decoded).
void BM_SelectOneField(benchmark::State& state) {
  static MemStore* store = [] {
    auto* s = new MemStore(MemStoreOptions{});
    for (const PointBatch& b : Tsbs().batches) (void)s->Write(b);
    return s;
  }();
  auto m = LabelMatcher::Make(MatchType::kEqual, "__name__", "cpu_usage_user");
  std::vector<LabelMatcher> ms = {*m};
  size_t n = 0;
  for (auto _ : state) {
    auto r = store->Select(ms, {});
    n = 0;
    for (const auto& ss : *r) n += ss.samples.size();
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_SelectOneField)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mm::storage
