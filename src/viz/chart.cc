#include "viz/chart.h"

#include <algorithm>
#include <array>
#include <optional>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>

#include "viz/axis.h"
#include "viz/canvas.h"

namespace mm::viz {
namespace {

constexpr double kPad = 10;
constexpr double kTitleSize = 15;
constexpr double kTitleHeight = 26;
constexpr double kTickSize = 11;
constexpr double kCaptionSize = 10;
constexpr double kXAxisHeight = 34;  // tick labels + the time range caption
constexpr double kLegendSize = 11;
constexpr double kLegendRow = 16;
constexpr double kMaxLegendShare = 0.35;  // of the height
constexpr double kTimeLabelSpacing = 90;  // px per time tick at most
constexpr double kValueTickSpacing = 45;

struct ThemeColors {
  Rgba background, text, muted, grid, axis;
};

ThemeColors ColorsOf(Theme theme) {
  if (theme == Theme::kDark) {
    return {{0.094, 0.106, 0.122, 1}, {0.82, 0.83, 0.86, 1}, {0.56, 0.58, 0.62, 1},
            {0.19, 0.21, 0.24, 1}, {0.36, 0.38, 0.42, 1}};
  }
  return {{1, 1, 1, 1}, {0.16, 0.17, 0.19, 1}, {0.42, 0.44, 0.48, 1}, {0.91, 0.92, 0.93, 1},
          {0.62, 0.64, 0.67, 1}};
}

struct SeriesStats {
  double last = std::numeric_limits<double>::quiet_NaN();
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double avg = std::numeric_limits<double>::quiet_NaN();
};

// What a render draws: the series (the result's, or owned cumulative copies when stacked), their
// stats, gap thresholds and the data's extent.
struct Prepared {
  std::vector<SeriesResult> owned;
  std::vector<const SeriesResult*> draw;  // what the lines follow
  std::vector<const SeriesResult*> original;  // what the legend describes
  std::vector<SeriesStats> stats;
  std::vector<int64_t> gap_ms;
  std::vector<Rgba> colors;
  int64_t start_ms = 0, end_ms = 0;
  double data_min = std::numeric_limits<double>::infinity();
  double data_max = -std::numeric_limits<double>::infinity();
  bool has_data = false;
  ThemeColors theme;
};

// Index of the first sample at or after t (samples are in time order).
size_t LowerBound(const std::vector<SamplePoint>& s, int64_t t) {
  return std::lower_bound(s.begin(), s.end(), t, [](const SamplePoint& p, int64_t v) {
           return p.timestamp_ms < v;
         }) - s.begin();
}

// Twice the median spacing of up to 512 sampled neighbours (robust to a few holes); "never"
// for fewer than two samples.
int64_t InferGap(const std::vector<SamplePoint>& s) {
  if (s.size() < 2) return std::numeric_limits<int64_t>::max();
  size_t n = s.size() - 1;
  size_t take = std::min<size_t>(n, 512);
  std::vector<int64_t> d;
  d.reserve(take);
  for (size_t k = 0; k < take; ++k) {
    size_t i = k * n / take;
    d.push_back(s[i + 1].timestamp_ms - s[i].timestamp_ms);
  }
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  return std::max<int64_t>(2 * d[d.size() / 2], 1);
}

SeriesStats StatsOf(const std::vector<SamplePoint>& s, int64_t start, int64_t end) {
  SeriesStats st;
  double sum = 0;
  size_t n = 0;
  double mn = std::numeric_limits<double>::infinity();
  double mx = -mn;
  for (size_t i = LowerBound(s, start); i < s.size() && s[i].timestamp_ms <= end; ++i) {
    double v = s[i].value;
    if (std::isnan(v)) continue;
    st.last = v;
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += v;
    ++n;
  }
  if (n > 0) {
    st.min = mn;
    st.max = mx;
    st.avg = sum / static_cast<double>(n);
  }
  return st;
}

Result<Prepared> Prepare(const QueryResult& result, const ChartOptions& o) {
  if (o.width < kMinSize || o.width > kMaxSize || o.height < kMinSize || o.height > kMaxSize) {
    return Status::InvalidArgument("chart size " + std::to_string(o.width) + "x" +
                                   std::to_string(o.height) + " out of range (" +
                                   std::to_string(kMinSize) + ".." + std::to_string(kMaxSize) +
                                   " pixels each way)");
  }
  if (o.y_min && o.y_max && !(*o.y_min < *o.y_max)) {
    return Status::InvalidArgument("the y range is empty: y_min must be below y_max");
  }
  if ((o.start_ms != 0 || o.end_ms != 0) && o.end_ms <= o.start_ms) {
    return Status::InvalidArgument("the chart's time range ends before it starts");
  }
  if (result.type == QueryResult::Type::kString) {
    return Status::InvalidArgument("a string result cannot be plotted");
  }
  Prepared p;
  p.theme = ColorsOf(o.theme);
  const std::vector<std::string>& names = o.colors.empty() ? DefaultPalette(o.theme) : o.colors;
  for (const std::string& name : names) {
    MM_ASSIGN_OR_RETURN(Rgba c, ParseColor(name));
    p.colors.push_back(c);
  }
  if (p.colors.empty()) return Status::InvalidArgument("the colour palette is empty");

  if (result.type == QueryResult::Type::kScalar) {
    p.owned.push_back(SeriesResult{Labels(), {result.scalar}});
    p.original.push_back(&p.owned.back());
  } else {
    for (const SeriesResult& s : result.series) p.original.push_back(&s);
  }

  // The time range: given, or the data's extent (a single instant gets a minute around it).
  if (o.start_ms != 0 || o.end_ms != 0) {
    p.start_ms = o.start_ms;
    p.end_ms = o.end_ms;
  } else {
    int64_t lo = std::numeric_limits<int64_t>::max();
    int64_t hi = std::numeric_limits<int64_t>::min();
    for (const SeriesResult* s : p.original) {
      if (s->samples.empty()) continue;
      lo = std::min(lo, s->samples.front().timestamp_ms);
      hi = std::max(hi, s->samples.back().timestamp_ms);
    }
    if (lo > hi) {
      lo = 0;
      hi = 3'600'000;
    }
    if (lo == hi) {
      lo -= 30'000;
      hi += 30'000;
    }
    p.start_ms = lo;
    p.end_ms = hi;
  }

  if (o.stacked && p.original.size() > 1) {
    // Cumulative sums per timestamp in series order (range-query series share the step grid).
    std::unordered_map<int64_t, double> running;
    std::vector<SeriesResult> cumulative;
    cumulative.reserve(p.original.size());
    for (const SeriesResult* s : p.original) {
      SeriesResult c{s->labels, {}};
      c.samples.reserve(s->samples.size());
      for (const SamplePoint& sp : s->samples) {
        if (std::isnan(sp.value)) {
          c.samples.push_back(sp);
          continue;
        }
        double& sum = running[sp.timestamp_ms];
        sum += sp.value;
        c.samples.push_back({sp.timestamp_ms, sum});
      }
      cumulative.push_back(std::move(c));
    }
    size_t base = p.owned.size();
    p.owned.reserve(base + cumulative.size());
    for (auto& c : cumulative) p.owned.push_back(std::move(c));
    for (size_t i = base; i < p.owned.size(); ++i) p.draw.push_back(&p.owned[i]);
  } else {
    p.draw = p.original;
  }

  for (size_t i = 0; i < p.draw.size(); ++i) {
    const auto& s = p.draw[i]->samples;
    p.stats.push_back(StatsOf(p.original[i]->samples, p.start_ms, p.end_ms));
    p.gap_ms.push_back(o.step_ms > 0 ? 2 * o.step_ms : InferGap(s));
    for (size_t k = LowerBound(s, p.start_ms); k < s.size() && s[k].timestamp_ms <= p.end_ms;
         ++k) {
      double v = s[k].value;
      if (!std::isfinite(v)) continue;
      p.data_min = std::min(p.data_min, v);
      p.data_max = std::max(p.data_max, v);
      p.has_data = true;
    }
  }
  return p;
}

std::string LegendLabel(const SeriesResult& s, const ChartOptions& o) {
  if (s.labels.empty()) return o.series_label.empty() ? "{}" : o.series_label;
  std::string text = s.labels.ToString();
  if (text.size() > 2 && text.ends_with("{}")) text.resize(text.size() - 2);  // a bare name
  return text;
}

// `text` shortened with "…" to fit `max_width`.
std::string Fit(TextMeasurer& m, const std::string& text, double size, double max_width) {
  if (m.Width(text, size) <= max_width) return text;
  std::string s = text;
  while (!s.empty()) {
    // Drop a whole UTF-8 character.
    do {
      s.pop_back();
    } while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80);
    if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0xC0) s.pop_back();
    if (m.Width(s + "…", size) <= max_width) return s + "…";
  }
  return "";
}

