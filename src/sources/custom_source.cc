#include "sources/custom_source.h"

#include <exception>

namespace mm {

namespace {

bool IsMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  if (s.empty() || s.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

CustomSource::CustomSource(std::string metric, Callback callback, Labels labels)
    : metric_(std::move(metric)),
      name_("custom:" + metric_),
      callback_(std::move(callback)),
      labels_(std::move(labels)) {
  MM_DCHECK(static_cast<bool>(callback_), "CustomSource needs a callback");
}

Result<std::unique_ptr<CustomSource>> CustomSource::Create(std::string metric, Callback callback,
                                                           Labels labels) {
  if (!IsMetricName(metric)) {
    return Status::InvalidArgument("custom metric name '" + metric +
                                   "' is not [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  if (!callback) return Status::InvalidArgument("custom metric '" + metric + "' has no callback");
  for (const auto& [k, v] : labels) {
    if (!IsLabelName(k)) {
      return Status::InvalidArgument("custom metric '" + metric + "': label name '" + k +
                                     "' is not [a-zA-Z_][a-zA-Z0-9_]* or starts with __");
    }
  }
  return std::make_unique<CustomSource>(std::move(metric), std::move(callback), std::move(labels));
}

Result<std::unique_ptr<CustomSource>> CustomSource::FromDouble(std::string metric,
                                                               std::function<double()> callback,
                                                               Labels labels) {
  if (!callback) return Status::InvalidArgument("custom metric '" + metric + "' has no callback");
  return Create(
      std::move(metric), [fn = std::move(callback)]() -> Result<double> { return fn(); },
      std::move(labels));
}

Status CustomSource::Collect(PointBatch& out, int64_t now_ns) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  double value;
  try {
    Result<double> r = callback_();
    if (!r.ok()) {
      errors_.fetch_add(1, std::memory_order_relaxed);
      return Status(r.status().code(), name_ + ": " + r.status().message());
    }
    value = *r;
  } catch (const std::exception& e) {
    exceptions_.fetch_add(1, std::memory_order_relaxed);
    return Status::Internal(name_ + ": callback threw: " + e.what());
  } catch (...) {
    exceptions_.fetch_add(1, std::memory_order_relaxed);
    return Status::Internal(name_ + ": callback threw a non-std exception");
  }
  tags_.clear();
  for (const auto& [k, v] : labels_) tags_.push_back({out.Intern(k), out.Intern(v)});
  FieldRef f;
  f.key = "value";
  f.type = FieldType::kFloat;
  f.f = value;
  out.Add(out.Intern(metric_), tags_, std::span<const FieldRef>(&f, 1), now_ns);
  return Status::Ok();
}

CustomSourceStats CustomSource::stats() const {
  CustomSourceStats s;
  s.calls = calls_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.exceptions = exceptions_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace mm
