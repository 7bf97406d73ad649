// Canvas: the few drawing operations a chart needs, with two back ends — Cairo (PNG raster and
// PDF) and a direct SVG writer (real <text> elements, so labels stay searchable, selectable and
// testable, and files stay small). Text is measured with Cairo's toy font API for both, so the
// layout is the same in every format. Internal to src/viz; one canvas per render, not
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mm::viz {

struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;
  friend bool operator==(const Rgba&, const Rgba&) = default;
};

// "#rgb", "#rrggbb" or "#rrggbbaa".
Result<Rgba> ParseColor(std::string_view text);
// `a` blended over `b` by `alpha` of a (both opaque results).
Rgba Mix(Rgba a, Rgba b, double alpha);

enum class Align { kLeft, kCenter, kRight };

class Canvas {
 public:
  virtual ~Canvas() = default;

  // Path building; Stroke()/Fill() draw and clear the path.
  virtual void MoveTo(double x, double y) = 0;
  virtual void LineTo(double x, double y) = 0;
  virtual void ClosePath() = 0;
  virtual void Stroke(Rgba color, double width, bool dashed = false) = 0;
  virtual void Fill(Rgba color) = 0;
  virtual void FillRect(double x, double y, double w, double h, Rgba color) = 0;
  // `y` is the baseline.
  virtual void Text(double x, double y, std::string_view text, double size, Rgba color,
                    Align align = Align::kLeft, bool bold = false) = 0;
  virtual void PushClip(double x, double y, double w, double h) = 0;
  virtual void PopClip() = 0;
  // Structure for the SVG (<g class="...">); no-ops in Cairo.
  virtual void BeginGroup(std::string_view css_class) { (void)css_class; }
  virtual void EndGroup() {}

  // The encoded image (PNG, SVG or PDF bytes). Call once, after drawing.
  virtual Result<std::string> Finish() = 0;
};

enum class CanvasKind { kPng, kSvg, kPdf };

std::unique_ptr<Canvas> NewCanvas(CanvasKind kind, int width, int height, Rgba background);

// Width of `text` in pixels at `size` (DejaVu Sans, the font every back end names).
// Thread-compatible: use one TextMeasurer per thread/render.
class TextMeasurer {
 public:
  TextMeasurer();
  ~TextMeasurer();
  TextMeasurer(const TextMeasurer&) = delete;
  TextMeasurer& operator=(const TextMeasurer&) = delete;
  double Width(std::string_view text, double size, bool bold = false);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

inline constexpr const char* kFontFamily = "DejaVu Sans";

}  // namespace mm::viz
