// mm::Error: the one exception type the public API throws.
// Public entry points (MetricsManager, plot_metrics) throw it for a misuse a caller can fix
// (unknown source, bad interval, duplicate metric, bad PromQL); the message names the culprit.
// Internally the engine returns Status/Result and converts at this boundary.
#pragma once

#include <stdexcept>
#include <string>

namespace mm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace mm
