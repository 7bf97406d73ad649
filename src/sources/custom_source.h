// CustomSource: a pull source whose value comes from a user callback (C++ or, through the Python
// binding, a Python function): one point per tick, measurement = the metric name, field "value"
// (so the series is the metric name), plus fixed labels. Owns the callback and labels.
// A callback that fails (an error Result) or throws is counted and reported as the Collect
// Status; it never escapes into the scheduler. Not thread-safe: Collect from one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "sources/source.h"

namespace mm {

struct CustomSourceStats {
  uint64_t calls = 0;
  uint64_t errors = 0;      // the callback returned an error Result
  uint64_t exceptions = 0;  // the callback threw
};

class CustomSource : public Source {
 public:
  using Callback = std::function<Result<double>()>;
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // REQUIRES: `metric` is a valid metric name and `callback` is set (Create() checks both).
  CustomSource(std::string metric, Callback callback, Labels labels = {});
  // InvalidArgument for an empty callback, a name that is not [a-zA-Z_:][a-zA-Z0-9_:]*, or a
  // label name that is not [a-zA-Z_][a-zA-Z0-9_]* (or starts with "__").
  static Result<std::unique_ptr<CustomSource>> Create(std::string metric, Callback callback,
                                                      Labels labels = {});
  // Adapts a plain `double()` callback (the public MetricOptions::callback).
  static Result<std::unique_ptr<CustomSource>> FromDouble(std::string metric,
                                                          std::function<double()> callback,
                                                          Labels labels = {});

  std::string_view name() const override { return name_; }
  Status Collect(PointBatch& out, int64_t now_ns) override;

  CustomSourceStats stats() const;

 private:
  std::string metric_;
  std::string name_;  // "custom:<metric>"
  Callback callback_;
  Labels labels_;
  std::vector<TagRef> tags_;  // scratch, reused
  std::atomic<uint64_t> calls_{0}, errors_{0}, exceptions_{0};
};

}  // namespace mm
