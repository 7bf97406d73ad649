// JSON encoders for the Prometheus HTTP API response shapes (hand-written: the shapes are fixed
// and this is the hot path of every dashboard refresh). Timestamps are written as Prometheus
// does (seconds with up to 3 decimals), sample values as strings ("1.5", "NaN", "+Inf").
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics_manager/labels.h"
#include "metrics_manager/query_result.h"

namespace mm::server {

// Appends `s` as a JSON string literal (quotes included). Invalid UTF-8 becomes U+FFFD.
void AppendJsonString(std::string& out, std::string_view s);
// 1700000000123 → 1700000000.123, 1700000000100 → 1700000000.100 (three digits, as Prometheus),
// 1700000000000 → 1700000000.
void AppendPromTimestamp(std::string& out, int64_t ms);
// Shortest round-trip decimal without exponent, "NaN", "+Inf", "-Inf" — quoted.
void AppendPromValue(std::string& out, double v);
// {"name":"value",...}
void AppendLabelsObject(std::string& out, const Labels& labels);

// {"status":"success","data":{"resultType":...,"result":...}[,"warnings":[...]]}
std::string EncodeQueryResult(const QueryResult& result);
// {"status":"success","data":[{labels},...]}
std::string EncodeSeriesList(const std::vector<Labels>& series);
// {"status":"success","data":["a","b"]}
std::string EncodeStringList(const std::vector<std::string>& values);
// {"status":"success","data":<raw_json>}
std::string EncodeSuccessRaw(std::string_view raw_json_data);
// {"status":"error","errorType":"bad_data","error":"..."}
std::string EncodeError(std::string_view error_type, std::string_view message);

}  // namespace mm::server