struct FullLayout {
  ChartLayout layout;
  ValueTicks y_ticks;
  TimeTicks x_ticks;
  double legend_top = 0;
};

FullLayout Layout(const Prepared& p, const ChartOptions& o, TextMeasurer& m) {
  FullLayout f;
  ChartLayout& L = f.layout;
  L.start_ms = p.start_ms;
  L.end_ms = p.end_ms;
  const double w = o.width;
  const double h = o.height;
  const double top = kPad + (o.title.empty() ? 4 : kTitleHeight);

  // The legend takes at most a third of the height; what does not fit is counted in one line.
  int n = static_cast<int>(p.original.size());
  double legend_h = 0;
  if (o.legend && n > 0) {
    int fit = static_cast<int>(h * kMaxLegendShare / kLegendRow) - 1;  // minus the header
    if (fit >= n) {
      L.legend_rows = n;
    } else {
      L.legend_rows = std::max(fit - 1, 0);
      L.hidden_series = n - L.legend_rows;
    }
    if (L.legend_rows > 0) {
      legend_h = (1 + L.legend_rows + (L.hidden_series > 0 ? 1 : 0)) * kLegendRow + 8;
    } else {
      L.hidden_series = 0;
    }
  }
  double bottom = h - kPad - legend_h - kXAxisHeight;
  if (bottom - top < 40 && legend_h > 0) {  // too small for a legend: the plot comes first
    bottom += legend_h;
    legend_h = 0;
    L.legend_rows = 0;
    L.hidden_series = 0;
  }
  f.legend_top = bottom + kXAxisHeight + 4;

  // The y axis: data range (or the user's), zero included when stacking.
  double lo = p.has_data ? p.data_min : 0;
  double hi = p.has_data ? p.data_max : 1;
  if (o.stacked) lo = std::min(lo, 0.0);
  if (o.y_min) lo = *o.y_min;
  if (o.y_max) hi = *o.y_max;
  if (o.y_min && !o.y_max && hi <= lo) hi = lo + 1;
  if (o.y_max && !o.y_min && lo >= hi) lo = hi - 1;
  int target = std::max(2, static_cast<int>((bottom - top) / kValueTickSpacing));
  f.y_ticks = MakeValueTicks(lo, hi, o.unit, target, o.y_min.has_value(), o.y_max.has_value());
  L.y_min = f.y_ticks.min;
  L.y_max = f.y_ticks.max;

  double label_w = 0;
  for (const std::string& s : f.y_ticks.labels) label_w = std::max(label_w, m.Width(s, kTickSize));
  L.plot_left = std::round(kPad + label_w + 8);
  L.plot_right = std::round(w - kPad - 12);
  L.plot_top = std::round(top);
  L.plot_bottom = std::round(bottom);
  if (L.plot_right - L.plot_left < 10) L.plot_right = L.plot_left + 10;

  int max_ticks = std::max(1, static_cast<int>((L.plot_right - L.plot_left) / kTimeLabelSpacing));
  f.x_ticks = MakeTimeTicks(p.start_ms, p.end_ms, max_ticks, o.utc);
  return f;
}

