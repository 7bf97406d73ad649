// Runs every tests/data/promql/*.test script against the embedded MemStore, loading series
// through its public Write path, so the engine and the real store are checked on the same cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/point_batch.h"
#include "query/testing/promql_test_script.h"
#include "storage/tsdb/mem_store.h"

namespace mm::query::testing {
namespace {

std::vector<std::filesystem::path> ScriptFiles() {
  std::vector<std::filesystem::path> out;
  const std::filesystem::path dir = std::filesystem::path(MM_SOURCE_DIR) / "tests/data/promql";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".test") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void RunAll(TestStore& store, int* total_evals) {
  for (const auto& path : ScriptFiles()) {
    store.Clear();
    ScriptReport r = RunScript(path.filename().string(), ReadFile(path), store);
    *total_evals += r.evals;
    for (const auto& f : r.failures) ADD_FAILURE() << "[" << store.name() << "] " << f;
    EXPECT_GT(r.evals, 0) << path;
  }
}

// Loads series into the embedded store through its public Write path.
class MemTestStore : public TestStore {
 public:
  MemTestStore() { Clear(); }
  storage::Storage& storage() override { return *store_; }
  Status Add(const Labels& labels, std::span<const storage::Sample> samples) override {
    PointBatch batch;
    std::vector<TagRef> tags;
    for (const auto& l : labels) {
      if (l.name == kMetricNameLabel) continue;
      tags.push_back({batch.Intern(l.name), batch.Intern(l.value)});
    }
    const std::string_view name = batch.Intern(labels.MetricName());
    for (const auto& s : samples) {
      FieldRef f;
      f.key = "value";
      f.type = FieldType::kFloat;
      f.f = s.v;
      batch.Add(name, tags, std::span(&f, 1), s.t * 1'000'000);
    }
    auto r = store_->Write(batch);
    if (!r.ok()) return r.status();
    if (r->samples_rejected > 0) return Status::Internal("MemStore rejected samples");
    return Status::Ok();
  }
  void Clear() override { store_ = std::make_unique<storage::MemStore>(); }
  std::string name() const override { return "memstore"; }

 private:
  std::unique_ptr<storage::MemStore> store_;
};

TEST(PromqlDataTest, MemStore) {
  MemTestStore store;
  int evals = 0;
  RunAll(store, &evals);
  std::cout << "promql scripts: " << evals << " evals against MemStore\n";
  EXPECT_GE(evals, 150);
}

}  // namespace
}  // namespace mm::query::testing
