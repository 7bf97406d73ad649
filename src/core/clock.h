// Clock: the engine's only source of "now", so tests can fix or jump time.
// Clock::Real() is the system clock; FakeClock is set by tests. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace mm {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, nanoseconds since the Unix epoch (UTC).
  virtual int64_t NowNanos() const = 0;
  // Monotonic time in nanoseconds (for intervals and durations).
  virtual int64_t MonotonicNanos() const = 0;
  int64_t NowMillis() const { return NowNanos() / 1'000'000; }

  static Clock* Real();
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t now_ns = 0) : now_(now_ns) {}
  int64_t NowNanos() const override { return now_.load(); }
  int64_t MonotonicNanos() const override { return now_.load(); }
  void Set(int64_t now_ns) { now_.store(now_ns); }
  void Advance(int64_t delta_ns) { now_.fetch_add(delta_ns); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace mm