// Draws one series with per-pixel-column reduction: each column keeps its first, min, max and
// last value, so the path has at most four vertices per column whatever the sample count, and
// a spike inside a column still reaches its extreme. A NaN or a hole longer than `gap_ms` ends
// the path (a new subpath starts after it). With `fill_base` set the subpaths are closed down
// to that y and filled instead.
void DrawSeries(Canvas& c, const SeriesResult& s, const ChartLayout& L, int64_t gap_ms,
                Rgba color, double line_width, std::optional<double> fill_base) {
  const auto& v = s.samples;
  if (v.empty()) return;
  const double scale = (L.plot_right - L.plot_left) / static_cast<double>(L.end_ms - L.start_ms);
  const double y_scale = (L.plot_bottom - L.plot_top) / (L.y_max - L.y_min);
  const double y_lo = L.plot_top - 2000;
  const double y_hi = L.plot_bottom + 2000;
  auto y_of = [&](double value) {
    return std::clamp(L.plot_bottom - (value - L.y_min) * y_scale, y_lo, y_hi);
  };
  // One sample before the range and one after, so lines run to the edges.
  const int64_t margin = gap_ms == std::numeric_limits<int64_t>::max() ? 0 : gap_ms;
  size_t i = LowerBound(v, L.start_ms - margin);
  if (i > 0 && margin == 0) --i;

  bool open = false;  // a column being collected
  int64_t col = 0;
  int64_t col_t = 0;   // the time of the column's first sample
  int col_n = 0;       // samples in the column
  double first = 0, mn = 0, mx = 0;
  bool pen = false;  // a subpath in progress
  int seg_cols = 0;
  double seg_first_x = 0, seg_last_x = 0, seg_last_y = 0;
  bool drew = false;

  auto flush = [&] {
    if (!open) return;
    open = false;
    // Sparse data (one sample in the column) keeps its exact x, so slopes stay smooth; dense
    // columns draw on the column's centre.
    double x = col_n == 1 ? L.plot_left + static_cast<double>(col_t - L.start_ms) * scale
                          : L.plot_left + static_cast<double>(col) + 0.5;
    // Two vertices per column: enter at the extreme nearer the pen, leave at the other. (At one
    // pixel wide, first/last inside a column are invisible; up-down-up strokes over the same
    // pixels only cost the rasterizer.)
    double enter = y_of(first);
    double leave = enter;
    if (mn != mx) {
      double y_mn = y_of(mn);
      double y_mx = y_of(mx);
      double ref = pen ? seg_last_y : enter;
      bool min_first = std::fabs(y_mn - ref) <= std::fabs(y_mx - ref);
      enter = min_first ? y_mn : y_mx;
      leave = min_first ? y_mx : y_mn;
    }
    if (!pen) {
      c.MoveTo(x, enter);
      pen = true;
      seg_cols = 0;
      seg_first_x = x;
    } else {
      c.LineTo(x, enter);
    }
    if (leave != enter) c.LineTo(x, leave);
    seg_last_y = leave;
    seg_last_x = x;
    ++seg_cols;
    drew = true;
  };
  auto end_segment = [&] {
    flush();
    if (!pen) return;
    pen = false;
    if (fill_base) {
      c.LineTo(seg_last_x, *fill_base);
      c.LineTo(seg_first_x, *fill_base);
      c.ClosePath();
    } else if (seg_cols == 1 && mn == mx) {
      // A lone sample: a short dash so it is visible.
      c.MoveTo(seg_last_x - 1.5, seg_last_y);
      c.LineTo(seg_last_x + 1.5, seg_last_y);
    }
  };

  bool have_prev = false;
  int64_t prev_t = 0;
  for (; i < v.size(); ++i) {
    const int64_t t = v[i].timestamp_ms;
    const double value = v[i].value;
    if (std::isnan(value)) {
      end_segment();
      have_prev = false;
      continue;
    }
    if (have_prev && t - prev_t > gap_ms) end_segment();
    have_prev = true;
    prev_t = t;
    const int64_t k = static_cast<int64_t>(std::floor(static_cast<double>(t - L.start_ms) * scale));
    if (open && k == col) {
      mn = std::min(mn, value);
      mx = std::max(mx, value);
      ++col_n;
    } else {
      flush();
      open = true;
      col = k;
      col_t = t;
      col_n = 1;
      first = mn = mx = value;
    }
    if (t > L.end_ms + margin) break;
  }
  end_segment();
  if (!drew) return;
  if (fill_base) {
    c.Fill(color);
  } else {
    c.Stroke(color, line_width);
  }
}

