// Scheduler: runs pull jobs (Source → Sink) at their own intervals on one background thread.
// Ticks are aligned to multiples of the interval since the Unix epoch (Telegraf's
// round_interval), so sources with the same interval collect together and timestamps are round.
// A collection that overruns its interval skips the ticks it missed (counted) instead of
// queueing them. Sources and sinks are not owned and must outlive the Scheduler (or Stop()).
// Thread-safe: AddJob/Start/Stop/Stats from any thread. Jobs run one after another, so a slow
// job delays the others that are due (their ticks are then skipped and counted, not piled up).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "sources/source.h"

namespace mm {

struct JobOptions {
  // Tick on multiples of the interval since the epoch; false: every interval from Start().
  bool align = true;
};

struct JobStats {
  uint64_t runs = 0;             // Collect calls (including failed ones)
  uint64_t skipped_ticks = 0;    // ticks missed because a collection (or another job) overran
  uint64_t collect_errors = 0;   // Collect/Prime returned an error or threw
  uint64_t sink_errors = 0;      // Sink::Write refused a batch (the batch is dropped)
  uint64_t points = 0;           // points handed to the sink successfully
  int64_t last_duration_ns = 0;  // of the last Collect
  int64_t max_duration_ns = 0;
  int64_t last_tick_ns = 0;  // wall-clock timestamp given to the last Collect
  std::string last_error;    // of the last failed Collect/Prime/Write, "" if none
};

class Scheduler {
 public:
  using JobId = size_t;
  static constexpr std::chrono::milliseconds kMinInterval{10};

  // `clock` gives wall time (timestamps, alignment) and monotonic time (waiting); not owned.
  // The thread waits on a condition variable in real time, so use a real clock outside unit
  // tests of NextTick.
  explicit Scheduler(Clock* clock = Clock::Real());
  ~Scheduler();  // Stop()s
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a job; it starts on its next tick if the scheduler is running. InvalidArgument for a
  // null source/sink or an interval below kMinInterval.
  Result<JobId> AddJob(Source* source, std::chrono::nanoseconds interval, Sink* sink,
                       JobOptions options = {});

  // Starts the thread. Idempotent (Ok if already running); a stopped scheduler can restart.
  Status Start();
  // Wakes the thread and joins it; returns once the collection in progress (if any) is done.
  // Idempotent.
  void Stop();
  bool running() const;

  size_t job_count() const;
  // REQUIRES: id was returned by AddJob.
  JobStats Stats(JobId id) const;

  // The first tick strictly after `now_ns`: the next multiple of `interval_ns` if `align`,
  // else now_ns + interval_ns. Pure; REQUIRES: interval_ns > 0.
  static int64_t NextTick(int64_t now_ns, int64_t interval_ns, bool align);
  // Ticks missed when a collection due at monotonic `deadline_ns` finished at `done_ns`:
  // every tick in (deadline, done]. Pure.
  static uint64_t MissedTicks(int64_t deadline_ns, int64_t done_ns, int64_t interval_ns);

 private:
  struct Job;
  void Run();
  void Schedule(Job& job, int64_t wall_ns, int64_t mono_ns);
  void RunJob(Job& job, std::unique_lock<std::mutex>& lock);

  Clock* const clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Job>> jobs_;  // guarded by mu_; never shrinks (stable pointers)
  bool stop_ = false;                       // guarded by mu_
  bool running_ = false;                    // guarded by mu_
  std::thread thread_;
  std::mutex start_stop_mu_;  // serializes Start/Stop
};

}  // namespace mm
