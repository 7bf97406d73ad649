#include "viz/chart.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <cstring>

#include "viz/canvas.h"

namespace mm::viz {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kMin = 60'000;

// A decoded PNG (via Cairo's own reader).
class Png {
 public:
  explicit Png(const std::string& bytes) : bytes_(bytes) {
    surface_ = cairo_image_surface_create_from_png_stream(Read, this);
  }
  ~Png() { cairo_surface_destroy(surface_); }
  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }
  Rgba At(int x, int y) const {
    const unsigned char* data = cairo_image_surface_get_data(surface_);
    int stride = cairo_image_surface_get_stride(surface_);
    uint32_t px = *reinterpret_cast<const uint32_t*>(data + y * stride + x * 4);
    return {((px >> 16) & 0xff) / 255.0, ((px >> 8) & 0xff) / 255.0, (px & 0xff) / 255.0, 1};
  }

 private:
  static cairo_status_t Read(void* closure, unsigned char* out, unsigned int length) {
    Png* self = static_cast<Png*>(closure);
    if (self->pos_ + length > self->bytes_.size()) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(out, self->bytes_.data() + self->pos_, length);
    self->pos_ += length;
    return CAIRO_STATUS_SUCCESS;
  }
  const std::string& bytes_;
  size_t pos_ = 0;
  cairo_surface_t* surface_ = nullptr;
};

double Distance(Rgba a, Rgba b) {
  return std::max({std::fabs(a.r - b.r), std::fabs(a.g - b.g), std::fabs(a.b - b.b)});
}

// Is a pixel within `radius` rows of (x, y) close to `color`? (Antialiasing blends a 1.5 px
// line into at most two rows, one of which is mostly the line colour.)
bool LineNear(const Png& png, int x, double y, Rgba color, int radius = 1) {
  int yc = static_cast<int>(std::floor(y));
  for (int dy = -radius; dy <= radius; ++dy) {
    int yy = yc + dy;
    if (yy < 0 || yy >= png.height()) continue;
    if (Distance(png.At(x, yy), color) < 0.3) return true;
  }
  return false;
}

bool ColumnHasColor(const Png& png, int x, int y0, int y1, Rgba color) {
  for (int y = y0; y <= y1; ++y) {
    if (Distance(png.At(x, y), color) < 0.3) return true;
  }
  return false;
}

Rgba PaletteColor(Theme theme, size_t i) {
  return ParseColor(DefaultPalette(theme)[i]).value();
}

SeriesResult Series(Labels labels, int64_t start, int64_t step, int n,
                    double (*f)(int)) {
  SeriesResult s{std::move(labels), {}};
  for (int i = 0; i < n; ++i) s.samples.push_back({start + i * step, f(i)});
  return s;
}

QueryResult Matrix(std::vector<SeriesResult> series) {
  QueryResult r;
  r.type = QueryResult::Type::kMatrix;
  r.series = std::move(series);
  return r;
}

ChartOptions Options(Format format = Format::kPng) {
  ChartOptions o;
  o.format = format;
  o.width = 800;
  o.height = 400;
  o.utc = true;
  o.start_ms = kT0;
  o.end_ms = kT0 + 60 * kMin;
  o.step_ms = kMin;
  return o;
}

// Writes the image under the build's test output dir when MM_VIZ_OUT is set (to look at it).
void MaybeSave(const std::string& name, const std::string& bytes) {
  if (const char* dir = std::getenv("MM_VIZ_OUT")) {
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << bytes;
  }
}

TEST(ChartTest, PngHasTheRequestedSize) {
  QueryResult r = Matrix({Series(Labels{{"__name__", "cpu"}}, kT0, kMin, 61,
                                 [](int i) { return 50 + 40 * std::sin(i / 5.0); })});
  for (auto [w, h] : {std::pair{640, 360}, std::pair{1200, 500}, std::pair{64, 64}}) {
    ChartOptions o = Options();
    o.width = w;
    o.height = h;
    auto png = RenderChart(r, o);
    ASSERT_TRUE(png.ok()) << png.status().ToString();
    ASSERT_TRUE(png->starts_with("\x89PNG\r\n\x1a\n"));
    Png img(*png);
    ASSERT_TRUE(img.ok());
    EXPECT_EQ(img.width(), w);
    EXPECT_EQ(img.height(), h);
  }
}

