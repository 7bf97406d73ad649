// Runs every tests/data/promql/*.test script against the embedded MemStore (through the shared
// runner in testing/promql_data_runner.h), loading series through its public Write path, so the
// engine and the real store are checked on the same cases as the fake store.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/point_batch.h"
#include "query/testing/promql_data_runner.h"
#include "query/testing/promql_test_script.h"
#include "storage/tsdb/mem_store.h"

namespace mm::query::testing {
namespace {

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
  RunPromqlDataScripts([] { return std::make_unique<MemTestStore>(); }, "MemStore");
}

}  // namespace
}  // namespace mm::query::testing
