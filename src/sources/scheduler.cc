#include "sources/scheduler.h"

#include <exception>
#include <limits>

namespace mm {

struct Scheduler::Job {
  Source* source = nullptr;
  Sink* sink = nullptr;
  int64_t interval_ns = 0;
  JobOptions options;
  bool primed = false;        // Prime() called and first tick scheduled (since the last Start)
  int64_t deadline_mono = 0;  // when the next tick is due, monotonic
  int64_t tick_wall = 0;      // the wall-clock timestamp of the next tick
  JobStats stats;
};

Scheduler::Scheduler(Clock* clock) : clock_(clock) {}

Scheduler::~Scheduler() { Stop(); }

int64_t Scheduler::NextTick(int64_t now_ns, int64_t interval_ns, bool align) {
  MM_DCHECK(interval_ns > 0, "a tick interval is positive");
  if (!align) return now_ns + interval_ns;
  // Floor division so that times before the epoch (FakeClock at 0 or negative) align too.
  int64_t q = now_ns / interval_ns;
  if (now_ns % interval_ns != 0 && now_ns < 0) --q;
  return (q + 1) * interval_ns;
}

uint64_t Scheduler::MissedTicks(int64_t deadline_ns, int64_t done_ns, int64_t interval_ns) {
  if (done_ns < deadline_ns + interval_ns) return 0;
  return static_cast<uint64_t>((done_ns - deadline_ns) / interval_ns);
}

Result<Scheduler::JobId> Scheduler::AddJob(Source* source, std::chrono::nanoseconds interval,
                                           Sink* sink, JobOptions options) {
  if (source == nullptr) return Status::InvalidArgument("AddJob: null source");
  if (sink == nullptr) return Status::InvalidArgument("AddJob: null sink");
  if (interval < kMinInterval) {
    return Status::InvalidArgument("AddJob(" + std::string(source->name()) + "): interval " +
                                   std::to_string(interval.count() / 1'000'000) +
                                   " ms is below the minimum of 10 ms");
  }
  auto job = std::make_unique<Job>();
  job->source = source;
  job->sink = sink;
  job->interval_ns = interval.count();
  job->options = options;
  std::lock_guard lock(mu_);
  jobs_.push_back(std::move(job));
  cv_.notify_all();
  return jobs_.size() - 1;
}

Status Scheduler::Start() {
  std::lock_guard ss(start_stop_mu_);
  {
    std::lock_guard lock(mu_);
    if (running_) return Status::Ok();
    stop_ = false;
    running_ = true;
    for (auto& job : jobs_) job->primed = false;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Scheduler::Stop() {
  std::lock_guard ss(start_stop_mu_);
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stop_ = true;
    cv_.notify_all();
  }
  thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

bool Scheduler::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

size_t Scheduler::job_count() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

JobStats Scheduler::Stats(JobId id) const {
  std::lock_guard lock(mu_);
  MM_CHECK(id < jobs_.size(), "Stats of a job id AddJob did not return");
  return jobs_[id]->stats;
}

void Scheduler::Schedule(Job& job, int64_t wall_ns, int64_t mono_ns) {
  int64_t next = NextTick(wall_ns, job.interval_ns, job.options.align);
  job.tick_wall = next;
  job.deadline_mono = mono_ns + (next - wall_ns);
}

namespace {

// Runs `fn` and turns an exception (a source or sink breaking our no-exception rule) into a
// Status, so the scheduler thread survives it.
template <typename Fn>
Status Guarded(std::string_view what, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string(what) + " threw: " + e.what());
  } catch (...) {
    return Status::Internal(std::string(what) + " threw a non-std exception");
  }
}

}  // namespace

void Scheduler::RunJob(Job& job, std::unique_lock<std::mutex>& lock) {
  const int64_t tick = job.tick_wall;
  const int64_t deadline = job.deadline_mono;
  lock.unlock();

  PointBatch batch;
  const int64_t t0 = clock_->MonotonicNanos();
  Status collect = Guarded("Collect", [&] { return job.source->Collect(batch, tick); });
  const int64_t t1 = clock_->MonotonicNanos();
  const size_t n = batch.size();
  Status write;
  if (n > 0) write = Guarded("Sink::Write", [&] { return job.sink->Write(std::move(batch)); });
  const int64_t wall = clock_->NowNanos();
  const int64_t mono = clock_->MonotonicNanos();

  lock.lock();
  JobStats& s = job.stats;
  ++s.runs;
  s.last_tick_ns = tick;
  s.last_duration_ns = t1 - t0;
  if (s.last_duration_ns > s.max_duration_ns) s.max_duration_ns = s.last_duration_ns;
  if (!collect.ok()) {
    ++s.collect_errors;
    s.last_error = std::string(job.source->name()) + ": " + collect.ToString();
  }
  if (!write.ok()) {
    ++s.sink_errors;
    s.last_error = std::string(job.source->name()) + ": sink: " + write.ToString();
  } else {
    s.points += n;
  }
  uint64_t missed = MissedTicks(deadline, mono, job.interval_ns);
  s.skipped_ticks += missed;
  if (job.options.align) {
    Schedule(job, wall, mono);
  } else {
    job.deadline_mono = deadline + static_cast<int64_t>(missed + 1) * job.interval_ns;
    job.tick_wall = wall + (job.deadline_mono - mono);
  }
}

void Scheduler::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // Prime and schedule jobs that are new since Start (outside the lock: Prime does I/O).
    for (size_t i = 0; i < jobs_.size() && !stop_; ++i) {
      Job& job = *jobs_[i];
      if (job.primed) continue;
      job.primed = true;
      lock.unlock();
      Status p = Guarded("Prime", [&] { return job.source->Prime(); });
      int64_t wall = clock_->NowNanos(), mono = clock_->MonotonicNanos();
      lock.lock();
      if (!p.ok()) {
        ++job.stats.collect_errors;
        job.stats.last_error = std::string(job.source->name()) + ": " + p.ToString();
      }
      Schedule(job, wall, mono);
    }
    if (stop_) break;

    Job* due = nullptr;
    for (auto& job : jobs_) {
      if (!job->primed) {
        due = nullptr;
        break;
      }
      if (due == nullptr || job->deadline_mono < due->deadline_mono) due = job.get();
    }
    if (due == nullptr) {
      if (jobs_.empty()) {
        cv_.wait(lock);  // woken by AddJob or Stop
      }
      continue;  // new unprimed jobs: prime them first
    }
    const int64_t now = clock_->MonotonicNanos();
    if (due->deadline_mono > now) {
      // Woken early by AddJob/Stop (or spuriously): re-evaluate.
      cv_.wait_for(lock, std::chrono::nanoseconds(due->deadline_mono - now));
      continue;
    }
    RunJob(*due, lock);
  }
}

}  // namespace mm
