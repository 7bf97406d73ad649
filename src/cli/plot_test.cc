#include "cli/plot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_server_fixture.h"

namespace mm::cli {
namespace {

TEST(CliPlotTest, DecodesPrometheusAnswers) {
  auto m = DecodeQueryResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[)"
      R"({"metric":{"__name__":"a","k":"v"},"values":[[1700000000,"1.5"],[1700000015.5,"NaN"]]},)"
      R"({"metric":{},"values":[[1700000000,"+Inf"]]}]}})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->type, QueryResult::Type::kMatrix);
  ASSERT_EQ(m->series.size(), 2u);
  EXPECT_EQ(m->series[0].labels, (Labels{{"__name__", "a"}, {"k", "v"}}));
  ASSERT_EQ(m->series[0].samples.size(), 2u);
  EXPECT_EQ(m->series[0].samples[0], (SamplePoint{1700000000000, 1.5}));
  EXPECT_EQ(m->series[0].samples[1].timestamp_ms, 1700000015500);
  EXPECT_TRUE(std::isnan(m->series[0].samples[1].value));
  EXPECT_TRUE(std::isinf(m->series[1].samples[0].value));

  auto v = DecodeQueryResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"x":"1"},)"
      R"("value":[1700000000,"3"]}]}})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, QueryResult::Type::kVector);
  EXPECT_EQ(v->series[0].samples[0].value, 3);

  auto s = DecodeQueryResponse(
      R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"7"]}})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->scalar.value, 7);

  auto e = DecodeQueryResponse(R"({"status":"error","errorType":"bad_data","error":"parse error"})");
  EXPECT_EQ(e.status().message(), "parse error");
  EXPECT_FALSE(DecodeQueryResponse("nope").ok());
  EXPECT_FALSE(DecodeQueryResponse(
                   R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,2]]}]}})")
                   .ok());  // a value must be a string
}

// `plot` against a real server on a free port, writing into a temporary directory.
class CliPlotServerTest : public CliServerTest {
 protected:
  void SetUp() override {
    CliServerTest::SetUp();
    if (HasFatalFailure()) return;
    dir_ = std::filesystem::temp_directory_path() /
           ("mm_cli_plot_" + std::to_string(server_->port()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string Read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::filesystem::path dir_;
};

TEST_F(CliPlotServerTest, RendersWhatTheServerAnswers) {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  for (int64_t t = now - 3'600'000; t <= now; t += 15'000) {
    storage_.Add(Labels{{"__name__", "CPU_Usage"}, {"host", "a"}}, t, 42);
    storage_.Add(Labels{{"__name__", "CPU_Usage"}, {"host", "b"}}, t, 7);
  }
  PlotCommandOptions o;
  o.metric = "CPU_Usage";
  o.timeframe = "last_hour";
  o.output = (dir_ / "cpu.svg").string();
  o.server = url_;
  o.unit = "percent";
  o.config_dir = (dir_ / "none").string();
  std::ostringstream out, err;
  // A --config directory without visualize.yaml is an error...
  EXPECT_EQ(PlotCommand(o, out, err), 1);
  EXPECT_NE(err.str().find("no visualize.yaml"), std::string::npos) << err.str();
  // ...with one, its panel gives the query and title.
  std::filesystem::create_directories(dir_ / "none");
  std::ofstream(dir_ / "none" / "visualize.yaml")
      << "panels:\n  - {name: cpu, title: Busy CPU, query: 'CPU_Usage{host=\"a\"}'}\n";
  o.metric.clear();
  o.panel = "cpu";
  err.str("");
  ASSERT_EQ(PlotCommand(o, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("wrote " + o.output + " (1000x500, 1 series, step 5s)"),
            std::string::npos)
      << out.str();
  std::string svg = Read(o.output);
  EXPECT_NE(svg.find(">Busy CPU</text>"), std::string::npos);
  EXPECT_NE(svg.find(">42%</text>"), std::string::npos);

  // A PromQL expression with --query, PNG by the extension.
  o.panel.clear();
  o.query = "sum(CPU_Usage)";
  o.output = (dir_ / "sum.png").string();
  o.width = 640;
  o.height = 320;
  out.str("");
  ASSERT_EQ(PlotCommand(o, out, err), 0) << err.str();
  std::string png = Read(o.output);
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
}

TEST_F(CliPlotServerTest, Errors) {
  PlotCommandOptions o;
  o.metric = "x";
  o.server = url_;
  o.config_dir = "";
  std::ostringstream out, err;
  o.timeframe = "yesterday";
  o.output = (dir_ / "x.png").string();
  EXPECT_EQ(PlotCommand(o, out, err), 1);
  EXPECT_NE(err.str().find("last_15m, last_hour"), std::string::npos) << err.str();
  o.timeframe = "1h";
  o.output = (dir_ / "x.gif").string();
  err.str("");
  EXPECT_EQ(PlotCommand(o, out, err), 1);
  EXPECT_NE(err.str().find(".png, .svg or .pdf"), std::string::npos) << err.str();
  o.output = (dir_ / "x.png").string();
  o.query = "sum((";
  err.str("");
  EXPECT_EQ(PlotCommand(o, out, err), 1);
  EXPECT_NE(err.str().find("server answered 400"), std::string::npos) << err.str();
  o.query.clear();
  o.server = "http://127.0.0.1:1";
  err.str("");
  EXPECT_EQ(PlotCommand(o, out, err), 1);
  EXPECT_NE(err.str().find("cannot reach"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace mm::cli