TEST(ChartTest, SvgHasLegendEntriesAxisLabelsAndTitle) {
  QueryResult r;
  r.type = QueryResult::Type::kMatrix;
  for (const char* cpu : {"0", "1", "2"}) {
    r.series.push_back(Series(Labels{{"__name__", "cpu_usage"}, {"cpu", cpu}}, kT0, kMin, 61,
                              [](int i) { return 10.0 + i; }));
  }
  ChartOptions o = Options(Format::kSvg);
  o.title = "CPU <busy>";
  o.unit = "percent";
  auto svg = RenderChart(r, o);
  ASSERT_TRUE(svg.ok()) << svg.status().ToString();
  MaybeSave("legend.svg", *svg);
  const std::string& s = *svg;
  EXPECT_TRUE(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\""));
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("class=\"legend-entry\""), 3u);
  EXPECT_EQ(count("class=\"series\""), 3u);
  EXPECT_NE(s.find(">cpu_usage{cpu=&quot;1&quot;}<"), std::string::npos);
  QueryResult bare = Matrix({Series(Labels{{"__name__", "CPU_Usage"}}, kT0, kMin, 3,
                                    [](int) { return 1.0; })});
  auto bare_svg = RenderChart(bare, o);
  ASSERT_TRUE(bare_svg.ok());
  EXPECT_NE(bare_svg->find(">CPU_Usage</text>"), std::string::npos);  // not "CPU_Usage{}"
  EXPECT_NE(s.find(">CPU &lt;busy&gt;</text>"), std::string::npos);
  // Time labels (UTC, every 10 minutes) and percent labels on the y axis.
  for (const char* label : {">22:20</text>", ">23:00</text>", ">40%</text>",
                            ">70%</text>", ">2023-11-14 22:13:20 – 23:13:20 UTC</text>"}) {
    EXPECT_NE(s.find(label), std::string::npos) << label;
  }
  // Legend stats of series 0: last 70, min 10, max 70, avg 40.
  EXPECT_NE(s.find(">last</text>"), std::string::npos);
  EXPECT_NE(s.find(">40%</text>"), std::string::npos);
}

TEST(ChartTest, LegendLabelsAreEscaped) {
  QueryResult r = Matrix({Series(Labels{{"__name__", "m"}, {"path", "a<b>&\"c"}}, kT0, kMin, 3,
                                 [](int) { return 1.0; })});
  auto svg = RenderChart(r, Options(Format::kSvg));
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find("a&lt;b&gt;&amp;"), std::string::npos);
  EXPECT_EQ(svg->find("a<b>"), std::string::npos);
}

TEST(ChartTest, LegendCountsWhatDoesNotFit) {
  QueryResult r;
  r.type = QueryResult::Type::kMatrix;
  for (int k = 0; k < 50; ++k) {
    r.series.push_back(Series(Labels{{"__name__", "m"}, {"k", std::to_string(100 + k)}}, kT0,
                              kMin, 61, [](int i) { return 1.0 * i; }));
  }
  ChartOptions o = Options(Format::kSvg);
  auto layout = ComputeChartLayout(r, o);
  ASSERT_TRUE(layout.ok());
  EXPECT_GT(layout->legend_rows, 3);
  EXPECT_LT(layout->legend_rows, 50);
  EXPECT_EQ(layout->legend_rows + layout->hidden_series, 50);
  auto svg = RenderChart(r, o);
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find("… and " + std::to_string(layout->hidden_series) + " more series"),
            std::string::npos);
  EXPECT_GT(layout->plot_bottom - layout->plot_top, 150);  // the plot keeps most of the room
}

