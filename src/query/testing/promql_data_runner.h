// The data-driven PromQL check shared by the test binaries: runs every tests/data/promql/*.test
// script (promqltest format, see promql_test_script.h) against one store, so the engine is checked
// on the same cases over the test-only FakeStorage (promql_data_test.cc) and over the embedded
// MemStore (promql_memstore_test.cc). Each script failure is a gtest failure, so this header is
// for gtest binaries only (mm_query_testing does not link gtest). Not synchronized.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "query/testing/promql_test_script.h"

namespace mm::query::testing {

// Makes the store the scripts run against; it is cleared before each script.
using TestStoreFactory = std::function<std::unique_ptr<TestStore>()>;

// Runs every script against a store from `make_store`, adds a gtest failure per mismatch (tagged
// with the store's name) and per script without evals, prints the eval count ("... evals against
// <description>") and expects at least 150 evals in all.
void RunPromqlDataScripts(const TestStoreFactory& make_store, std::string_view description);

}  // namespace mm::query::testing
