#include "query/testing/promql_data_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

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

}  // namespace

void RunPromqlDataScripts(const TestStoreFactory& make_store, std::string_view description) {
  std::unique_ptr<TestStore> store = make_store();
  ASSERT_NE(store, nullptr);
  int evals = 0;
  for (const auto& path : ScriptFiles()) {
    store->Clear();
    ScriptReport r = RunScript(path.filename().string(), ReadFile(path), *store);
    evals += r.evals;
    for (const auto& f : r.failures) ADD_FAILURE() << "[" << store->name() << "] " << f;
    EXPECT_GT(r.evals, 0) << path;
  }
  std::cout << "promql scripts: " << evals << " evals against " << description << "\n";
  EXPECT_GE(evals, 150);
}

}  // namespace mm::query::testing
