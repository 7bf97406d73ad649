// Pipeline: the asynchronous stage between sources and storage. Producers Submit() batches into a
// bounded queue (bounded by points, so memory stays bounded); a worker thread drains it in order
// and hands each batch to the output (the primary store). A full queue refuses with
// ResourceExhausted — the back-pressure signal (HTTP 429 / a counted skip in sources).
// Processors (rename, filters, aggregation, ...) slot in before the output in a later issue.
// Thread-safe: Submit from any thread; Start/Stop from the owner.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "core/point_batch.h"
#include "core/self_metrics.h"
#include "core/status.h"

namespace mm::pipeline {

struct PipelineOptions {
  size_t max_queued_points = 1'000'000;  // back-pressure threshold
};

class Pipeline {
 public:
  // Called on the worker thread, once per batch, in submission order.
  using Output = std::function<Status(const PointBatch&)>;

  // `metrics` may be null; otherwise queue depth and drops are registered there.
  Pipeline(Output output, PipelineOptions options, SelfMetrics* metrics);
  ~Pipeline();  // Stop()
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void Start();
  // Drains everything queued, then joins the worker. Idempotent.
  void Stop();

  // Queues a batch. ResourceExhausted when the queue is full, FailedPrecondition when stopped.
  Status Submit(PointBatch&& batch);
  // Blocks until everything submitted before the call has been written.
  void Flush();

  size_t queued_points() const;

 private:
  void Run();

  Output output_;
  PipelineOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;        // work available or stopping
  std::condition_variable drained_;   // a batch finished
  std::deque<PointBatch> queue_;
  size_t queued_points_ = 0;
  uint64_t submitted_ = 0, completed_ = 0;
  bool started_ = false, stopping_ = false;
  std::thread worker_;
  Counter* dropped_ = nullptr;
  Counter* failed_ = nullptr;
};

}  // namespace mm::pipeline
