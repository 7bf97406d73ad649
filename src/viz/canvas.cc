#include "viz/canvas.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <vector>

#include <fmt/format.h>

namespace mm::viz {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void SelectFont(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

void PutU32(std::string& out, uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

void PutChunk(std::string& out, const char* type, std::string_view data) {
  PutU32(out, static_cast<uint32_t>(data.size()));
  size_t crc_from = out.size();
  out.append(type, 4);
  out.append(data);
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(out.data() + crc_from),
                    static_cast<uInt>(out.size() - crc_from));
  PutU32(out, static_cast<uint32_t>(crc));
}

// An RGB24 Cairo surface as a PNG (RFC 2083): 8-bit RGB, the "Up" filter on every row (chart
// rows repeat: background, grid), deflate at level 1. Cairo's writer (libpng defaults) spent
// ~20 ms per 1000×500 chart in zlib; this is several times faster for a slightly larger file.
Result<std::string> EncodePng(const unsigned char* data, int stride, int width, int height) {
  std::string raw;
  raw.resize(static_cast<size_t>(height) * (1 + 3 * static_cast<size_t>(width)));
  char* o = raw.data();
  for (int y = 0; y < height; ++y) {
    const uint32_t* row = reinterpret_cast<const uint32_t*>(data + static_cast<size_t>(y) * stride);
    const uint32_t* up = y > 0 ? reinterpret_cast<const uint32_t*>(data + (y - 1) * stride) : nullptr;
    *o++ = y > 0 ? 2 : 0;  // Up, or None for the first row
    for (int x = 0; x < width; ++x) {
      uint32_t p = row[x];
      uint32_t q = up ? up[x] : 0;
      *o++ = static_cast<char>(((p >> 16) - (q >> 16)) & 0xff);
      *o++ = static_cast<char>(((p >> 8) - (q >> 8)) & 0xff);
      *o++ = static_cast<char>((p - q) & 0xff);
    }
  }
  z_stream z{};
  if (deflateInit(&z, 1) != Z_OK) return Status::Internal("deflateInit failed");
  std::string idat;
  idat.resize(deflateBound(&z, static_cast<uLong>(raw.size())));
  z.next_in = reinterpret_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(idat.data());
  z.avail_out = static_cast<uInt>(idat.size());
  int rc = deflate(&z, Z_FINISH);
  idat.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Internal("PNG compression failed");

  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  PutU32(ihdr, static_cast<uint32_t>(width));
  PutU32(ihdr, static_cast<uint32_t>(height));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // depth 8, RGB, deflate, filters, no interlace
  PutChunk(out, "IHDR", ihdr);
  PutChunk(out, "IDAT", idat);
  PutChunk(out, "IEND", {});
  return out;
}

// Antialiased thick polylines straight into an RGB24 buffer, for PNG. Cairo's general stroker
// tessellates every join of a long zig-zag (50 dense series took ~400 ms); a distance-to-segment
// coverage per pixel costs a few flops per touched pixel. Each stroke collects coverage as the
// maximum over its segments in an A8 buffer (so joins do not blend twice), then composites it
// once in the stroke's colour over the touched column ranges only.
class LineRaster {
 public:
  LineRaster(int width, int height)
      : width_(width), height_(height), cov_(static_cast<size_t>(width) * height, 0),
        lo_(width, height), hi_(width, -1) {}

  // REQUIRES: clip within the image.
  void Segment(double ax, double ay, double bx, double by, double half_width, int clip_x0,
               int clip_y0, int clip_x1, int clip_y1) {
    const double reach = half_width + 1;
    int y0 = std::max(clip_y0, static_cast<int>(std::floor(std::min(ay, by) - reach)));
    int y1 = std::min(clip_y1 - 1, static_cast<int>(std::ceil(std::max(ay, by) + reach)));
    int bx0 = std::max(clip_x0, static_cast<int>(std::floor(std::min(ax, bx) - reach)));
    int bx1 = std::min(clip_x1 - 1, static_cast<int>(std::ceil(std::max(ax, bx) + reach)));
    if (y0 > y1 || bx0 > bx1) return;
    const double dx = bx - ax;
    const double dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    const double inv = len2 > 0 ? 1 / len2 : 0;
    // Per row, only the x span where a thick line can be: |dy| small → the whole box.
    const bool steep = std::fabs(dy) > 1e-6;
    const double span = steep ? reach * std::sqrt(len2) / std::fabs(dy) : 0;
    const double outer = half_width + 0.5;  // beyond: no coverage
    const double inner = half_width - 0.5;  // within: full coverage
    const double outer2 = outer * outer;
    const double inner2 = inner > 0 ? inner * inner : -1;
    // Vertical segments (a dense column's min..max): between the end caps the coverage depends
    // on the column only, so each column is one value filled down its rows.
    int skip_from = y1 + 1, skip_to = y1;  // rows done here, left out of the general loop
    if (dx == 0 && steep) {
      const double top = std::min(ay, by);
      const double bottom = std::max(ay, by);
      const int r0 = std::max(y0, static_cast<int>(std::ceil(top - 0.5)));
      const int r1 = std::min(y1, static_cast<int>(std::floor(bottom - 0.5)));
      if (r0 <= r1) {
        for (int x = bx0; x <= bx1; ++x) {
          const double d = std::fabs(x + 0.5 - ax);
          if (d >= outer) continue;
          const uint8_t v = d <= inner ? 255 : static_cast<uint8_t>((outer - d) * 255);
          uint8_t* p = cov_.data() + static_cast<size_t>(r0) * width_ + x;
          for (int y = r0; y <= r1; ++y, p += width_) {
            if (v > *p) *p = v;
          }
          lo_[x] = std::min(lo_[x], r0);
          hi_[x] = std::max(hi_[x], r1);
        }
        skip_from = r0;
        skip_to = r1;
      }
    }
    for (int y = y0; y <= y1; ++y) {
      if (y == skip_from) {
        y = skip_to;
        continue;
      }
      const double py = y + 0.5;
      int x0 = bx0, x1 = bx1;
      if (steep) {
        double xc = ax + (py - ay) * dx / dy;
        x0 = std::max(bx0, static_cast<int>(std::floor(xc - span)));
        x1 = std::min(bx1, static_cast<int>(std::ceil(xc + span)));
      }
      uint8_t* row = cov_.data() + static_cast<size_t>(y) * width_;
      for (int x = x0; x <= x1; ++x) {
        const double px = x + 0.5;
        double t = ((px - ax) * dx + (py - ay) * dy) * inv;
        t = std::clamp(t, 0.0, 1.0);
        const double ex = px - (ax + t * dx);
        const double ey = py - (ay + t * dy);
        const double d2 = ex * ex + ey * ey;
        if (d2 >= outer2) continue;
        const uint8_t v =
            d2 <= inner2 ? 255 : static_cast<uint8_t>((outer - std::sqrt(d2)) * 255);
        if (v > row[x]) row[x] = v;
        lo_[x] = std::min(lo_[x], y);
        hi_[x] = std::max(hi_[x], y);
      }
    }
  }

  // Blends the collected coverage in `color` into `data` (RGB24, `stride` bytes a row) and
  // clears it.
  void Composite(unsigned char* data, int stride, Rgba color) {
    const double a = std::clamp(color.a, 0.0, 1.0);
    const int r = static_cast<int>(std::lround(color.r * 255));
    const int g = static_cast<int>(std::lround(color.g * 255));
    const int b = static_cast<int>(std::lround(color.b * 255));
    for (int x = 0; x < width_; ++x) {
      if (hi_[x] < lo_[x]) continue;
      for (int y = lo_[x]; y <= hi_[x]; ++y) {
        uint8_t& cv = cov_[static_cast<size_t>(y) * width_ + x];
        if (cv == 0) continue;
        const int k = static_cast<int>(cv * a + 0.5);  // 0..255
        cv = 0;
        uint32_t* px = reinterpret_cast<uint32_t*>(data + static_cast<size_t>(y) * stride) + x;
        const uint32_t p = *px;
        const int pr = (p >> 16) & 0xff, pg = (p >> 8) & 0xff, pb = p & 0xff;
        const int nr = pr + ((r - pr) * k + 127) / 255;
        const int ng = pg + ((g - pg) * k + 127) / 255;
        const int nb = pb + ((b - pb) * k + 127) / 255;
        *px = 0xff000000u | (static_cast<uint32_t>(nr) << 16) | (static_cast<uint32_t>(ng) << 8) |
              static_cast<uint32_t>(nb);
      }
      lo_[x] = height_;
      hi_[x] = -1;
    }
  }

 private:
  int width_, height_;
  std::vector<uint8_t> cov_;
  std::vector<int> lo_, hi_;  // touched rows per column
};

class CairoCanvas final : public Canvas {
 public:
  CairoCanvas(CanvasKind kind, int width, int height, Rgba background)
      : kind_(kind), width_(width), height_(height) {
    clips_.push_back({0, 0, width, height});
    if (kind == CanvasKind::kPdf) {
      surface_ = cairo_pdf_surface_create_for_stream(AppendToString, &out_, width, height);
    } else {
      surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    }
    cr_ = cairo_create(surface_);
    cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr_, CAIRO_LINE_CAP_ROUND);
    FillRect(0, 0, width, height, background);
  }
  ~CairoCanvas() override {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }

  // The path is kept here and handed to Cairo (fills, PDF, dashes) or to LineRaster (PNG
  // strokes) when it is drawn.
  void MoveTo(double x, double y) override {
    starts_.push_back(points_.size());
    points_.push_back({x, y});
  }
  void LineTo(double x, double y) override {
    if (points_.empty()) starts_.push_back(0);
    points_.push_back({x, y});
  }
  void ClosePath() override {
    if (starts_.empty()) return;
    closed_.push_back(starts_.size() - 1);
  }
  void Stroke(Rgba c, double width, bool dashed) override {
    if (kind_ == CanvasKind::kPng && !dashed) {
      RasterStroke(c, width);
      return;
    }
    ReplayPath();
    SetColor(c);
    cairo_set_line_width(cr_, width);
    if (dashed) {
      const double dash[] = {3, 3};
      cairo_set_dash(cr_, dash, 2, 0);
    }
    cairo_stroke(cr_);
    if (dashed) cairo_set_dash(cr_, nullptr, 0, 0);
  }
  void Fill(Rgba c) override {
    ReplayPath();
    SetColor(c);
    cairo_fill(cr_);
  }
  void FillRect(double x, double y, double w, double h, Rgba c) override {
    cairo_rectangle(cr_, x, y, w, h);
    SetColor(c);
    cairo_fill(cr_);
  }
  void Text(double x, double y, std::string_view text, double size, Rgba c, Align align,
            bool bold) override {
    std::string s(text);
    SelectFont(cr_, size, bold);
    if (align != Align::kLeft) {
      cairo_text_extents_t e;
      cairo_text_extents(cr_, s.c_str(), &e);
      x -= align == Align::kCenter ? e.x_advance / 2 : e.x_advance;
    }
    SetColor(c);
    cairo_move_to(cr_, x, y);
    cairo_show_text(cr_, s.c_str());
    cairo_new_path(cr_);
  }
  void PushClip(double x, double y, double w, double h) override {
    cairo_save(cr_);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_clip(cr_);
    const ClipRect& top = clips_.back();
    clips_.push_back({std::max(top.x0, static_cast<int>(std::floor(x))),
                      std::max(top.y0, static_cast<int>(std::floor(y))),
                      std::min(top.x1, static_cast<int>(std::ceil(x + w))),
                      std::min(top.y1, static_cast<int>(std::ceil(y + h)))});
  }
  void PopClip() override {
    cairo_restore(cr_);
    if (clips_.size() > 1) clips_.pop_back();
  }

  Result<std::string> Finish() override {
    cairo_surface_flush(surface_);
    if (kind_ == CanvasKind::kPdf) {
      cairo_surface_finish(surface_);
    } else {
      MM_ASSIGN_OR_RETURN(out_, EncodePng(cairo_image_surface_get_data(surface_),
                                          cairo_image_surface_get_stride(surface_), width_,
                                          height_));
    }
    cairo_status_t st = cairo_surface_status(surface_);
    if (st != CAIRO_STATUS_SUCCESS) {
      return Status::Internal(std::string("rendering failed: ") + cairo_status_to_string(st));
    }
    return std::move(out_);
  }

 private:
  void SetColor(Rgba c) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a); }

  void ReplayPath() {
    size_t next_close = 0;
    for (size_t k = 0; k < starts_.size(); ++k) {
      size_t end = k + 1 < starts_.size() ? starts_[k + 1] : points_.size();
      cairo_move_to(cr_, points_[starts_[k]].x, points_[starts_[k]].y);
      for (size_t i = starts_[k] + 1; i < end; ++i) cairo_line_to(cr_, points_[i].x, points_[i].y);
      if (next_close < closed_.size() && closed_[next_close] == k) {
        cairo_close_path(cr_);
        ++next_close;
      }
    }
    ClearPath();
  }

  void RasterStroke(Rgba c, double width) {
    if (!raster_) raster_ = std::make_unique<LineRaster>(width_, height_);
    const ClipRect& clip = clips_.back();
    const double hw = width / 2;
    for (size_t k = 0; k < starts_.size(); ++k) {
      size_t begin = starts_[k];
      size_t end = k + 1 < starts_.size() ? starts_[k + 1] : points_.size();
      if (end - begin == 1) {  // a lone point: a round dot
        raster_->Segment(points_[begin].x, points_[begin].y, points_[begin].x, points_[begin].y,
                         hw, clip.x0, clip.y0, clip.x1, clip.y1);
      }
      for (size_t i = begin + 1; i < end; ++i) {
        raster_->Segment(points_[i - 1].x, points_[i - 1].y, points_[i].x, points_[i].y, hw,
                         clip.x0, clip.y0, clip.x1, clip.y1);
      }
    }
    ClearPath();
    cairo_surface_flush(surface_);
    raster_->Composite(cairo_image_surface_get_data(surface_),
                       cairo_image_surface_get_stride(surface_), c);
    cairo_surface_mark_dirty(surface_);
  }

  void ClearPath() {
    points_.clear();
    starts_.clear();
    closed_.clear();
  }

  struct Pt {
    double x, y;
  };
  struct ClipRect {
    int x0, y0, x1, y1;
  };

  CanvasKind kind_;
  int width_, height_;
  std::vector<Pt> points_;
  std::vector<size_t> starts_;  // subpath beginnings in points_
  std::vector<size_t> closed_;  // closed subpaths (indexes into starts_), ascending
  std::vector<ClipRect> clips_;
  std::unique_ptr<LineRaster> raster_;
  std::string out_;  // PDF bytes stream in while drawing; PNG bytes at Finish()
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