void DrawChart(Canvas& c, const Prepared& p, const FullLayout& f, const ChartOptions& o,
               TextMeasurer& m) {
  const ChartLayout& L = f.layout;
  const ThemeColors& th = p.theme;
  const double w = o.width;

  if (!o.title.empty()) {
    c.BeginGroup("title");
    c.Text(w / 2, kPad + kTitleSize, o.title, kTitleSize, th.text, Align::kCenter, true);
    c.EndGroup();
  }

  // Grid and y labels.
  c.BeginGroup("y-axis");
  for (size_t i = 0; i < f.y_ticks.values.size(); ++i) {
    double y = std::round(L.Y(f.y_ticks.values[i])) + 0.5;
    c.MoveTo(L.plot_left, y);
    c.LineTo(L.plot_right, y);
    c.Stroke(th.grid, 1);
    c.Text(L.plot_left - 6, y + 4, f.y_ticks.labels[i], kTickSize, th.muted, Align::kRight);
  }
  c.EndGroup();
  c.BeginGroup("x-axis");
  for (const TimeTick& t : f.x_ticks.ticks) {
    double x = std::round(L.X(t.t_ms)) + 0.5;
    c.MoveTo(x, L.plot_top);
    c.LineTo(x, L.plot_bottom);
    c.Stroke(th.grid, 1);
    double half = m.Width(t.label, kTickSize) / 2;
    double lx = std::clamp(x, half + 2, w - half - 2);
    c.Text(lx, L.plot_bottom + 15, t.label, kTickSize, th.muted, Align::kCenter);
  }
  c.Text((L.plot_left + L.plot_right) / 2, L.plot_bottom + 29,
         FormatTimeRange(p.start_ms, p.end_ms, o.utc), kCaptionSize, th.muted, Align::kCenter);
  c.EndGroup();

  // The axes.
  c.MoveTo(L.plot_left + 0.5, L.plot_top);
  c.LineTo(L.plot_left + 0.5, L.plot_bottom + 0.5);
  c.LineTo(L.plot_right, L.plot_bottom + 0.5);
  c.Stroke(th.axis, 1);

  // The series, clipped to the plot area.
  // A line on the top or bottom edge of the range stays whole.
  const double edge = std::ceil(o.line_width);
  c.PushClip(L.plot_left + 1, L.plot_top - edge, L.plot_right - L.plot_left - 1,
             L.plot_bottom - L.plot_top + 2 * edge);
  const size_t n = p.draw.size();
  auto color_of = [&](size_t i) { return p.colors[i % p.colors.size()]; };
  if (o.stacked && n > 1) {
    double base = std::round(L.Y(std::clamp(0.0, L.y_min, L.y_max)));
    for (size_t i = n; i-- > 0;) {  // the top band first; each lower one paints over its foot
      DrawSeries(c, *p.draw[i], L, p.gap_ms[i], Mix(color_of(i), th.background, 0.35), 0, base);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    c.BeginGroup("series");
    DrawSeries(c, *p.draw[i], L, p.gap_ms[i], color_of(i), o.line_width, std::nullopt);
    c.EndGroup();
  }
  c.PopClip();
  if (!p.has_data) {
    c.Text((L.plot_left + L.plot_right) / 2, (L.plot_top + L.plot_bottom) / 2, "No data", 14,
           th.muted, Align::kCenter);
  }

  // The legend: a header, one row per series (colour, labels, last/min/max/avg).
  if (L.legend_rows == 0) return;
  c.BeginGroup("legend");
  std::vector<std::array<std::string, 4>> cells(L.legend_rows);
  static constexpr std::array<const char*, 4> kHeads = {"last", "min", "max", "avg"};
  std::array<double, 4> col_w{};
  for (size_t k = 0; k < 4; ++k) col_w[k] = m.Width(kHeads[k], kLegendSize, true);
  for (int i = 0; i < L.legend_rows; ++i) {
    const SeriesStats& s = p.stats[i];
    cells[i] = {FormatValue(s.last, o.unit), FormatValue(s.min, o.unit),
                FormatValue(s.max, o.unit), FormatValue(s.avg, o.unit)};
    for (size_t k = 0; k < 4; ++k) col_w[k] = std::max(col_w[k], m.Width(cells[i][k], kLegendSize));
  }
  double stats_w = 0;
  for (double cw : col_w) stats_w += cw + 14;
  bool show_stats = w - 2 * kPad - stats_w > 160;
  double right = w - kPad;
  std::array<double, 4> col_right{};
  for (size_t k = 4; k-- > 0;) {
    col_right[k] = right;
    right -= col_w[k] + 14;
  }
  double label_x = kPad + 18;
  double label_max = (show_stats ? right : w - kPad) - label_x - 8;
  double y = f.legend_top + kLegendRow - 4;
  c.Text(label_x, y, "series", kLegendSize, th.muted, Align::kLeft, true);
  if (show_stats) {
    for (size_t k = 0; k < 4; ++k) {
      c.Text(col_right[k], y, kHeads[k], kLegendSize, th.muted, Align::kRight, true);
    }
  }
  for (int i = 0; i < L.legend_rows; ++i) {
    y += kLegendRow;
    c.BeginGroup("legend-entry");
    c.FillRect(kPad + 2, y - 9, 10, 10, color_of(i));
    c.Text(label_x, y, Fit(m, LegendLabel(*p.original[i], o), kLegendSize, label_max),
           kLegendSize, th.text);
    if (show_stats) {
      for (size_t k = 0; k < 4; ++k) {
        c.Text(col_right[k], y, cells[i][k], kLegendSize, th.text, Align::kRight);
      }
    }
    c.EndGroup();
  }
  if (L.hidden_series > 0) {
    y += kLegendRow;
    c.Text(label_x, y, "… and " + std::to_string(L.hidden_series) + " more series", kLegendSize,
           th.muted);
  }
  c.EndGroup();
}

}  // namespace