TEST(ChartTest, ConstantSeriesReadsAgainstZero) {
  // A gauge that never moves (5 the whole hour): the axis runs 0..8, so the line sits five
  // eighths of the way up with a zero baseline under it (not in a ±10 % band of 4.4..5.6).
  QueryResult r = Matrix({Series(Labels{{"__name__", "queue_depth"}}, kT0, kMin, 61,
                                 [](int) { return 5.0; })});
  ChartOptions o = Options();
  auto layout = ComputeChartLayout(r, o);
  ASSERT_TRUE(layout.ok());
  const ChartLayout& L = *layout;
  EXPECT_EQ(L.y_min, 0);
  EXPECT_EQ(L.y_max, 8);
  auto png = RenderChart(r, o);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  MaybeSave("constant.png", *png);
  Png img(*png);
  ASSERT_TRUE(img.ok());
  Rgba c0 = PaletteColor(Theme::kLight, 0);
  const double five_eighths = L.plot_bottom - (L.plot_bottom - L.plot_top) * 5 / 8;
  for (int i = 5; i <= 55; i += 10) {
    int x = static_cast<int>(std::floor(L.X(kT0 + i * kMin)));
    EXPECT_NEAR(L.Y(5), five_eighths, 0.5);
    EXPECT_TRUE(LineNear(img, x, L.Y(5), c0)) << "minute " << i;
  }
  o.format = Format::kSvg;
  auto svg = RenderChart(r, o);
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find(">0</text>"), std::string::npos);
  EXPECT_NE(svg->find(">8</text>"), std::string::npos);
  EXPECT_EQ(svg->find(">4.4</text>"), std::string::npos);
}

TEST(ChartTest, LineSitsWhereTheDataSays) {
  // A ramp 0..60 over an hour and a constant 30, on a fixed 0..100 axis.
  QueryResult r = Matrix({Series(Labels{{"s", "ramp"}}, kT0, kMin, 61,
                                 [](int i) { return 1.0 * i; }),
                          Series(Labels{{"s", "flat"}}, kT0, kMin, 61, [](int) { return 80.0; })});
  ChartOptions o = Options();
  o.y_min = 0;
  o.y_max = 100;
  auto png = RenderChart(r, o);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  MaybeSave("probe.png", *png);
  auto layout = ComputeChartLayout(r, o);
  ASSERT_TRUE(layout.ok());
  const ChartLayout& L = *layout;
  EXPECT_EQ(L.y_min, 0);
  EXPECT_EQ(L.y_max, 100);
  Png img(*png);
  ASSERT_TRUE(img.ok());
  Rgba c0 = PaletteColor(Theme::kLight, 0);
  Rgba c1 = PaletteColor(Theme::kLight, 1);
  for (int i = 2; i <= 58; i += 4) {
    int64_t t = kT0 + i * kMin;
    int x = static_cast<int>(std::floor(L.X(t)));
    EXPECT_TRUE(LineNear(img, x, L.Y(i), c0)) << "ramp at minute " << i;
    EXPECT_TRUE(LineNear(img, x, L.Y(80), c1)) << "flat at minute " << i;
    // Not elsewhere in the column: well above and below the ramp there is no ramp colour.
    EXPECT_FALSE(ColumnHasColor(img, x, static_cast<int>(L.plot_top),
                                static_cast<int>(L.Y(i + 8)), c0))
        << i;
    EXPECT_FALSE(ColumnHasColor(img, x, static_cast<int>(L.Y(i - 8)),
                                static_cast<int>(L.plot_bottom) - 1, c0))
        << i;
  }
  // The background is white, the area left of the plot has no series colour.
  EXPECT_LT(Distance(img.At(2, 2), Rgba{1, 1, 1, 1}), 0.01);
  EXPECT_FALSE(ColumnHasColor(img, static_cast<int>(L.plot_left) - 3,
                              static_cast<int>(L.plot_top), static_cast<int>(L.plot_bottom), c0));
}

TEST(ChartTest, GapsBreakTheLine) {
  // Data in minutes 0–20 and 40–60, a NaN at minute 10.
  SeriesResult s{Labels{{"s", "gappy"}}, {}};
  for (int i = 0; i <= 60; ++i) {
    if (i > 20 && i < 40) continue;
    s.samples.push_back({kT0 + i * kMin, i == 10 ? std::nan("") : 50.0});
  }
  QueryResult r = Matrix({s});
  for (int64_t step : {kMin, int64_t{0}}) {  // given and inferred spacing
    ChartOptions o = Options();
    o.step_ms = step;
    o.y_min = 0;
    o.y_max = 100;
    auto png = RenderChart(r, o);
    ASSERT_TRUE(png.ok());
    MaybeSave("gap.png", *png);
    const ChartLayout L = ComputeChartLayout(r, o).value();
    Png img(*png);
    Rgba c0 = PaletteColor(Theme::kLight, 0);
    auto col = [&](double minute) {
      return static_cast<int>(std::floor(L.X(kT0 + static_cast<int64_t>(minute * kMin))));
    };
    for (double m : {2.0, 15.0, 19.5, 41.0, 55.0}) {
      EXPECT_TRUE(LineNear(img, col(m), L.Y(50), c0)) << "minute " << m;
    }
    for (double m : {22.0, 30.0, 38.0, 9.5, 10.5}) {
      EXPECT_FALSE(ColumnHasColor(img, col(m), static_cast<int>(L.plot_top),
                                  static_cast<int>(L.plot_bottom) - 1, c0))
          << "minute " << m << " step " << step;
    }
  }
}

