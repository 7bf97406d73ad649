#include "ingest/line_protocol.h"

#include <gtest/gtest.h>

#include <limits>

#include "ingest/line_protocol_testing.h"

namespace mm::ingest {
namespace {

ParseResult Parse(std::string body, Precision p = Precision::kNanoseconds, int64_t now = 7) {
  return ParseLineProtocol(std::make_shared<const std::string>(std::move(body)), p, now);
}

bool Inside(std::string_view v, const std::string& buf) {
  return v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size();
}

TEST(ParsePrecisionTest, AcceptsEverySpelling) {
  struct {
    const char* s;
    Precision p;
  } cases[] = {{"", Precision::kNanoseconds},    {"ns", Precision::kNanoseconds},
               {"n", Precision::kNanoseconds},   {"us", Precision::kMicroseconds},
               {"u", Precision::kMicroseconds},  {"\xC2\xB5", Precision::kMicroseconds},
               {"ms", Precision::kMilliseconds}, {"s", Precision::kSeconds},
               {"m", Precision::kMinutes},       {"h", Precision::kHours}};
  for (const auto& c : cases) {
    Result<Precision> r = ParsePrecision(c.s);
    ASSERT_TRUE(r.ok()) << c.s;
    EXPECT_EQ(*r, c.p) << c.s;
  }
}

TEST(ParsePrecisionTest, RejectsOthersAndNamesTheValue) {
  for (const char* bad : {"NS", "sec", "x", " s", "mn", "hours"}) {
    Result<Precision> r = ParsePrecision(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << r.status().message();
  }
}

TEST(ParsePrecisionTest, Multipliers) {
  EXPECT_EQ(PrecisionMultiplier(Precision::kNanoseconds), 1);
  EXPECT_EQ(PrecisionMultiplier(Precision::kMicroseconds), 1000);
  EXPECT_EQ(PrecisionMultiplier(Precision::kMilliseconds), 1000000);
  EXPECT_EQ(PrecisionMultiplier(Precision::kSeconds), 1000000000);
  EXPECT_EQ(PrecisionMultiplier(Precision::kMinutes), 60000000000);
  EXPECT_EQ(PrecisionMultiplier(Precision::kHours), 3600000000000);
}

TEST(LineProtocolTest, ViewsPointIntoTheBodyWhenNothingIsEscaped) {
  auto body = std::make_shared<const std::string>("cpu,host=a usage=1,msg=\"hi\" 5\n");
  ParseResult r = ParseLineProtocol(body, Precision::kNanoseconds, 0);
  ASSERT_EQ(r.batch.size(), 1u);
  const PointRef& p = r.batch.points()[0];
  EXPECT_TRUE(Inside(p.measurement, *body));
  for (const TagRef& t : r.batch.tags(p)) {
    EXPECT_TRUE(Inside(t.key, *body));
    EXPECT_TRUE(Inside(t.value, *body));
  }
  for (const FieldRef& f : r.batch.fields(p)) EXPECT_TRUE(Inside(f.key, *body));
  EXPECT_TRUE(Inside(r.batch.fields(p)[1].s, *body));
}

TEST(LineProtocolTest, EscapedNamesAndStringsLiveInTheArena) {
  auto body = std::make_shared<const std::string>(
      "c\\ pu,ho\\=st=a\\,b us\\ er=1,msg=\"say \\\"hi\\\"\" 5\n");
  ParseResult r = ParseLineProtocol(body, Precision::kNanoseconds, 0);
  ASSERT_EQ(r.batch.size(), 1u) << (r.errors.empty() ? "" : ToString(r.errors[0]));
  const PointRef& p = r.batch.points()[0];
  EXPECT_EQ(p.measurement, "c pu");
  EXPECT_FALSE(Inside(p.measurement, *body));
  EXPECT_EQ(r.batch.tags(p)[0].key, "ho=st");
  EXPECT_EQ(r.batch.tags(p)[0].value, "a,b");
  EXPECT_EQ(r.batch.fields(p)[0].key, "us er");
  EXPECT_EQ(r.batch.fields(p)[1].s, "say \"hi\"");
  EXPECT_FALSE(Inside(r.batch.fields(p)[1].s, *body));
}

TEST(LineProtocolTest, BatchKeepsTheBodyAlive) {
  auto body = std::make_shared<const std::string>("cpu,host=server01 usage=1 5\n");
  std::weak_ptr<const std::string> weak = body;
  ParseResult r = ParseLineProtocol(std::move(body), Precision::kNanoseconds, 0);
  EXPECT_FALSE(weak.expired());
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.tags(r.batch.points()[0])[0].value, "server01");
  r.batch.Clear();
  EXPECT_TRUE(weak.expired());
}

TEST(LineProtocolTest, NowAppliesOnlyWithoutTimestampAndIsNotScaled) {
  ParseResult r = Parse("a f=1\na f=2 3\n", Precision::kSeconds, 123);
  ASSERT_EQ(r.batch.size(), 2u);
  EXPECT_EQ(r.batch.points()[0].timestamp_ns, 123);
  EXPECT_EQ(r.batch.points()[1].timestamp_ns, 3'000'000'000);
}

TEST(LineProtocolTest, TimestampLimitsPerPrecision) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  struct {
    Precision p;
    int64_t ok;  // largest accepted in that unit
  } cases[] = {{Precision::kNanoseconds, max},
               {Precision::kMicroseconds, max / 1000},
               {Precision::kMilliseconds, max / 1000000},
               {Precision::kSeconds, max / 1000000000},
               {Precision::kMinutes, max / 60000000000},
               {Precision::kHours, max / 3600000000000}};
  for (const auto& c : cases) {
    int64_t mult = PrecisionMultiplier(c.p);
    ParseResult r = Parse(
        "a f=1 " + std::to_string(c.ok) + "\n" + "a f=1 " + std::to_string(-c.ok) + "\n" +
            "a f=1 " +
            (c.ok == max ? std::string("9223372036854775808") : std::to_string(c.ok + 1)) + "\n",
        c.p);
    ASSERT_EQ(r.batch.size(), 2u);
    EXPECT_EQ(r.batch.points()[0].timestamp_ns, c.ok * mult);
    EXPECT_EQ(r.batch.points()[1].timestamp_ns, -c.ok * mult);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, 3u);
  }
  ParseResult r = Parse("a f=1 -9223372036854775808\n");
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.points()[0].timestamp_ns, min);
}

