#include "pipeline/pipeline.h"

namespace mm::pipeline {

Pipeline::Pipeline(Output output, PipelineOptions options, SelfMetrics* metrics)
    : output_(std::move(output)), options_(options) {
  if (metrics != nullptr) {
    metrics->NewCallbackGauge("mm_pipeline_queued_points", "Points waiting in the pipeline queue.",
                              [this] { return static_cast<double>(queued_points()); });
    dropped_ = metrics->NewCounter("mm_pipeline_rejected_batches_total",
                                   "Batches refused because the pipeline queue was full.");
    failed_ = metrics->NewCounter("mm_pipeline_output_errors_total",
                                  "Batches the output (storage) refused.");
  }
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  worker_ = std::thread([this] { Run(); });
}

void Pipeline::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
  std::lock_guard lock(mu_);
  started_ = false;
}

Status Pipeline::Submit(PointBatch&& batch) {
  if (batch.empty()) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return Status::FailedPrecondition("pipeline is not running");
    if (queued_points_ > 0 && queued_points_ + batch.size() > options_.max_queued_points) {
      if (dropped_ != nullptr) dropped_->Add();
      return Status::ResourceExhausted("pipeline queue is full (" +
                                       std::to_string(queued_points_) + " points queued)");
    }
    queued_points_ += batch.size();
    ++submitted_;
    queue_.push_back(std::move(batch));
  }
  cv_.notify_one();
  return Status::Ok();
}

void Pipeline::Flush() {
  std::unique_lock lock(mu_);
  uint64_t target = submitted_;
  drained_.wait(lock, [&] { return completed_ >= target || !started_; });
}

size_t Pipeline::queued_points() const {
  std::lock_guard lock(mu_);
  return queued_points_;
}

void Pipeline::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stopping_) break;
      continue;
    }
    PointBatch batch = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Status s = output_(batch);
    if (!s.ok() && failed_ != nullptr) failed_->Add();
    lock.lock();
    queued_points_ -= batch.size();
    ++completed_;
    drained_.notify_all();
  }
  drained_.notify_all();
}

}  // namespace mm::pipeline
