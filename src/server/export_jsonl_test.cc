#include "server/export_jsonl.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <bit>
#include <cmath>
#include <limits>

#include "ingest/jsonl_import.h"
#include "storage/tsdb/mem_store.h"

namespace mm::server {
namespace {

std::string ExportAll(storage::Storage& s) {
  auto r = s.Select({}, storage::SelectOptions{.with_strings = true});
  EXPECT_TRUE(r.ok());
  std::string out;
  for (const auto& ss : *r) AppendExportJsonl(ss, out);
  return out;
}

TEST(ExportJsonlTest, FormatIsVictoriaMetricsPlusStringLines) {
  storage::SeriesSamples s;
  s.labels = Labels::FromUnsorted({{"__name__", "cpu"}, {"host", "a\"b"}});
  s.samples = {{1000, 1.5}, {2000, -0.0}, {3000, std::numeric_limits<double>::infinity()}};
  s.string_samples = {{1000, "line\nbreak"}};
  std::string out;
  AppendExportJsonl(s, out);
  EXPECT_EQ(out,
            "{\"metric\":{\"__name__\":\"cpu\",\"host\":\"a\\\"b\"},\"values\":[1.5,-0.0,\"+Inf\"],"
            "\"timestamps\":[1000,2000,3000]}\n"
            "{\"metric\":{\"__name__\":\"cpu\",\"host\":\"a\\\"b\"},"
            "\"string_values\":[\"line\\nbreak\"],\"timestamps\":[1000]}\n");
}

TEST(ExportJsonlTest, RoundTripIsBitExact) {
  storage::MemStore a;
  PointBatch b;
  const double odd[] = {0.1, 1e-300, -0.0, 123456.78, 1e22, 5e-324, 1.7976931348623157e308,
                        std::numeric_limits<double>::quiet_NaN(),
                        std::bit_cast<double>(uint64_t{0x7ff0000000000002}),  // stale marker
                        -std::numeric_limits<double>::infinity(), 42};
  TagRef tag{b.Intern("host"), b.Intern("h\\1")};
  for (size_t i = 0; i < std::size(odd); ++i) {
    FieldRef f;
    f.key = b.Intern("value");
    f.f = odd[i];
    b.Add(b.Intern("m"), std::span<const TagRef>(&tag, 1), std::span<const FieldRef>(&f, 1),
          (1'700'000'000'000 + int64_t(i)) * 1'000'000);
    FieldRef s;
    s.key = b.Intern("msg");
    s.type = FieldType::kString;
    s.s = b.Intern("ünïcode \"q\" \t" + std::to_string(i));
    b.Add(b.Intern("m"), std::span<const TagRef>(&tag, 1), std::span<const FieldRef>(&s, 1),
          (1'700'000'000'000 + int64_t(i)) * 1'000'000);
  }
  ASSERT_TRUE(a.Write(b).ok());
  const std::string text = ExportAll(a);

  auto parsed = ingest::ParseJsonlImport(std::make_shared<const std::string>(text));
  ASSERT_EQ(parsed.lines_failed, 0u) << parsed.errors[0].reason;
  EXPECT_EQ(parsed.lines_ok, 2u);
  storage::MemStore c;
  ASSERT_TRUE(c.Write(parsed.batch).ok());
  EXPECT_EQ(ExportAll(c), text);
  auto ra = a.Select({}, {.with_strings = true});
  auto rc = c.Select({}, {.with_strings = true});
  ASSERT_EQ(ra->size(), rc->size());
  for (size_t i = 0; i < ra->size(); ++i) {
    EXPECT_EQ((*ra)[i].labels, (*rc)[i].labels);
    ASSERT_EQ((*ra)[i].samples.size(), (*rc)[i].samples.size());
    for (size_t k = 0; k < (*ra)[i].samples.size(); ++k) {
      EXPECT_EQ(std::bit_cast<uint64_t>((*ra)[i].samples[k].v),
                std::bit_cast<uint64_t>((*rc)[i].samples[k].v));
    }
    EXPECT_EQ((*ra)[i].string_samples, (*rc)[i].string_samples);
  }
}

TEST(ExportJsonlTest, ExportSeriesUnionsSelectorsOnce) {
  storage::MemStore store;
  auto body = std::make_shared<const std::string>(
      "{\"metric\":{\"__name__\":\"a\",\"j\":\"1\"},\"values\":[1,2],\"timestamps\":[10,20]}\n"
      "{\"metric\":{\"__name__\":\"b\"},\"values\":[3],\"timestamps\":[10]}\n");
  auto parsed = ingest::ParseJsonlImport(body);
  ASSERT_TRUE(store.Write(parsed.batch).ok());
  auto m = [](std::string name, std::string v) {
    return *storage::LabelMatcher::Make(storage::MatchType::kEqual, std::move(name), std::move(v));
  };
  std::vector<std::vector<storage::LabelMatcher>> sets = {{m("__name__", "a")},
                                                          {m("j", "1")},
                                                          {m("__name__", "b")}};
  auto out = ExportSeries(store, sets, 15, 100);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "{\"metric\":{\"__name__\":\"a\",\"j\":\"1\"},\"values\":[2],\"timestamps\":[20]}\n");
}

TEST(ExportJsonlTest, StreamComesInPiecesAndEqualsTheWholeExport) {
  storage::MemStore store;
  std::string lines;
  for (int i = 0; i < 50; ++i) {
    // Series `x{h}` and `x{h,extra}`: the second has more labels, so the first one's equality
    // matchers also match it, and the stream must still write each series once.
    lines += "{\"metric\":{\"__name__\":\"x\",\"h\":\"" + std::to_string(i) +
             "\"},\"values\":[1.5," + std::to_string(i) + "],\"timestamps\":[10,20]}\n";
    lines += "{\"metric\":{\"__name__\":\"x\",\"h\":\"" + std::to_string(i) +
             "\",\"z\":\"extra\"},\"values\":[2],\"timestamps\":[30]}\n";
  }
  lines += "{\"metric\":{\"__name__\":\"s\"},\"string_values\":[\"up\"],\"timestamps\":[15]}\n";
  auto parsed = ingest::ParseJsonlImport(std::make_shared<const std::string>(lines));
  ASSERT_EQ(parsed.lines_failed, 0u);
  ASSERT_TRUE(store.Write(parsed.batch).ok());
  std::vector<std::vector<storage::LabelMatcher>> all = {{}};
  auto whole = ExportSeries(store, all, 0, 100);
  ASSERT_TRUE(whole.ok());
  auto stream = ExportStream::Start(&store, all, 0, 100, /*piece_bytes=*/500);
  ASSERT_TRUE(stream.ok());
  EXPECT_TRUE((*stream)->bulk());
  std::string joined;
  int pieces = 0;
  while (auto piece = (*stream)->Poll()) {
    EXPECT_LT(piece->size(), 500u + 200u);  // a piece ends after the series that filled it
    joined += *piece;
    ++pieces;
  }
  EXPECT_TRUE((*stream)->status().ok());
  EXPECT_GT(pieces, 5);
  EXPECT_EQ(joined, *whole);
  EXPECT_EQ(std::count(joined.begin(), joined.end(), '\n'), 101);
  EXPECT_NE(joined.find("\"string_values\":[\"up\"]"), std::string::npos);
}

TEST(ExportJsonlTest, ImportReportsBadLinesAndKeepsGoodOnes) {
  const std::string body =
      "{\"metric\":{\"__name__\":\"a\"},\"values\":[1,2],\"timestamps\":[1,2]}\n"
      "\n"
      "{\"metric\":{\"__name__\":\"b\"},\"values\":[1],\"timestamps\":[1,2]}\n"
      "not json\n"
      "{\"metric\":{\"job\":\"x\"},\"values\":[1],\"timestamps\":[1]}\n"
      "{\"metric\":{\"__name__\":\"c\"},\"values\":[\"soon\"],\"timestamps\":[1]}\n"
      "{\"metric\":{\"__name__\":\"d\"},\"string_values\":[\"s\"],\"timestamps\":[5]}\n";
  auto r = ingest::ParseJsonlImport(std::make_shared<const std::string>(body));
  EXPECT_EQ(r.lines_ok, 2u);
  EXPECT_EQ(r.lines_failed, 4u);
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(ingest::ToString(r.errors[0]),
            "line 3: \"timestamps\" has 2 entries, the values 1");
  EXPECT_EQ(r.errors[1].line, 4u);
  EXPECT_NE(r.errors[2].reason.find("__name__"), std::string::npos);
  EXPECT_NE(r.errors[3].reason.find("values[0]"), std::string::npos);
  EXPECT_EQ(r.batch.size(), 3u);  // a: 2 samples, d: 1 string
}

}  // namespace
}  // namespace mm::server