std::string Hex(Rgba c) {
  auto b = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
  return fmt::format("#{:02x}{:02x}{:02x}", b(c.r), b(c.g), b(c.b));
}

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

class SvgCanvas final : public Canvas {
 public:
  SvgCanvas(int width, int height, Rgba background) {
    fmt::format_to(std::back_inserter(out_),
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
                   "viewBox=\"0 0 {0} {1}\" font-family=\"{2}, Verdana, sans-serif\">\n",
                   width, height, kFontFamily);
    FillRect(0, 0, width, height, background);
  }

  void MoveTo(double x, double y) override {
    fmt::format_to(std::back_inserter(path_), "M{:.1f} {:.1f}", x, y);
  }
  void LineTo(double x, double y) override {
    fmt::format_to(std::back_inserter(path_), "L{:.1f} {:.1f}", x, y);
  }
  void ClosePath() override { path_ += 'Z'; }
  void Stroke(Rgba c, double width, bool dashed) override {
    fmt::format_to(std::back_inserter(out_),
                   "<path d=\"{}\" fill=\"none\" stroke=\"{}\"{} stroke-width=\"{:g}\" "
                   "stroke-linejoin=\"round\" stroke-linecap=\"round\"{}/>\n",
                   path_, Hex(c), Opacity("stroke-opacity", c), width,
                   dashed ? " stroke-dasharray=\"3 3\"" : "");
    path_.clear();
  }
  void Fill(Rgba c) override {
    fmt::format_to(std::back_inserter(out_), "<path d=\"{}\" fill=\"{}\"{}/>\n", path_, Hex(c),
                   Opacity("fill-opacity", c));
    path_.clear();
  }
  void FillRect(double x, double y, double w, double h, Rgba c) override {
    fmt::format_to(std::back_inserter(out_),
                   "<rect x=\"{:g}\" y=\"{:g}\" width=\"{:g}\" height=\"{:g}\" fill=\"{}\"{}/>\n",
                   x, y, w, h, Hex(c), Opacity("fill-opacity", c));
  }
  void Text(double x, double y, std::string_view text, double size, Rgba c, Align align,
            bool bold) override {
    const char* anchor = align == Align::kLeft ? "start" : align == Align::kCenter ? "middle"
                                                                                    : "end";
    fmt::format_to(std::back_inserter(out_),
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:g}\" text-anchor=\"{}\" "
                   "fill=\"{}\"{}>",
                   x, y, size, anchor, Hex(c), bold ? " font-weight=\"bold\"" : "");
    AppendEscaped(out_, text);
    out_ += "</text>\n";
  }
  void PushClip(double x, double y, double w, double h) override {
    int id = ++clips_;
    fmt::format_to(std::back_inserter(out_),
                   "<clipPath id=\"clip{}\"><rect x=\"{:g}\" y=\"{:g}\" width=\"{:g}\" "
                   "height=\"{:g}\"/></clipPath>\n<g clip-path=\"url(#clip{})\">\n",
                   id, x, y, w, h, id);
  }
  void PopClip() override { out_ += "</g>\n"; }
  void BeginGroup(std::string_view css_class) override {
    out_ += "<g class=\"";
    AppendEscaped(out_, css_class);
    out_ += "\">\n";
  }
  void EndGroup() override { out_ += "</g>\n"; }

  Result<std::string> Finish() override {
    out_ += "</svg>\n";
    return std::move(out_);
  }

 private:
  static std::string Opacity(const char* attr, Rgba c) {
    if (c.a >= 1) return {};
    return fmt::format(" {}=\"{:.3g}\"", attr, c.a);
  }

  std::string out_;
  std::string path_;
  int clips_ = 0;
};

}  // namespace

