// SelfMetrics: the engine's own counters, gauges and latency histograms, rendered at /metrics in
// the Prometheus text exposition format (what `promtool check metrics` accepts).
// Register at start-up (returns stable pointers owned by the registry); update from any thread
// (lock-free atomics). Render is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mm {

class Counter {
 public:
  void Add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// Cumulative histogram with fixed upper bounds (seconds for latencies).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then +Inf; sum.
  std::vector<uint64_t> Counts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

class SelfMetrics {
 public:
  SelfMetrics();
  ~SelfMetrics();
  // Labels are written as they come: `{handler="/write"}` style pairs.
  using LabelPairs = std::vector<std::pair<std::string, std::string>>;

  Counter* NewCounter(const std::string& name, const std::string& help, LabelPairs labels = {});
  Gauge* NewGauge(const std::string& name, const std::string& help, LabelPairs labels = {});
  Histogram* NewHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds, LabelPairs labels = {});
  // A gauge computed at render time (e.g. series count, queue depth).
  void NewCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> fn, LabelPairs labels = {});

  // Prometheus text format 0.0.4, families grouped with one HELP/TYPE each.
  std::string Render() const;

  // Default latency bounds in seconds.
  static std::vector<double> LatencyBounds();

 private:
  struct Entry;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace mm
