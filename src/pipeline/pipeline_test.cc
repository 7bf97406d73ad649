#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace mm::pipeline {
namespace {

PointBatch OnePoint(int64_t t) {
  PointBatch b;
  FieldRef f;
  f.key = b.Intern("value");
  f.f = static_cast<double>(t);
  b.Add(b.Intern("m"), {}, {&f, 1}, t);
  return b;
}

TEST(PipelineTest, DeliversInOrderAndDrainsOnStop) {
  std::vector<int64_t> seen;
  Pipeline p([&](const PointBatch& b) {
    seen.push_back(b.points()[0].timestamp_ns);
    return Status::Ok();
  }, {}, nullptr);
  p.Start();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(p.Submit(OnePoint(i)).ok());
  p.Stop();
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_EQ(p.Submit(OnePoint(1)).code(), StatusCode::kFailedPrecondition);
}

TEST(PipelineTest, FullQueuePushesBack) {
  std::atomic<bool> release{false};
  SelfMetrics metrics;
  Pipeline p([&](const PointBatch&) {
    while (!release.load()) std::this_thread::yield();
    return Status::Ok();
  }, {.max_queued_points = 2}, &metrics);
  p.Start();
  ASSERT_TRUE(p.Submit(OnePoint(1)).ok());
  ASSERT_TRUE(p.Submit(OnePoint(2)).ok());
  // The worker holds at most one; the queue holds the rest up to the limit.
  Status s = Status::Ok();
  for (int i = 0; i < 3 && s.ok(); ++i) s = p.Submit(OnePoint(3 + i));
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  release = true;
  p.Flush();
  EXPECT_EQ(p.queued_points(), 0u);
  EXPECT_NE(metrics.Render().find("mm_pipeline_rejected_batches_total 1"), std::string::npos);
}

}  // namespace
}  // namespace mm::pipeline
