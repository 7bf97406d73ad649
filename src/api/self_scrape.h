// SelfScrapeSource: a pull source that turns the daemon's own metrics (SelfMetrics, what
// /metrics shows) into points in the store, so the dashboard can chart ingestion rates, rejects
// and queue depths over time. Counters and gauges become one series each (same name and labels
// as on /metrics); histograms keep only _sum and _count (their buckets would multiply series).
// Borrows the registry. Not thread-safe: Collect from one thread (the scheduler's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/self_metrics.h"
#include "sources/source.h"

namespace mm::api {

class SelfScrapeSource : public Source {
 public:
  explicit SelfScrapeSource(const SelfMetrics& metrics) : metrics_(metrics) {}

  std::string_view name() const override { return "self"; }
  Status Collect(PointBatch& out, int64_t now_ns) override;

 private:
  const SelfMetrics& metrics_;
  std::vector<TagRef> tags_;  // scratch, reused
};

// Appends the samples of Prometheus text exposition `text` (as SelfMetrics::Render writes it)
// to `out` as points at `now_ns`; _bucket series are skipped. Malformed lines are skipped and
// counted in the returned number.
size_t AppendExposition(std::string_view text, int64_t now_ns, PointBatch& out,
                        std::vector<TagRef>& scratch);

}  // namespace mm::api