Result<Format> ParseFormat(std::string_view name) {
  if (name == "png") return Format::kPng;
  if (name == "svg") return Format::kSvg;
  if (name == "pdf") return Format::kPdf;
  return Status::InvalidArgument("unknown image format \"" + std::string(name) +
                                 "\": use png, svg or pdf");
}

std::string DefaultOutputName(std::string_view query, Format format) {
  std::string name;
  for (char c : query) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (word) {
      name += c;
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
    if (name.size() >= 80) break;
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  const char* ext = format == Format::kSvg ? ".svg" : format == Format::kPdf ? ".pdf" : ".png";
  return (name.empty() ? "plot" : name) + ext;
}

Result<Format> FormatFromPath(std::string_view path) {
  size_t dot = path.rfind('.');
  size_t slash = path.find_last_of('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return Status::InvalidArgument("cannot tell the image format of \"" + std::string(path) +
                                   "\": name it .png, .svg or .pdf");
  }
  std::string ext(path.substr(dot + 1));
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto f = ParseFormat(ext);
  if (!f.ok()) {
    return Status::InvalidArgument("unknown image extension \"." + ext + "\" in \"" +
                                   std::string(path) + "\": use .png, .svg or .pdf");
  }
  return f;
}

Result<Theme> ParseTheme(std::string_view name) {
  if (name == "light" || name.empty()) return Theme::kLight;
  if (name == "dark") return Theme::kDark;
  return Status::InvalidArgument("unknown theme \"" + std::string(name) + "\": use light or dark");
}

