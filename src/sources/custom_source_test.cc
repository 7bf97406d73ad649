#include "sources/custom_source.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mm {
namespace {

TEST(CustomSource, OnePointWithLabels) {
  int n = 0;
  auto src = CustomSource::Create("queue_depth", [&]() -> Result<double> { return 1.5 * ++n; },
                                  {{"queue", "orders"}, {"app", "shop"}});
  ASSERT_TRUE(src.ok());
  EXPECT_EQ((*src)->name(), "custom:queue_depth");
  PointBatch b;
  ASSERT_TRUE((*src)->Collect(b, 42).ok());
  ASSERT_TRUE((*src)->Collect(b, 43).ok());
  ASSERT_EQ(b.size(), 2u);
  const auto& p = b.points()[1];
  EXPECT_EQ(p.measurement, "queue_depth");
  EXPECT_EQ(p.timestamp_ns, 43);
  auto tags = b.tags(p);
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].key, "app");  // sorted by the batch
  EXPECT_EQ(tags[1].value, "orders");
  auto fields = b.fields(p);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(SeriesName(p.measurement, fields[0].key), "queue_depth");
  EXPECT_EQ(fields[0].f, 3.0);
}

TEST(CustomSource, FromDouble) {
  auto src = CustomSource::FromDouble("temperature", [] { return 21.5; });
  ASSERT_TRUE(src.ok());
  PointBatch b;
  ASSERT_TRUE((*src)->Collect(b, 1).ok());
  EXPECT_EQ(b.fields(b.points()[0])[0].f, 21.5);
}

TEST(CustomSource, ErrorsAndExceptionsAreCountedNotThrown) {
  int n = 0;
  auto src = CustomSource::Create("flaky", [&]() -> Result<double> {
    ++n;
    if (n == 1) throw std::runtime_error("sensor gone");
    if (n == 2) throw 7;
    if (n == 3) return Status::Unavailable("not ready");
    return 1.0;
  });
  ASSERT_TRUE(src.ok());
  PointBatch b;
  Status s1 = (*src)->Collect(b, 1);
  EXPECT_EQ(s1.code(), StatusCode::kInternal);
  EXPECT_NE(s1.message().find("sensor gone"), std::string::npos);
  EXPECT_EQ((*src)->Collect(b, 2).code(), StatusCode::kInternal);
  Status s3 = (*src)->Collect(b, 3);
  EXPECT_EQ(s3.code(), StatusCode::kUnavailable);
  EXPECT_NE(s3.message().find("custom:flaky"), std::string::npos);
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE((*src)->Collect(b, 4).ok());
  EXPECT_EQ(b.size(), 1u);
  CustomSourceStats st = (*src)->stats();
  EXPECT_EQ(st.calls, 4u);
  EXPECT_EQ(st.exceptions, 2u);
  EXPECT_EQ(st.errors, 1u);
}

TEST(CustomSource, ValidatesNames) {
  auto cb = []() -> Result<double> { return 0.0; };
  EXPECT_FALSE(CustomSource::Create("", cb).ok());
  EXPECT_FALSE(CustomSource::Create("9lives", cb).ok());
  EXPECT_FALSE(CustomSource::Create("a-b", cb).ok());
  EXPECT_TRUE(CustomSource::Create("ns:metric_1", cb).ok());
  EXPECT_FALSE(CustomSource::Create("m", nullptr).ok());
  EXPECT_FALSE(CustomSource::Create("m", cb, {{"__name__", "x"}}).ok());
  EXPECT_FALSE(CustomSource::Create("m", cb, {{"a:b", "x"}}).ok());
  EXPECT_FALSE(CustomSource::FromDouble("m", nullptr).ok());
}

TEST(CustomSource, BatchOutlivesTheSource) {
  PointBatch b;
  {
    auto src = CustomSource::FromDouble("short_lived", [] { return 2.0; }, {{"k", "v"}});
    ASSERT_TRUE(src.ok());
    ASSERT_TRUE((*src)->Collect(b, 1).ok());
  }
  EXPECT_EQ(b.points()[0].measurement, "short_lived");
  EXPECT_EQ(b.tags(b.points()[0])[0].value, "v");
}

}  // namespace
}  // namespace mm
