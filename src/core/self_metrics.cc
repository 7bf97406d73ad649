#include "core/self_metrics.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace mm {

void Gauge::Add(double d) {
  double cur = v_.load(std::memory_order_relaxed);
  while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

std::vector<uint64_t> Histogram::Counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += counts_[i].load(std::memory_order_relaxed);
    out[i] = acc;
  }
  return out;
}

struct SelfMetrics::Entry {
  enum Kind { kCounter, kGauge, kHistogram, kCallback } kind;
  std::string name, help;
  LabelPairs labels;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> fn;
};

SelfMetrics::SelfMetrics() = default;
SelfMetrics::~SelfMetrics() = default;

Counter* SelfMetrics::NewCounter(const std::string& name, const std::string& help,
                                 LabelPairs labels) {
  auto e = std::make_unique<Entry>();
  e->kind = Entry::kCounter;
  e->name = name, e->help = help, e->labels = std::move(labels);
  e->counter = std::make_unique<Counter>();
  Counter* out = e->counter.get();
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return out;
}

Gauge* SelfMetrics::NewGauge(const std::string& name, const std::string& help, LabelPairs labels) {
  auto e = std::make_unique<Entry>();
  e->kind = Entry::kGauge;
  e->name = name, e->help = help, e->labels = std::move(labels);
  e->gauge = std::make_unique<Gauge>();
  Gauge* out = e->gauge.get();
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return out;
}

Histogram* SelfMetrics::NewHistogram(const std::string& name, const std::string& help,
                                     std::vector<double> bounds, LabelPairs labels) {
  auto e = std::make_unique<Entry>();
  e->kind = Entry::kHistogram;
  e->name = name, e->help = help, e->labels = std::move(labels);
  e->histogram = std::make_unique<Histogram>(std::move(bounds));
  Histogram* out = e->histogram.get();
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
  return out;
}

void SelfMetrics::NewCallbackGauge(const std::string& name, const std::string& help,
                                   std::function<double()> fn, LabelPairs labels) {
  auto e = std::make_unique<Entry>();
  e->kind = Entry::kCallback;
  e->name = name, e->help = help, e->labels = std::move(labels);
  e->fn = std::move(fn);
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(e));
}

std::vector<double> SelfMetrics::LatencyBounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

namespace {
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string FormatLabels(const SelfMetrics::LabelPairs& labels, const std::string& extra_name = "",
                         const std::string& extra_value = "") {
  std::string out;
  auto add = [&](const std::string& k, const std::string& v) {
    out += out.empty() ? "{" : ",";
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_name.empty()) add(extra_name, extra_value);
  if (!out.empty()) out += '}';
  return out;
}
}  // namespace

std::string SelfMetrics::Render() const {
  std::lock_guard lock(mu_);
  // Group by family name, keeping the first registration's help/type.
  std::map<std::string, std::vector<const Entry*>> families;
  for (const auto& e : entries_) families[e->name].push_back(e.get());
  std::string out;
  for (const auto& [name, entries] : families) {
    const Entry* first = entries.front();
    const char* type = first->kind == Entry::kCounter     ? "counter"
                       : first->kind == Entry::kHistogram ? "histogram"
                                                          : "gauge";
    out += "# HELP " + name + " " + first->help + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (const Entry* e : entries) {
      switch (e->kind) {
        case Entry::kCounter:
          out += name + FormatLabels(e->labels) + " " + std::to_string(e->counter->Value()) + "\n";
          break;
        case Entry::kGauge:
          out += name + FormatLabels(e->labels) + " " + FormatValue(e->gauge->Value()) + "\n";
          break;
        case Entry::kCallback:
          out += name + FormatLabels(e->labels) + " " + FormatValue(e->fn()) + "\n";
          break;
        case Entry::kHistogram: {
          auto counts = e->histogram->Counts();
          const auto& b = e->histogram->bounds();
          for (size_t i = 0; i < b.size(); ++i) {
            out += name + "_bucket" + FormatLabels(e->labels, "le", FormatValue(b[i])) + " " +
                   std::to_string(counts[i]) + "\n";
          }
          out += name + "_bucket" + FormatLabels(e->labels, "le", "+Inf") + " " +
                 std::to_string(counts.back()) + "\n";
          out += name + "_sum" + FormatLabels(e->labels) + " " + FormatValue(e->histogram->Sum()) +
                 "\n";
          out += name + "_count" + FormatLabels(e->labels) + " " + std::to_string(counts.back()) +
                 "\n";
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace mm