std::string_view ContentType(Format format) {
  switch (format) {
    case Format::kPng: return "image/png";
    case Format::kSvg: return "image/svg+xml";
    case Format::kPdf: return "application/pdf";
  }
  return "application/octet-stream";
}

const std::vector<std::string>& DefaultPalette(Theme theme) {
  static const std::vector<std::string> kLight = {"#2b6cb0", "#dd6b20", "#2f855a", "#c53030",
                                                  "#6b46c1", "#b7791f", "#2c7a7b", "#d53f8c",
                                                  "#4a5568", "#718096"};
  static const std::vector<std::string> kDark = {"#63b3ed", "#f6ad55", "#68d391", "#fc8181",
                                                 "#b794f4", "#f6e05e", "#4fd1c5", "#f687b3",
                                                 "#cbd5e0", "#a0aec0"};
  return theme == Theme::kDark ? kDark : kLight;
}

Result<ChartLayout> ComputeChartLayout(const QueryResult& result, const ChartOptions& options) {
  MM_ASSIGN_OR_RETURN(Prepared p, Prepare(result, options));
  TextMeasurer m;
  return Layout(p, options, m).layout;
}

Result<std::string> RenderChart(const QueryResult& result, const ChartOptions& options) {
  MM_ASSIGN_OR_RETURN(Prepared p, Prepare(result, options));
  TextMeasurer m;
  FullLayout f = Layout(p, options, m);
  CanvasKind kind = options.format == Format::kSvg   ? CanvasKind::kSvg
                    : options.format == Format::kPdf ? CanvasKind::kPdf
                                                     : CanvasKind::kPng;
  std::unique_ptr<Canvas> canvas = NewCanvas(kind, options.width, options.height,
                                             p.theme.background);
  DrawChart(*canvas, p, f, options, m);
  return canvas->Finish();
}

}  // namespace mm::viz