Result<Rgba> ParseColor(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("bad colour \"" + std::string(text) +
                                   "\": use #rgb, #rrggbb or #rrggbbaa");
  };
  if (!text.starts_with('#')) return bad();
  std::string_view h = text.substr(1);
  std::vector<int> d;
  for (char c : h) {
    int v = HexDigit(c);
    if (v < 0) return bad();
    d.push_back(v);
  }
  if (d.size() == 3) return Rgba{d[0] / 15.0, d[1] / 15.0, d[2] / 15.0, 1};
  if (d.size() != 6 && d.size() != 8) return bad();
  auto byte = [&](size_t i) { return (d[i] * 16 + d[i + 1]) / 255.0; };
  return Rgba{byte(0), byte(2), byte(4), d.size() == 8 ? byte(6) : 1.0};
}

Rgba Mix(Rgba a, Rgba b, double alpha) {
  return {a.r * alpha + b.r * (1 - alpha), a.g * alpha + b.g * (1 - alpha),
          a.b * alpha + b.b * (1 - alpha), 1};
}

std::unique_ptr<Canvas> NewCanvas(CanvasKind kind, int width, int height, Rgba background) {
  if (kind == CanvasKind::kSvg) return std::make_unique<SvgCanvas>(width, height, background);
  return std::make_unique<CairoCanvas>(kind, width, height, background);
}

struct TextMeasurer::Rep {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t* cr = cairo_create(surface);
  ~Rep() {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
  }
};

TextMeasurer::TextMeasurer() : rep_(std::make_unique<Rep>()) {}
TextMeasurer::~TextMeasurer() = default;

double TextMeasurer::Width(std::string_view text, double size, bool bold) {
  std::string s(text);
  SelectFont(rep_->cr, size, bold);
  cairo_text_extents_t e;
  cairo_text_extents(rep_->cr, s.c_str(), &e);
  return e.x_advance;
}

}  // namespace mm::viz

#if defined(__SANITIZE_ADDRESS__)
// Fontconfig (which Cairo uses to find fonts) keeps process-wide caches it frees only in
// FcFini(), which a library cannot call while other threads may draw. LeakSanitizer would report
// them at exit of every program that rendered text; they are bounded, not leaks of ours.
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
#endif
