#include "metrics_manager/plot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/manager_impl.h"
#include "metrics_manager/manager.h"

namespace mm {
namespace {

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

size_t Count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

// Two hosts' CPU over the last hour, one point every 10 s: host a = 20, host b = 60.
void WriteHour(MetricsManager& m) {
  int64_t now_ns = m.impl().clock->NowNanos();
  std::vector<Point> points;
  for (int i = 0; i < 360; ++i) {
    int64_t t = now_ns - int64_t{i} * 10'000'000'000;
    points.push_back({"cpu", {{"host", "a"}}, {{"value", 20.0}}, t});
    points.push_back({"cpu", {{"host", "b"}}, {{"value", 60.0}}, t});
  }
  m.write(points);
}

class PlotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mm_plot_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::filesystem::path dir_;
};

TEST_F(PlotTest, WritesPngOfTheRequestedSize) {
  MetricsManager m;
  WriteHour(m);
  std::string out = plot_metrics(m, "cpu", {.timeframe = "last_hour", .output = Path("cpu.png"),
                                            .width = 640, .height = 320, .theme = "dark",
                                            .title = "CPU"});
  EXPECT_EQ(out, Path("cpu.png"));
  std::string png = Read(out);
  ASSERT_GT(png.size(), 33u);
  ASSERT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(16), 640u);
  EXPECT_EQ(be32(20), 320u);
}

TEST_F(PlotTest, SvgShowsEverySeriesWithItsStats) {
  MetricsManager m;
  WriteHour(m);
  std::string out = m.plot_metrics("cpu", {.timeframe = "30m", .output = Path("cpu.svg"),
                                           .unit = "percent", .utc = true});
  std::string svg = Read(out);
  EXPECT_EQ(Count(svg, "class=\"legend-entry\""), 2u);
  EXPECT_NE(svg.find("cpu{host=&quot;a&quot;}"), std::string::npos);
  EXPECT_NE(svg.find(">20%</text>"), std::string::npos);
  EXPECT_NE(svg.find(">60%</text>"), std::string::npos);
  EXPECT_NE(svg.find(" UTC</text>"), std::string::npos);
  EXPECT_NE(svg.find(">cpu</text>"), std::string::npos);  // the title defaults to the query

  // A PromQL expression and a PDF; the format option wins over the extension.
  std::string pdf = render_metrics(m, "sum(cpu)", {.output = "x.png", .format = "pdf"});
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  std::string svg2 = render_metrics(m, "avg(cpu)", {.format = "svg"});
  EXPECT_EQ(Count(svg2, "class=\"legend-entry\""), 1u);
  EXPECT_NE(svg2.find(">avg(cpu)</text>"), std::string::npos);  // label-less series: the query
}

TEST_F(PlotTest, TheManagersVisualizeYamlAndItsPanels) {
  std::filesystem::create_directories(dir_ / "config");
  std::ofstream(dir_ / "config" / "visualize.yaml") << R"(theme: dark
width: 640
height: 320
timeframe: 30m
panels:
  - name: host_b
    title: Host B
    query: 'cpu{host="b"}'
    unit: percent
)";
  api::Config config;
  config.listen.clear();  // no HTTP server
  auto m = api::NewMetricsManager(config, dir_ / "config");
  WriteHour(*m);
  MetricsManager plain;
  WriteHour(plain);

  // The file's size and theme, without a word in the options.
  std::string svg = render_metrics(*m, "cpu", {.format = "svg"});
  EXPECT_NE(svg.find("width=\"640\" height=\"320\""), std::string::npos) << svg.substr(0, 200);
  std::string builtin = render_metrics(plain, "cpu", {.format = "svg"});
  EXPECT_NE(builtin.find("width=\"1000\" height=\"500\""), std::string::npos);
  auto background = [](const std::string& s) {
    size_t fill = s.find("fill=\"", s.find("<rect"));
    return s.substr(fill + 6, 7);
  };
  EXPECT_NE(background(svg), background(builtin));  // dark, not light
  // Options still win.
  std::string wide = render_metrics(*m, "cpu", {.width = 900, .theme = "light", .format = "svg"});
  EXPECT_NE(wide.find("width=\"900\" height=\"320\""), std::string::npos);
  EXPECT_EQ(background(wide), background(builtin));

  // A named panel: its query, title and unit; the file is named after it.
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  std::string out = plot_metrics(*m, "", {.format = "svg", .panel = "host_b"});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(out, "host_b.svg");  // named after the panel, with the format's extension
  std::string panel = Read((dir_ / out).string());
  EXPECT_EQ(Count(panel, "class=\"legend-entry\""), 1u);
  EXPECT_NE(panel.find(">Host B</text>"), std::string::npos);
  EXPECT_NE(panel.find(">60%</text>"), std::string::npos);
  std::string e = ErrorOf([&] { render_metrics(*m, "", {.panel = "nope"}); });
  EXPECT_NE(e.find("unknown panel \"nope\""), std::string::npos) << e;
  EXPECT_NE(e.find("host_b"), std::string::npos) << e;
  e = ErrorOf([&] { render_metrics(*m, ""); });
  EXPECT_NE(e.find("empty"), std::string::npos) << e;
}

TEST_F(PlotTest, DefaultOutputIsNamedAfterTheQuery) {
  MetricsManager m;
  WriteHour(m);
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  std::string out = plot_metrics(m, "rate(cpu[1m])");
  std::filesystem::current_path(cwd);
  EXPECT_EQ(out, "rate_cpu_1m.png");
  EXPECT_TRUE(std::filesystem::exists(dir_ / out));
}

TEST_F(PlotTest, MisuseThrowsAClearError) {
  MetricsManager m;
  std::string e = ErrorOf([&] { plot_metrics(m, "cpu", {.timeframe = "yesterday"}); });
  EXPECT_NE(e.find("bad timeframe \"yesterday\""), std::string::npos) << e;
  EXPECT_NE(e.find("last_15m, last_hour, last_24h"), std::string::npos) << e;
  e = ErrorOf([&] { plot_metrics(m, "cpu", {.output = Path("cpu.jpg")}); });
  EXPECT_NE(e.find(".png, .svg or .pdf"), std::string::npos) << e;
  e = ErrorOf([&] { plot_metrics(m, "sum((", {.output = Path("x.png")}); });
  EXPECT_NE(e, "");
  e = ErrorOf([&] { plot_metrics(m, "cpu", {.output = Path("x.png"), .theme = "pink"}); });
  EXPECT_NE(e.find("unknown theme \"pink\""), std::string::npos) << e;
  e = ErrorOf([&] { plot_metrics(m, "cpu", {.output = Path("x.png"), .width = 5}); });
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
  e = ErrorOf([&] { plot_metrics(m, "cpu", {.output = Path("no/such/dir/x.png")}); });
  EXPECT_NE(e.find("cannot write"), std::string::npos) << e;
  // An empty store still renders a chart ("No data"), not an error.
  EXPECT_NE(render_metrics(m, "cpu", {.format = "svg"}).find("No data"), std::string::npos);
}

}  // namespace
}  // namespace mm
