#include "sources/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mm {
namespace {

using namespace std::chrono_literals;
constexpr int64_t kMs = 1'000'000;

TEST(SchedulerTick, NextTickAligned) {
  EXPECT_EQ(Scheduler::NextTick(1050 * kMs, 1000 * kMs, true), 2000 * kMs);
  EXPECT_EQ(Scheduler::NextTick(2000 * kMs, 1000 * kMs, true), 3000 * kMs);  // strictly after
  EXPECT_EQ(Scheduler::NextTick(1999 * kMs, 1000 * kMs, true), 2000 * kMs);
  EXPECT_EQ(Scheduler::NextTick(0, 20 * kMs, true), 20 * kMs);
  EXPECT_EQ(Scheduler::NextTick(-5 * kMs, 20 * kMs, true), 0);
  EXPECT_EQ(Scheduler::NextTick(-20 * kMs, 20 * kMs, true), 0);
  // A real epoch time: 2024-01-01T00:00:00.3Z with a 15 s interval → :15.
  EXPECT_EQ(Scheduler::NextTick(1'704'067'200'300 * kMs, 15'000 * kMs, true),
            1'704'067'215'000 * kMs);
}

TEST(SchedulerTick, NextTickUnaligned) {
  EXPECT_EQ(Scheduler::NextTick(1050 * kMs, 1000 * kMs, false), 2050 * kMs);
}

TEST(SchedulerTick, MissedTicks) {
  EXPECT_EQ(Scheduler::MissedTicks(1000, 1000, 1000), 0u);
  EXPECT_EQ(Scheduler::MissedTicks(1000, 1999, 1000), 0u);
  EXPECT_EQ(Scheduler::MissedTicks(1000, 2000, 1000), 1u);
  EXPECT_EQ(Scheduler::MissedTicks(1000, 2999, 1000), 1u);
  EXPECT_EQ(Scheduler::MissedTicks(1000, 3000, 1000), 2u);
}

// Counts calls; optionally sleeps or throws in Collect.
class TestSource : public Source {
 public:
  std::string_view name() const override { return "test"; }
  Status Prime() override {
    primed_before_collect = (collects.load() == 0);
    ++primes;
    return Status::Ok();
  }
  Status Collect(PointBatch& out, int64_t now_ns) override {
    ++collects;
    {
      std::lock_guard lock(mu);
      ticks.push_back(now_ns);
    }
    if (sleep.count() > 0) std::this_thread::sleep_for(sleep);
    if (throw_every > 0 && collects % throw_every == 0) throw std::runtime_error("boom");
    FieldRef f;
    f.key = "value";
    f.f = 1;
    out.Add("test", {}, std::span<const FieldRef>(&f, 1), now_ns);
    if (fail) return Status::Internal("failed");
    return Status::Ok();
  }
  std::atomic<int> collects{0}, primes{0};
  std::atomic<bool> primed_before_collect{false};
  std::chrono::milliseconds sleep{0};
  int throw_every = 0;
  bool fail = false;
  std::mutex mu;
  std::vector<int64_t> ticks;
};

class TestSink : public Sink {
 public:
  Status Write(PointBatch&& b) override {
    points += static_cast<int>(b.size());
    ++writes;
    if (refuse) return Status::ResourceExhausted("full");
    return Status::Ok();
  }
  std::atomic<int> points{0}, writes{0};
  bool refuse = false;
};

TEST(Scheduler, RejectsBadJobs) {
  Scheduler s;
  TestSource src;
  TestSink sink;
  EXPECT_EQ(s.AddJob(&src, 5ms, &sink).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.AddJob(nullptr, 1s, &sink).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.AddJob(&src, 1s, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(s.AddJob(&src, 10ms, &sink).ok());
  EXPECT_EQ(s.job_count(), 1u);
}

TEST(Scheduler, RunsAtIntervalAlignedAndPrimesFirst) {
  Scheduler s;
  TestSource src;
  TestSink sink;
  auto id = s.AddJob(&src, 20ms, &sink);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(s.Start().ok());
  std::this_thread::sleep_for(300ms);
  s.Stop();
  // ~15 ticks in 300 ms; loose bounds for a loaded 2-core machine.
  int n = src.collects.load();
  EXPECT_GE(n, 6);
  EXPECT_LE(n, 16);
  EXPECT_EQ(src.primes.load(), 1);
  EXPECT_TRUE(src.primed_before_collect.load());
  EXPECT_EQ(sink.points.load(), n);
  JobStats st = s.Stats(*id);
  EXPECT_EQ(st.runs, static_cast<uint64_t>(n));
  EXPECT_EQ(st.points, static_cast<uint64_t>(n));
  EXPECT_EQ(st.collect_errors, 0u);
  std::lock_guard lock(src.mu);
  for (size_t i = 0; i < src.ticks.size(); ++i) {
    EXPECT_EQ(src.ticks[i] % (20 * kMs), 0) << "tick " << i << " not on a 20 ms boundary";
    if (i > 0) {
      EXPECT_GE(src.ticks[i] - src.ticks[i - 1], 20 * kMs);
    }
  }
}

TEST(Scheduler, OverrunSkipsTicksInsteadOfPilingUp) {
  Scheduler s;
  TestSource src;
  src.sleep = 50ms;  // each collection spans 2-3 ticks of 20 ms
  TestSink sink;
  auto id = s.AddJob(&src, 20ms, &sink);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(s.Start().ok());
  std::this_thread::sleep_for(400ms);
  s.Stop();
  JobStats st = s.Stats(*id);
  EXPECT_GE(st.runs, 3u);
  EXPECT_LE(st.runs, 8u);  // 400 / 60
  EXPECT_GE(st.skipped_ticks, 2 * st.runs - 2);
  EXPECT_GE(st.max_duration_ns, 50 * kMs);
}

TEST(Scheduler, StopIsPromptAndIdempotentAndRestartable) {
  Scheduler s;
  TestSource src;
  TestSink sink;
  ASSERT_TRUE(s.AddJob(&src, 10s, &sink).ok());
  ASSERT_TRUE(s.Start().ok());
  ASSERT_TRUE(s.Start().ok());
  EXPECT_TRUE(s.running());
  std::this_thread::sleep_for(20ms);
  auto t0 = std::chrono::steady_clock::now();
  s.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 200ms);
  EXPECT_FALSE(s.running());
  s.Stop();
  ASSERT_TRUE(s.Start().ok());
  EXPECT_TRUE(s.running());
  std::this_thread::sleep_for(20ms);
  s.Stop();
  EXPECT_EQ(src.primes.load(), 2);  // primed again on restart
}

TEST(Scheduler, ThrowingAndFailingSourcesAreCountedAndDoNotStopTheThread) {
  Scheduler s;
  TestSource thrower;
  thrower.throw_every = 1;
  TestSource failer;
  failer.fail = true;
  TestSource good;
  TestSink sink;
  auto a = s.AddJob(&thrower, 20ms, &sink);
  auto b = s.AddJob(&failer, 20ms, &sink);
  auto c = s.AddJob(&good, 20ms, &sink);
  ASSERT_TRUE(s.Start().ok());
  std::this_thread::sleep_for(200ms);
  s.Stop();
  JobStats sa = s.Stats(*a), sb = s.Stats(*b), sc = s.Stats(*c);
  EXPECT_GE(sa.runs, 3u);
  EXPECT_EQ(sa.collect_errors, sa.runs);
  EXPECT_NE(sa.last_error.find("boom"), std::string::npos) << sa.last_error;
  EXPECT_EQ(sb.collect_errors, sb.runs);
  EXPECT_EQ(sb.points, sb.runs);  // a failing Collect still delivers what it produced
  EXPECT_GE(sc.runs, 3u);
  EXPECT_EQ(sc.collect_errors, 0u);
}

TEST(Scheduler, SinkRefusalIsCounted) {
  Scheduler s;
  TestSource src;
  TestSink sink;
  sink.refuse = true;
  auto id = s.AddJob(&src, 20ms, &sink);
  ASSERT_TRUE(s.Start().ok());
  std::this_thread::sleep_for(120ms);
  s.Stop();
  JobStats st = s.Stats(*id);
  EXPECT_GE(st.sink_errors, 2u);
  EXPECT_EQ(st.sink_errors, st.runs);
  EXPECT_EQ(st.points, 0u);
  EXPECT_NE(st.last_error.find("full"), std::string::npos);
}

TEST(Scheduler, JobAddedWhileRunningIsCollected) {
  Scheduler s;
  TestSource slow, late;
  TestSink sink;
  ASSERT_TRUE(s.AddJob(&slow, 10s, &sink).ok());
  ASSERT_TRUE(s.Start().ok());
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(s.AddJob(&late, 20ms, &sink).ok());
  std::this_thread::sleep_for(150ms);
  s.Stop();
  EXPECT_EQ(late.primes.load(), 1);
  EXPECT_GE(late.collects.load(), 3);
}

TEST(Scheduler, UnalignedJobsRunEveryIntervalFromStart) {
  Scheduler s;
  TestSource src;
  TestSink sink;
  auto id = s.AddJob(&src, 25ms, &sink, JobOptions{.align = false});
  ASSERT_TRUE(s.Start().ok());
  std::this_thread::sleep_for(260ms);
  s.Stop();
  EXPECT_GE(s.Stats(*id).runs, 5u);
  EXPECT_LE(s.Stats(*id).runs, 11u);
}

}  // namespace
}  // namespace mm