TEST(LineProtocolTest, ErrorMessagesAreExact) {
  ParseResult r = Parse(
      "ok f=1\n"
      "m temp=abc\n"
      "m\n"
      "m s=\"x\" 12a\n");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(ToString(r.errors[0]),
            "line 2: invalid field value \"abc\" for field \"temp\": "
            "expected a number, bool or quoted string");
  EXPECT_EQ(ToString(r.errors[1]), "line 3: missing fields");
  EXPECT_EQ(ToString(r.errors[2]), "line 4: invalid timestamp \"12a\"");
  ParseResult u = Parse("a f=1\n\n#c\nm msg=\"oops\n");
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(ToString(u.errors[0]), "line 4: unterminated string value for field \"msg\"");
}

TEST(LineProtocolTest, LongTokensAreTruncatedInMessages) {
  ParseResult r = Parse("m f=" + std::string(1000, 'x') + "\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_LT(r.errors[0].reason.size(), 200u);
  EXPECT_NE(r.errors[0].reason.find("...\""), std::string::npos);
}

TEST(LineProtocolTest, ControlBytesAreEscapedInMessages) {
  ParseResult r = Parse(std::string("m f=a\x01\x7f") + "b\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("\"a\\x01\\x7fb\""), std::string::npos) << r.errors[0].reason;
}

TEST(LineProtocolTest, ErrorsAreCappedButCounted) {
  std::string body;
  for (int i = 0; i < 500; ++i) body += "bad\nm f=1\n";
  ParseResult r = Parse(body);
  EXPECT_EQ(r.errors.size(), kMaxReportedErrors);
  EXPECT_EQ(r.lines_failed, 500u);
  EXPECT_EQ(r.lines_ok, 500u);
  EXPECT_EQ(r.errors.back().line, 2 * kMaxReportedErrors - 1);
}

TEST(LineProtocolTest, ManyLinesWithManyEscapesRoundTrip) {
  std::string body;
  for (int i = 0; i < 5000; ++i) {
    body += "m\\ " + std::to_string(i % 7) + ",t\\,=v\\=" + std::to_string(i) +
            " f\\ x=" + std::to_string(i) + "i,s=\"a\\\"" + std::to_string(i) + "\" " +
            std::to_string(i) + "\n";
  }
  ParseResult r = Parse(body);
  ASSERT_TRUE(r.errors.empty()) << ToString(r.errors[0]);
  ASSERT_EQ(r.batch.size(), 5000u);
  const PointRef& p = r.batch.points()[4321];
  EXPECT_EQ(p.measurement, "m 2");
  EXPECT_EQ(r.batch.tags(p)[0].key, "t,");
  EXPECT_EQ(r.batch.tags(p)[0].value, "v=4321");
  EXPECT_EQ(r.batch.fields(p)[0].i, 4321);
  EXPECT_EQ(r.batch.fields(p)[1].s, "a\"4321");
  EXPECT_EQ(p.timestamp_ns, 4321);
}

TEST(LineProtocolTest, EmptyBodies) {
  for (const char* b : {"", "\n", "\n\n\n", "# only\n# comments", "   \r\n\t\n"}) {
    ParseResult r = Parse(b);
    EXPECT_TRUE(r.batch.empty()) << b;
    EXPECT_TRUE(r.errors.empty()) << b;
    EXPECT_EQ(r.lines_ok, 0u);
  }
}

TEST(LineProtocolTest, StringAtTheLengthLimit) {
  std::string ok = "m s=\"" + std::string(kMaxStringBytes, 'a') + "\"\n";
  ParseResult r = Parse(ok);
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.fields(r.batch.points()[0])[0].s.size(), kMaxStringBytes);
  // Escapes count once: 64 KiB of `\"` pairs unescapes to 64 KiB of quotes, within the limit.
  std::string escaped;
  for (size_t i = 0; i < kMaxStringBytes; ++i) escaped += "\\\"";
  ParseResult e = Parse("m s=\"" + escaped + "\"\n");
  ASSERT_EQ(e.batch.size(), 1u);
  EXPECT_EQ(e.batch.fields(e.batch.points()[0])[0].s, std::string(kMaxStringBytes, '"'));
  ParseResult bad = Parse("m s=\"" + std::string(kMaxStringBytes + 1, 'a') + "\"\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_NE(bad.errors[0].reason.find("65537 bytes"), std::string::npos) << bad.errors[0].reason;
}

TEST(LineProtocolTest, AdversarialQuotesStayLinear) {
  // Many lines that each open a string: each string ends at the next line's quote, so the
  // parser never rescans; this finishes fast even for a big body.
  std::string body;
  for (int i = 0; i < 200000; ++i) body += "m s=\"x\n";
  ParseResult r = Parse(body);
  EXPECT_EQ(r.lines_ok + r.lines_failed, 100000u);
}

}  // namespace
}  // namespace mm::ingest
