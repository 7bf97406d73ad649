#include "viz/canvas.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
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

class CairoCanvas final : public Canvas {
 public:
  CairoCanvas(CanvasKind kind, int width, int height, Rgba background) : kind_(kind) {
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

  void MoveTo(double x, double y) override { cairo_move_to(cr_, x, y); }
  void LineTo(double x, double y) override { cairo_line_to(cr_, x, y); }
  void ClosePath() override { cairo_close_path(cr_); }
  void Stroke(Rgba c, double width, bool dashed) override {
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
    SetColor(c);
    cairo_fill(cr_);
  }
  void FillRect(double x, double y, double w, double h, Rgba c) override {
    cairo_rectangle(cr_, x, y, w, h);
    Fill(c);
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
  }
  void PopClip() override { cairo_restore(cr_); }

  Result<std::string> Finish() override {
    cairo_surface_flush(surface_);
    if (kind_ == CanvasKind::kPdf) {
      cairo_surface_finish(surface_);
    } else {
      cairo_status_t st = cairo_surface_write_to_png_stream(surface_, AppendToString, &out_);
      if (st != CAIRO_STATUS_SUCCESS) {
        return Status::Internal(std::string("PNG encoding failed: ") +
                                cairo_status_to_string(st));
      }
    }
    cairo_status_t st = cairo_surface_status(surface_);
    if (st != CAIRO_STATUS_SUCCESS) {
      return Status::Internal(std::string("rendering failed: ") + cairo_status_to_string(st));
    }
    return std::move(out_);
  }

 private:
  void SetColor(Rgba c) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a); }

  CanvasKind kind_;
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
