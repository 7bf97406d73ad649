#include "server/prom_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mm::server {
namespace {

std::string Ts(int64_t ms) {
  std::string s;
  AppendPromTimestamp(s, ms);
  return s;
}
std::string Val(double v) {
  std::string s;
  AppendPromValue(s, v);
  return s;
}
std::string Str(std::string_view in) {
  std::string s;
  AppendJsonString(s, in);
  return s;
}

TEST(PromJsonTest, TimestampsAsPrometheusWritesThem) {
  EXPECT_EQ(Ts(1700000000123), "1700000000.123");
  EXPECT_EQ(Ts(1700000000100), "1700000000.100");
  EXPECT_EQ(Ts(1700000000005), "1700000000.005");
  EXPECT_EQ(Ts(1700000000000), "1700000000");
  EXPECT_EQ(Ts(0), "0");
  EXPECT_EQ(Ts(-1500), "-1.500");
}

TEST(PromJsonTest, ValuesAsGoFormatFloat) {
  EXPECT_EQ(Val(1.5), "\"1.5\"");
  EXPECT_EQ(Val(42), "\"42\"");
  EXPECT_EQ(Val(0.1), "\"0.1\"");
  EXPECT_EQ(Val(1e21), "\"1000000000000000000000\"");
  EXPECT_EQ(Val(1e-7), "\"0.0000001\"");
  EXPECT_EQ(Val(-2.25), "\"-2.25\"");
  EXPECT_EQ(Val(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Val(std::numeric_limits<double>::infinity()), "\"+Inf\"");
  EXPECT_EQ(Val(-std::numeric_limits<double>::infinity()), "\"-Inf\"");
}

TEST(PromJsonTest, StringsAreEscapedAndUtf8Checked) {
  EXPECT_EQ(Str("plain"), "\"plain\"");
  EXPECT_EQ(Str("q\"b\\n\nt\t\x01"), R"("q\"b\\n\nt\t\u0001")");
  EXPECT_EQ(Str("h\xC3\xA9llo"), "\"h\xC3\xA9llo\"");        // valid UTF-8 passes
  EXPECT_EQ(Str("bad\xFF"), "\"bad\xEF\xBF\xBD\"");           // invalid → U+FFFD
  EXPECT_EQ(Str("\xC3"), "\"\xEF\xBF\xBD\"");                 // truncated sequence
  EXPECT_EQ(Str("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(PromJsonTest, VectorShape) {
  QueryResult r;
  r.type = QueryResult::Type::kVector;
  r.series.push_back({Labels{{"__name__", "up"}, {"job", "a"}}, {{1700000000123, 1.5}}});
  r.series.push_back({Labels{{"job", "b"}}, {}});  // no sample: left out
  EXPECT_EQ(EncodeQueryResult(r),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","job":"a"},"value":[1700000000.123,"1.5"]}]}})");
}

TEST(PromJsonTest, MatrixScalarStringAndWarnings) {
  QueryResult m;
  m.type = QueryResult::Type::kMatrix;
  m.series.push_back({Labels{{"x", "1"}}, {{1000, 1}, {2000, std::nan("")}}});
  m.warnings.push_back("careful");
  EXPECT_EQ(EncodeQueryResult(m),
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"x":"1"},"values":[[1,"1"],[2,"NaN"]]}]},"warnings":["careful"]})");

  QueryResult s;
  s.type = QueryResult::Type::kScalar;
  s.scalar = {1700000000000, 2};
  EXPECT_EQ(EncodeQueryResult(s),
            R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}})");

  QueryResult str;
  str.type = QueryResult::Type::kString;
  str.scalar.timestamp_ms = 1000;
  str.string_value = "hi";
  EXPECT_EQ(EncodeQueryResult(str),
            R"({"status":"success","data":{"resultType":"string","result":[1,"hi"]}})");

  QueryResult empty;
  EXPECT_EQ(EncodeQueryResult(empty),
            R"({"status":"success","data":{"resultType":"vector","result":[]}})");
}

TEST(PromJsonTest, ListsAndErrors) {
  EXPECT_EQ(EncodeSeriesList({Labels{{"__name__", "a"}}, Labels{{"b", "c"}}}),
            R"({"status":"success","data":[{"__name__":"a"},{"b":"c"}]})");
  EXPECT_EQ(EncodeStringList({}), R"({"status":"success","data":[]})");
  EXPECT_EQ(EncodeStringList({"a", "b\""}), R"({"status":"success","data":["a","b\""]})");
  EXPECT_EQ(EncodeError("bad_data", "oops \"x\""),
            R"({"status":"error","errorType":"bad_data","error":"oops \"x\""})");
}

}  // namespace
}  // namespace mm::server
