#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "cli/time_args.h"
#include "cli/cli_server_fixture.h"

namespace mm::cli {
namespace {

constexpr int64_t kNow = 1700000000000;

TEST(CliTimeTest, TimesAndDurations) {
  EXPECT_EQ(*ParseCliTime("now", kNow), kNow);
  EXPECT_EQ(*ParseCliTime("now-1h", kNow), kNow - 3600'000);
  EXPECT_EQ(*ParseCliTime("now+90s", kNow), kNow + 90'000);
  EXPECT_EQ(*ParseCliTime("1700000000.5", kNow), 1700000000500);
  EXPECT_EQ(*ParseCliTime("2023-11-14T22:13:20Z", kNow), kNow);
  EXPECT_FALSE(ParseCliTime("yesterday", kNow).ok());
  EXPECT_FALSE(ParseCliTime("now-1x", kNow).ok());
  EXPECT_EQ(*ParseCliDuration("15s"), 15000);
  EXPECT_EQ(*ParseCliDuration("1h30m"), 5400000);
  EXPECT_EQ(*ParseCliDuration("2.5"), 2500);
  EXPECT_FALSE(ParseCliDuration("0").ok());
  EXPECT_FALSE(ParseCliDuration("-1").ok());
  EXPECT_EQ(UnixSecondsParam(1700000000500), "1700000000.500");
}

TEST(CliWriteTest, RenumberLines) {
  EXPECT_EQ(RenumberLines("partial write: line 2: bad; line 10: worse (1 points written, 2 lines "
                          "rejected)",
                          5000),
            "partial write: line 5002: bad; line 5010: worse (1 points written, 2 lines "
            "rejected)");
  EXPECT_EQ(RenumberLines("no numbers here", 7), "no numbers here");
  EXPECT_EQ(RenumberLines("line x", 7), "line x");
}

TEST(CliWriteTest, ChunkerKeepsMultiLineStringsWhole) {
  std::istringstream in("a v=1\n# comment\n\nb s=\"x\ny\" 1\nc v=2\nd v=3");
  LineChunker chunker(in, 2, 1 << 20);
  LineChunker::Chunk c;
  ASSERT_TRUE(chunker.Next(&c));
  EXPECT_EQ(c.text, "a v=1\n# comment\n");
  EXPECT_EQ(c.first_line, 1u);
  EXPECT_EQ(c.points, 1u);
  ASSERT_TRUE(chunker.Next(&c));
  EXPECT_EQ(c.text, "\nb s=\"x\ny\" 1\n");  // the string spans lines 4-5: not cut
  EXPECT_EQ(c.first_line, 3u);
  EXPECT_EQ(c.lines, 3u);
  EXPECT_EQ(c.points, 1u);
  ASSERT_TRUE(chunker.Next(&c));
  EXPECT_EQ(c.text, "c v=2\nd v=3");
  EXPECT_EQ(c.first_line, 6u);
  EXPECT_EQ(c.points, 2u);
  EXPECT_FALSE(chunker.Next(&c));
}

TEST(CliQueryTest, FormatsVectorMatrixScalar) {
  auto v = FormatQueryResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"__name__":"cpu","host":"a"},"value":[1700000000.5,"1.5"]}]}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v,
            "SERIES         TIMESTAMP                 VALUE\n"
            "cpu{host=\"a\"}  2023-11-14T22:13:20.500Z  1.5\n");
  auto m = FormatQueryResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[)"
      R"({"metric":{"job":"x"},"values":[[1700000000,"1"],[1700000015,"NaN"]]}]}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, "{job=\"x\"}\n  2023-11-14T22:13:20Z  1\n  2023-11-14T22:13:35Z  NaN\n");
  auto s = FormatQueryResponse(
      R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "scalar  2023-11-14T22:13:20Z  2\n");
  auto e = FormatQueryResponse(R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  EXPECT_EQ(*e, "(no data)\n");
  EXPECT_FALSE(FormatQueryResponse("nope").ok());
  EXPECT_FALSE(FormatQueryResponse(R"({"status":"error","error":"x"})").ok());
}

TEST_F(CliServerTest, WriteRenumbersErrorsAcrossChunks) {
  std::string lp;
  for (int i = 1; i <= 12; ++i) {
    lp += i == 7 ? "broken line\n" : "w,i=" + std::to_string(i) + " value=" + std::to_string(i) +
                                         " 1700000000\n";
  }
  std::istringstream in(lp);
  std::ostringstream out, err;
  WriteOptions o;
  o.server = url_;
  o.precision = "s";
  o.chunk_lines = 5;
  EXPECT_EQ(WriteCommand(o, in, out, err), 1);
  EXPECT_EQ(out.str(), "wrote 11 points from 12 lines, 1 lines rejected\n");
  EXPECT_NE(err.str().find("line 7: "), std::string::npos) << err.str();  // not "line 2"
  EXPECT_EQ(storage_.sample_count(), 11u);

  std::istringstream good("ok value=1 1700000000\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(WriteCommand(o, good, out2, err2), 0);
  EXPECT_EQ(out2.str(), "wrote 1 points from 1 lines\n");
}

TEST_F(CliServerTest, QueryPrintsTableJsonAndErrors) {
  storage_.Add(Labels{{"__name__", "q"}, {"k", "v"}}, kNow, 2.5);
  std::ostringstream out, err;
  QueryOptions o;
  o.server = url_;
  o.expr = "q";
  o.time = "1700000000";
  EXPECT_EQ(QueryCommand(o, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("q{k=\"v\"}"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("2.5"), std::string::npos);

  std::ostringstream jout, jerr;
  o.json = true;
  EXPECT_EQ(QueryCommand(o, jout, jerr), 0);
  EXPECT_EQ(jout.str().rfind("{\"status\":\"success\"", 0), 0u) << jout.str();

  o.json = false;
  o.time.clear();
  o.start = "1700000000";
  o.end = "1700000030";
  o.step = "15s";
  std::ostringstream rout, rerr;
  EXPECT_EQ(QueryCommand(o, rout, rerr), 0) << rerr.str();
  EXPECT_NE(rout.str().find("  2023-11-14T22:13:20Z  2.5\n"), std::string::npos) << rout.str();

  std::ostringstream eout, eerr;
  o.expr = "q{";
  EXPECT_EQ(QueryCommand(o, eout, eerr), 1);
  EXPECT_EQ(eerr.str().rfind("error: bad_data: invalid parameter \"query\"", 0), 0u) << eerr.str();

  std::ostringstream cout_, cerr_;
  server_->Stop();
  o.expr = "q";
  EXPECT_EQ(QueryCommand(o, cout_, cerr_), 1);
  EXPECT_NE(cerr_.str().find("cannot connect"), std::string::npos) << cerr_.str();
}

}  // namespace
}  // namespace mm::cli