TEST(ChartTest, ManySamplesKeepTheirSpikes) {
  // 1 M samples at 1 ms of a flat 10 with one sample of 90: the spike must reach the top.
  SeriesResult s{Labels{{"s", "dense"}}, {}};
  const int n = 1'000'000;
  s.samples.reserve(n);
  for (int i = 0; i < n; ++i) s.samples.push_back({kT0 + i, i == 654'321 ? 90.0 : 10.0});
  QueryResult r = Matrix({s});
  ChartOptions o = Options();
  o.start_ms = kT0;
  o.end_ms = kT0 + n;
  o.step_ms = 1;
  o.y_min = 0;
  o.y_max = 100;
  auto png = RenderChart(r, o);
  ASSERT_TRUE(png.ok());
  const ChartLayout L = ComputeChartLayout(r, o).value();
  Png img(*png);
  Rgba c0 = PaletteColor(Theme::kLight, 0);
  int x = static_cast<int>(std::floor(L.X(kT0 + 654'321)));
  EXPECT_TRUE(LineNear(img, x, L.Y(90), c0));
  EXPECT_TRUE(LineNear(img, x, L.Y(50), c0));  // the vertical stroke of the spike
  EXPECT_FALSE(ColumnHasColor(img, x + 10, static_cast<int>(L.Y(80)),
                              static_cast<int>(L.Y(20)), c0));
  EXPECT_TRUE(LineNear(img, x + 10, L.Y(10), c0));
}

TEST(ChartTest, StackedSumsSeries) {
  QueryResult r = Matrix({Series(Labels{{"s", "a"}}, kT0, kMin, 61, [](int) { return 10.0; }),
                          Series(Labels{{"s", "b"}}, kT0, kMin, 61, [](int) { return 20.0; })});
  ChartOptions o = Options();
  o.stacked = true;
  auto png = RenderChart(r, o);
  ASSERT_TRUE(png.ok());
  MaybeSave("stacked.png", *png);
  const ChartLayout L = ComputeChartLayout(r, o).value();
  EXPECT_EQ(L.y_min, 0);  // stacking includes zero
  EXPECT_GE(L.y_max, 30);
  Png img(*png);
  int x = static_cast<int>(std::floor(L.X(kT0 + 30 * kMin)));
  EXPECT_TRUE(LineNear(img, x, L.Y(10), PaletteColor(Theme::kLight, 0)));
  EXPECT_TRUE(LineNear(img, x, L.Y(30), PaletteColor(Theme::kLight, 1)));
  EXPECT_FALSE(LineNear(img, x, L.Y(20), PaletteColor(Theme::kLight, 1)));
  // The band between them is filled (neither background nor empty).
  EXPECT_GT(Distance(img.At(x, static_cast<int>(L.Y(20))), Rgba{1, 1, 1, 1}), 0.1);
}

TEST(ChartTest, DarkThemeAndPdf) {
  QueryResult r = Matrix({Series(Labels{{"s", "a"}}, kT0, kMin, 61, [](int i) { return 1.0 * i; })});
  ChartOptions o = Options();
  o.theme = Theme::kDark;
  o.title = "dark";
  auto png = RenderChart(r, o);
  ASSERT_TRUE(png.ok());
  MaybeSave("dark.png", *png);
  Png img(*png);
  Rgba bg = img.At(3, 3);
  EXPECT_LT(bg.r + bg.g + bg.b, 0.5);
  const ChartLayout L = ComputeChartLayout(r, o).value();
  int x = static_cast<int>(std::floor(L.X(kT0 + 30 * kMin)));
  EXPECT_TRUE(LineNear(img, x, L.Y(30), PaletteColor(Theme::kDark, 0)));

  o.format = Format::kPdf;
  auto pdf = RenderChart(r, o);
  ASSERT_TRUE(pdf.ok());
  EXPECT_TRUE(pdf->starts_with("%PDF-"));
  EXPECT_GT(pdf->size(), 1000u);
}

TEST(ChartTest, VectorScalarAndEmptyResults) {
  QueryResult v;
  v.type = QueryResult::Type::kVector;
  v.series.push_back({Labels{{"s", "a"}}, {{kT0, 5}}});
  auto svg = RenderChart(v, ChartOptions{.format = Format::kSvg});
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find("class=\"legend-entry\""), std::string::npos);

  QueryResult sc;
  sc.type = QueryResult::Type::kScalar;
  sc.scalar = {kT0, 42};
  ChartOptions o{.format = Format::kSvg};
  o.series_label = "6*7";
  svg = RenderChart(sc, o);
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find(">6*7</text>"), std::string::npos);
  EXPECT_NE(svg->find(">42</text>"), std::string::npos);

  svg = RenderChart(Matrix({}), Options(Format::kSvg));
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find(">No data</text>"), std::string::npos);
}

TEST(ChartTest, BytesPerSecondAxisUsesBinaryPrefixes) {
  // Three interfaces over 6 hours at 1 min, 1–6 MiB/s with a daily-ish wave; eth1 stops for an
  // hour in the middle.
  QueryResult r;
  r.type = QueryResult::Type::kMatrix;
  const char* names[] = {"eth0", "eth1", "wlan0"};
  for (int k = 0; k < 3; ++k) {
    SeriesResult s{Labels{{"__name__", "net_bytes_recv"}, {"interface", names[k]}}, {}};
    for (int i = 0; i <= 360; ++i) {
      if (k == 1 && i > 150 && i < 210) continue;
      double v = (1 + k + std::sin(i / 40.0 + k)) * 1024 * 1024;
      s.samples.push_back({kT0 + i * kMin, v});
    }
    r.series.push_back(std::move(s));
  }
  ChartOptions o;
  o.format = Format::kSvg;
  o.title = "Network traffic";
  o.unit = "bytes/s";
  o.utc = true;
  o.step_ms = kMin;
  auto svg = RenderChart(r, o);
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find(" MiB/s</text>"), std::string::npos);
  EXPECT_EQ(svg->find(" KiB/s</text>"), std::string::npos);  // one scale per axis
  for (Format f : {Format::kPng, Format::kSvg}) {
    o.format = f;
    o.theme = Theme::kDark;
    o.stacked = true;
    auto img = RenderChart(r, o);
    ASSERT_TRUE(img.ok());
    MaybeSave(f == Format::kPng ? "network.png" : "network.svg", *img);
  }
}

TEST(ChartTest, Errors) {
  QueryResult r = Matrix({});
  ChartOptions o = Options();
  o.width = 10;
  EXPECT_EQ(RenderChart(r, o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.y_min = 5;
  o.y_max = 5;
  EXPECT_FALSE(RenderChart(r, o).ok());
  o = Options();
  o.colors = {"blue"};
  EXPECT_NE(RenderChart(r, o).status().message().find("colour"), std::string::npos);
  QueryResult s;
  s.type = QueryResult::Type::kString;
  EXPECT_FALSE(RenderChart(s, Options()).ok());
}

TEST(ChartTest, FormatsAndThemes) {
  EXPECT_EQ(FormatFromPath("cpu.png").value(), Format::kPng);
  EXPECT_EQ(FormatFromPath("dir.x/cpu.SVG").value(), Format::kSvg);
  EXPECT_EQ(FormatFromPath("a.pdf").value(), Format::kPdf);
  EXPECT_NE(FormatFromPath("cpu.jpg").status().message().find(".png, .svg or .pdf"),
            std::string::npos);
  EXPECT_FALSE(FormatFromPath("dir.x/cpu").ok());
  EXPECT_EQ(ParseTheme("dark").value(), Theme::kDark);
  EXPECT_FALSE(ParseTheme("blue").ok());
  EXPECT_EQ(ContentType(Format::kSvg), "image/svg+xml");
  EXPECT_EQ(ParseColor("#ff8000").value(), (Rgba{1, 128 / 255.0, 0, 1}));
  EXPECT_EQ(ParseColor("#fff").value(), (Rgba{1, 1, 1, 1}));
  EXPECT_FALSE(ParseColor("#12345").ok());
}

}  // namespace
}  // namespace mm::viz
