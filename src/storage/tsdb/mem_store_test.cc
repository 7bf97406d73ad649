#include "storage/tsdb/mem_store.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <map>
#include <random>
#include <thread>

#include "storage/tsdb/series_key.h"

namespace mm::storage {
namespace {

constexpr int64_t kMs = 1'000'000;  // ns per ms

FieldRef F(double v) { return FieldRef{.key = "value", .type = FieldType::kFloat, .f = v}; }

struct Builder {
  PointBatch batch;
  Builder& Add(std::string_view measurement,
               std::vector<std::pair<std::string, std::string>> tags,
               std::vector<std::pair<std::string, FieldRef>> fields, int64_t ns) {
    std::vector<TagRef> t;
    for (auto& [k, v] : tags) t.push_back({batch.Intern(k), batch.Intern(v)});
    std::vector<FieldRef> f;
    for (auto& [k, v] : fields) {
      FieldRef r = v;
      r.key = batch.Intern(k);
      if (r.type == FieldType::kString) r.s = batch.Intern(r.s);
      f.push_back(r);
    }
    batch.Add(batch.Intern(measurement), t, f, ns);
    return *this;
  }
};

LabelMatcher M(MatchType type, std::string name, std::string value) {
  auto m = LabelMatcher::Make(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok());
  return *m;
}

std::vector<std::string> Names(const std::vector<Labels>& ls) {
  std::vector<std::string> out;
  for (const auto& l : ls) out.push_back(l.ToString());
  return out;
}

std::vector<Labels> SeriesOf(MemStore& s, std::vector<LabelMatcher> ms,
                             int64_t lo = INT64_MIN, int64_t hi = INT64_MAX) {
  auto r = s.Series(ms, lo, hi);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<Labels>{};
}

std::vector<SeriesSamples> SelectAll(MemStore& s, std::vector<LabelMatcher> ms,
                                     SelectOptions o = {}) {
  auto r = s.Select(ms, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<SeriesSamples>{};
}

TEST(MemStoreTest, PointFieldsBecomeSeries) {
  MemStore store;
  Builder b;
  b.Add("cpu", {{"host", "a"}, {"Zone", "eu"}, {"empty", ""}},
        {{"value", F(1.5)},
         {"user", FieldRef{.type = FieldType::kInt, .i = -3}},
         {"up", FieldRef{.type = FieldType::kBool, .b = true}},
         {"n", FieldRef{.type = FieldType::kUint, .u = 7}}},
        1'700'000'000'123'456'789);
  auto w = store.Write(b.batch);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->samples_stored, 4u);
  EXPECT_EQ(w->series_created, 4u);
  auto all = SelectAll(store, {});
  ASSERT_EQ(all.size(), 4u);
  // Sorted by labels: Zone < __name__ < host; the empty tag is dropped.
  EXPECT_EQ(all[0].labels.ToString(), "cpu{Zone=\"eu\", host=\"a\"}");
  EXPECT_EQ(all[1].labels.ToString(), "cpu_n{Zone=\"eu\", host=\"a\"}");
  EXPECT_EQ(all[2].labels.ToString(), "cpu_up{Zone=\"eu\", host=\"a\"}");
  EXPECT_EQ(all[3].labels.ToString(), "cpu_user{Zone=\"eu\", host=\"a\"}");
  EXPECT_EQ(all[0].samples, (std::vector<Sample>{{1'700'000'000'123, 1.5}}));
  EXPECT_EQ(all[1].samples[0].v, 7);
  EXPECT_EQ(all[2].samples[0].v, 1);
  EXPECT_EQ(all[3].samples[0].v, -3);
}

TEST(MemStoreTest, HashPathEqualsLabelsHash) {
  MemStore store;
  Builder b;
  // Upper-case tags sort before __name__, lower-case after; a tag named __name__ is ignored.
  b.Add("m", {{"A", "1"}, {"_x", "2"}, {"__name__", "bogus"}, {"b", "3"}, {"Zz", "4"}},
        {{"value", F(1)}, {"f", F(2)}}, 0);
  ASSERT_TRUE(store.Write(b.batch).ok());
  Labels l1{{"__name__", "m"}, {"A", "1"}, {"_x", "2"}, {"b", "3"}, {"Zz", "4"}};
  Labels l2 = l1.With("__name__", "m_f");
  EXPECT_TRUE(store.SeriesId(l1).has_value());
  EXPECT_TRUE(store.SeriesId(l2).has_value());
  EXPECT_NE(*store.SeriesId(l1), *store.SeriesId(l2));
  EXPECT_FALSE(store.SeriesId(l1.With("b", "4")).has_value());
  EXPECT_EQ(tsdb::HashKey(tsdb::SeriesKey(l1)), l1.Hash());
  EXPECT_EQ(tsdb::LabelsFromKey(tsdb::SeriesKey(l1)), l1);
  auto s = SeriesOf(store, {});
  EXPECT_EQ(Names(s), (std::vector<std::string>{"m{A=\"1\", Zz=\"4\", _x=\"2\", b=\"3\"}",
                                                "m_f{A=\"1\", Zz=\"4\", _x=\"2\", b=\"3\"}"}));
}

TEST(MemStoreTest, NanosecondsFloorToMilliseconds) {
  MemStore store;
  Builder b;
  b.Add("t", {}, {{"value", F(1)}}, -1);          // -1 ns → -1 ms
  b.Add("t", {}, {{"value", F(2)}}, 1'999'999);   // → 1 ms
  b.Add("t", {}, {{"value", F(3)}}, -2'000'000);  // → -2 ms
  ASSERT_TRUE(store.Write(b.batch).ok());
  auto r = SelectAll(store, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].samples, (std::vector<Sample>{{-2, 3}, {-1, 1}, {1, 2}}));
}

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Builder b;
    b.Add("up", {{"job", "api"}, {"env", "prod"}}, {{"value", F(1)}}, 1000 * kMs);
    b.Add("up", {{"job", "db"}, {"env", "dev"}}, {{"value", F(1)}}, 2000 * kMs);
    b.Add("up", {{"job", "web"}}, {{"value", F(1)}}, 3000 * kMs);
    b.Add("http", {{"job", "api"}, {"code", "200"}}, {{"requests", F(5)}}, 4000 * kMs);
    ASSERT_TRUE(store.Write(b.batch).ok());
  }
  std::vector<std::string> Q(std::vector<LabelMatcher> ms, int64_t lo = INT64_MIN,
                             int64_t hi = INT64_MAX) {
    return Names(SeriesOf(store, std::move(ms), lo, hi));
  }
  MemStore store{MemStoreOptions{.shards = 4}};
};

TEST_F(MatcherTest, EqualAndNotEqual) {
  EXPECT_EQ(Q({M(MatchType::kEqual, "job", "api")}),
            (std::vector<std::string>{"http_requests{code=\"200\", job=\"api\"}",
                                      "up{env=\"prod\", job=\"api\"}"}));
  EXPECT_EQ(Q({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kNotEqual, "env", "prod")}),
            (std::vector<std::string>{"up{env=\"dev\", job=\"db\"}", "up{job=\"web\"}"}));
  EXPECT_TRUE(Q({M(MatchType::kEqual, "job", "nope")}).empty());
  EXPECT_TRUE(Q({M(MatchType::kEqual, "nolabel", "x")}).empty());
}

TEST_F(MatcherTest, EmptyMatchesAbsentLabel) {
  // env="" selects series without env.
  EXPECT_EQ(Q({M(MatchType::kEqual, "env", "")}),
            (std::vector<std::string>{"http_requests{code=\"200\", job=\"api\"}",
                                      "up{job=\"web\"}"}));
  // env!="" selects series with env.
  EXPECT_EQ(Q({M(MatchType::kNotEqual, "env", "")}).size(), 2u);
  // env=~"prod|" matches prod and absent.
  EXPECT_EQ(Q({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kRegexMatch, "env", "prod|")}),
            (std::vector<std::string>{"up{env=\"prod\", job=\"api\"}", "up{job=\"web\"}"}));
  // env!~"d.*" keeps absent and prod.
  EXPECT_EQ(Q({M(MatchType::kRegexNoMatch, "env", "d.*")}).size(), 3u);
  // env=~".+" requires the label.
  EXPECT_EQ(Q({M(MatchType::kRegexMatch, "env", ".+")}).size(), 2u);
}

TEST_F(MatcherTest, RegexOnName) {
  EXPECT_EQ(Q({M(MatchType::kRegexMatch, "__name__", "http_.*")}),
            (std::vector<std::string>{"http_requests{code=\"200\", job=\"api\"}"}));
  EXPECT_EQ(Q({M(MatchType::kRegexNoMatch, "__name__", "up"), M(MatchType::kRegexMatch, "job", "a.*")})
                .size(),
            1u);
  EXPECT_EQ(Q({M(MatchType::kRegexMatch, "__name__", "u")}).size(), 0u);  // anchored
  EXPECT_EQ(Q({M(MatchType::kRegexMatch, "job", "api|db|web")}).size(), 4u);
}

TEST_F(MatcherTest, TimeRangeAndLabelQueries) {
  EXPECT_EQ(Q({}, 1500, 3000).size(), 2u);
  EXPECT_EQ(Q({}, 4001, INT64_MAX).size(), 0u);
  auto names = store.LabelNames({}, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "code", "env", "job"}));
  std::vector<LabelMatcher> up = {M(MatchType::kEqual, "__name__", "up")};
  names = store.LabelNames(up, INT64_MIN, INT64_MAX);
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "env", "job"}));
  names = store.LabelNames({}, 2500, 3500);
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "job"}));
  auto values = store.LabelValues("job", {}, INT64_MIN, INT64_MAX);
  EXPECT_EQ(*values, (std::vector<std::string>{"api", "db", "web"}));
  values = store.LabelValues("job", up, 0, 2000);
  EXPECT_EQ(*values, (std::vector<std::string>{"api", "db"}));
  values = store.LabelValues("nope", {}, INT64_MIN, INT64_MAX);
  EXPECT_TRUE(values->empty());
}

TEST(MemStoreTest, ChunksAreCutAndEverySampleComesBack) {
  MemStore store(MemStoreOptions{.shards = 2, .chunk_target_samples = 50});
  const int64_t t0 = 1'700'000'000'000;
  for (int batch = 0; batch < 10; ++batch) {
    Builder b;
    for (int i = 0; i < 100; ++i) {
      int k = batch * 100 + i;
      b.Add("m", {{"s", "x"}}, {{"value", F(k * 0.25)}}, (t0 + k * 1000) * kMs);
    }
    ASSERT_TRUE(store.Write(b.batch).ok());
  }
  MemStoreStats st = store.Stats();
  EXPECT_EQ(st.series, 1u);
  EXPECT_EQ(st.samples, 1000u);
  EXPECT_EQ(st.chunks, 19u);  // 1000 / 50 - the open one
  EXPECT_GT(st.chunk_bytes, 0u);
  auto r = SelectAll(store, {});
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].samples.size(), 1000u);
  for (int k = 0; k < 1000; ++k) {
    ASSERT_EQ(r[0].samples[k], (Sample{t0 + k * 1000, k * 0.25}));
  }
  // Range selection across chunk boundaries.
  r = SelectAll(store, {}, {.min_t = t0 + 49'000, .max_t = t0 + 150'000});
  ASSERT_EQ(r[0].samples.size(), 102u);
  EXPECT_EQ(r[0].samples.front().t, t0 + 49'000);
  EXPECT_EQ(r[0].samples.back().t, t0 + 150'000);
}

TEST(MemStoreTest, TruncateBeforeInsideChunksKeepsTheirLaterSamples) {
  MemStore store(MemStoreOptions{.shards = 2, .chunk_target_samples = 50});
  const int64_t t0 = 1'700'000'000'000;
  Builder b;
  for (int k = 0; k < 120; ++k) {  // chunks [0, 50) [50, 100), open head [100, 120)
    b.Add("m", {{"s", "x"}}, {{"value", F(k * 0.5)}}, (t0 + k * 1000) * kMs);
  }
  ASSERT_TRUE(store.Write(b.batch).ok());
  for (int cut : {20, 75, 110, 119}) {  // inside a cut chunk, then inside the open one
    store.TruncateBefore(t0 + cut * 1000);
    EXPECT_EQ(store.TimeRange().first, t0 + cut * 1000);
    EXPECT_EQ(store.Stats().samples, static_cast<uint64_t>(120 - cut));
    auto r = SelectAll(store, {});
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].samples.size(), static_cast<size_t>(120 - cut));
    for (int k = cut; k < 120; ++k) {
      ASSERT_EQ(r[0].samples[k - cut], (Sample{t0 + k * 1000, k * 0.5})) << "cut " << cut;
    }
  }
  EXPECT_EQ(store.DropEmptySeries(), 0u);  // it still has samples
  // The open chunk keeps growing after a cut inside it.
  Builder more;
  more.Add("m", {{"s", "x"}}, {{"value", F(1)}}, (t0 + 200'000) * kMs);
  ASSERT_TRUE(store.Write(more.batch).ok());
  EXPECT_EQ(SelectAll(store, {})[0].samples.size(), 2u);
}

TEST(MemStoreTest, DropEmptySeriesForgetsIdleSeriesOnly) {
  MemStore store(MemStoreOptions{.shards = 4});
  const int64_t t0 = 1'700'000'000'000;
  Builder b;
  for (int h = 0; h < 40; ++h) {
    // Even hosts stop at t0 + 10 s, odd ones go on to t0 + 100 s; host 1 also has a string.
    const int last = h % 2 == 0 ? 10 : 100;
    for (int k = 0; k <= last; k += 10) {
      b.Add("m", {{"h", std::to_string(h)}}, {{"value", F(k)}}, (t0 + k * 1000) * kMs);
    }
  }
  b.Add("s", {{"h", "1"}}, {{"value", FieldRef{.type = FieldType::kString, .s = "up"}}},
        (t0 + 95'000) * kMs);
  ASSERT_TRUE(store.Write(b.batch).ok());
  const uint64_t id_odd = *store.SeriesId(Labels{{"__name__", "m"}, {"h", "3"}});
  store.TruncateBefore(t0 + 50'000);
  EXPECT_EQ(store.DropEmptySeries(), 20u);
  EXPECT_EQ(store.Stats().series, 21u);
  EXPECT_EQ(SeriesOf(store, {M(MatchType::kEqual, "__name__", "m")}).size(), 20u);
  EXPECT_TRUE(SeriesOf(store, {M(MatchType::kEqual, "h", "2")}).empty());
  EXPECT_EQ(SeriesOf(store, {M(MatchType::kEqual, "h", "1")}).size(), 2u);
  // The kept series are found by label, hash and id as before; a dropped one comes back anew.
  EXPECT_EQ(*store.SeriesId(Labels{{"__name__", "m"}, {"h", "3"}}), id_odd);
  EXPECT_FALSE(store.SeriesId(Labels{{"__name__", "m"}, {"h", "2"}}).has_value());
  Builder again;
  again.Add("m", {{"h", "2"}}, {{"value", F(7)}}, (t0 + 200'000) * kMs);
  again.Add("m", {{"h", "3"}}, {{"value", F(8)}}, (t0 + 200'000) * kMs);
  auto w = store.Write(again.batch);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->series_created, 1u);
  auto r = SelectAll(store, {M(MatchType::kRegexMatch, "h", "2|3")});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].samples.size(), 1u);   // h=2: only the new sample
  EXPECT_EQ(r[1].samples.size(), 7u);   // h=3: 50, 60, .., 100 s and the new one
  EXPECT_GT(*store.SeriesId(Labels{{"__name__", "m"}, {"h", "2"}}), id_odd);
}

TEST(MemStoreTest, ChunksDoNotStraddleTwoHourWindows) {
  MemStore store(MemStoreOptions{.shards = 1, .chunk_target_samples = 1000});
  Builder b;
  const int64_t two_h = 2 * 3600 * 1000;
  for (int64_t t : {two_h - 2, two_h - 1, two_h, two_h + 1, 2 * two_h + 5}) {
    b.Add("m", {}, {{"value", F(1)}}, t * kMs);
  }
  ASSERT_TRUE(store.Write(b.batch).ok());
  EXPECT_EQ(store.Stats().chunks, 2u);  // [2h-2, 2h-1], [2h, 2h+1], open [4h+5]
  EXPECT_EQ(SelectAll(store, {})[0].samples.size(), 5u);
}

TEST(MemStoreTest, DuplicatesLastWriteWinsAndOutOfOrderIsMerged) {
  MemStore store(MemStoreOptions{.shards = 1, .chunk_target_samples = 3,
                                 .max_ooo_samples_per_series = 3});
  auto write = [&](int64_t t_ms, double v) {
    Builder b;
    b.Add("m", {}, {{"value", F(v)}}, t_ms * kMs);
    return *store.Write(b.batch);
  };
  write(10, 1);
  write(20, 2);
  write(20, 3);  // duplicate in order: last wins
  write(30, 4);  // new chunk
  write(15, 5);  // out of order → buffer
  write(20, 6);  // duplicate of an in-chunk sample, written later: wins
  write(15, 7);  // duplicate within the OOO buffer: wins
  WriteStats rejected = write(5, 8);  // buffer full (3)
  EXPECT_EQ(rejected.samples_rejected, 1u);
  EXPECT_EQ(store.Stats().rejected_out_of_order, 1u);
  write(40, 9);
  auto r = SelectAll(store, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].samples,
            (std::vector<Sample>{{10, 1}, {15, 7}, {20, 6}, {30, 4}, {40, 9}}));
  r = SelectAll(store, {}, {.min_t = 12, .max_t = 20});
  EXPECT_EQ(r[0].samples, (std::vector<Sample>{{15, 7}, {20, 6}}));
}

TEST(MemStoreTest, StringFields) {
  MemStore store;
  Builder b;
  FieldRef s1{.type = FieldType::kString, .s = "hello"};
  FieldRef s2{.type = FieldType::kString, .s = "world"};
  FieldRef s3{.type = FieldType::kString, .s = "later"};
  b.Add("log", {{"h", "a"}}, {{"msg", s1}, {"value", F(1)}}, 2000 * kMs);
  b.Add("log", {{"h", "a"}}, {{"msg", s2}}, 1000 * kMs);  // out of order
  b.Add("log", {{"h", "a"}}, {{"msg", s3}}, 2000 * kMs);  // duplicate: last wins
  ASSERT_TRUE(store.Write(b.batch).ok());
  // Without strings, the string-only series has nothing to return.
  auto r = SelectAll(store, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].labels.MetricName(), "log");
  r = SelectAll(store, {M(MatchType::kEqual, "__name__", "log_msg")}, {.with_strings = true});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].samples.empty());
  EXPECT_EQ(r[0].string_samples,
            (std::vector<StringSample>{{1000, "world"}, {2000, "later"}}));
  EXPECT_EQ(store.Stats().string_samples, 3u);
  EXPECT_EQ(SeriesOf(store, {}).size(), 2u);
}

TEST(MemStoreTest, InvalidLabelBytesAreRejectedAndCounted) {
  MemStore store;
  Builder b;
  b.Add("m", {{"h", std::string("a\xff", 2)}}, {{"value", F(1)}, {"x", F(2)}}, 0);
  b.Add("m", {{"h", "ok"}}, {{"value", F(1)}}, 0);
  auto w = store.Write(b.batch);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->samples_rejected, 2u);
  EXPECT_EQ(w->samples_stored, 1u);
  EXPECT_EQ(store.Stats().rejected_invalid_labels, 2u);
}

TEST(MemStoreTest, CloseRefusesWrites) {
  auto store = NewMemStore();
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Close().ok());
  Builder b;
  b.Add("m", {}, {{"value", F(1)}}, 0);
  EXPECT_EQ(store->Write(b.batch).status().code(), StatusCode::kFailedPrecondition);
}

TEST(MemStoreTest, StatsAreConsistent) {
  MemStore store(MemStoreOptions{.shards = 8});
  EXPECT_EQ(store.shard_count(), 8u);
  Builder b;
  for (int h = 0; h < 20; ++h) {
    for (int t = 0; t < 300; ++t) {
      b.Add("cpu", {{"host", "h" + std::to_string(h)}}, {{"a", F(t / 100.0)}, {"b", F(h)}},
            int64_t{t} * 10'000 * kMs);
    }
  }
  ASSERT_TRUE(store.Write(b.batch).ok());
  MemStoreStats st = store.Stats();
  EXPECT_EQ(st.series, 40u);
  EXPECT_EQ(st.samples, 40u * 300);
  EXPECT_EQ(st.chunks, 40u * 2);  // 300 = 120 + 120 + 60 open
  EXPECT_EQ(st.chunk_samples, 40u * 240);
  EXPECT_GE(st.chunk_meta_bytes, 40u * 2 * (8 + 24));
  EXPECT_GT(st.head_chunk_bytes, 0u);
  EXPECT_GT(st.index_bytes, 40u * 20);
  EXPECT_GT(st.head_overhead_bytes, 40u * 100);
  EXPECT_LT(st.head_overhead_bytes + st.index_bytes, 40u * 1024);
  // Compressed: well under 2 bytes per sample for these regular series.
  EXPECT_LT(st.chunk_bytes, 80u * 120 * 2);
}

TEST(MemStoreTest, DefaultShardCountIsAPowerOfTwoAtLeast16) {
  MemStore store;
  EXPECT_GE(store.shard_count(), 16u);
  EXPECT_TRUE(std::has_single_bit(store.shard_count()));
  MemStore three(MemStoreOptions{.shards = 3});
  EXPECT_EQ(three.shard_count(), 4u);
}

// Random writes (in order, out of order, duplicates, NaNs) against a reference model.
// Every series of the store equals the model (labels → t → value bits), in order.
void ExpectModel(MemStore& store, const std::map<std::string, std::map<int64_t, uint64_t>>& model) {
  auto r = SelectAll(store, {});
  ASSERT_EQ(r.size(), model.size());
  for (const auto& ss : r) {
    const auto& want = model.at(ss.labels.ToString());
    ASSERT_EQ(ss.samples.size(), want.size()) << ss.labels.ToString();
    auto it = want.begin();
    for (const Sample& s : ss.samples) {
      ASSERT_EQ(s.t, it->first);
      ASSERT_EQ(std::bit_cast<uint64_t>(s.v), it->second) << ss.labels.ToString() << " t=" << s.t;
      ++it;
    }
  }
}

TEST(MemStoreTest, LateSamplesAreSealedIntoChunks) {
  // Several writers each send a slice of time: a series sees batches out of order (the bench's
  // 4 connections do this). The late samples must not pile up raw (16 bytes each).
  MemStore store(MemStoreOptions{.shards = 2});
  std::map<std::string, std::map<int64_t, uint64_t>> model;
  const int64_t t0 = 1'700'000'000'000;
  for (int pair = 0; pair < 100; ++pair) {
    for (int half : {1, 0}) {  // the later batch first
      Builder b;
      for (int k = 0; k < 5; ++k) {
        const int64_t t = t0 + ((pair * 2 + half) * 5 + k) * 10'000;
        for (int h = 0; h < 3; ++h) {
          const double v = static_cast<double>((pair * 7 + k * 3 + h) % 1000) / 10;
          b.Add("cpu", {{"h", std::to_string(h)}}, {{"value", F(v)}}, t * kMs);
          model[Labels{{"__name__", "cpu"}, {"h", std::to_string(h)}}.ToString()][t] =
              std::bit_cast<uint64_t>(v);
        }
      }
      ASSERT_TRUE(store.Write(b.batch).ok());
    }
  }
  ExpectModel(store, model);
  const MemStoreStats st = store.Stats();
  EXPECT_EQ(st.samples, 3u * 1000);  // no sample lost or counted twice
  EXPECT_EQ(st.rejected_out_of_order, 0u);
  // 500 late samples per series (8 KB raw); at most kOooSealSamples (16, 256 bytes) wait raw at
  // any time, the rest is in chunks.
  EXPECT_LT(st.head_overhead_bytes / 3, 1024u) << st.head_overhead_bytes;
}

TEST(MemStoreTest, RandomAgainstModel) {
  std::mt19937_64 rng(11);
  MemStore store(MemStoreOptions{.shards = 4, .chunk_target_samples = 17,
                                 .max_ooo_samples_per_series = 1'000'000});
  std::map<std::string, std::map<int64_t, uint64_t>> model;  // labels → t → value bits
  for (int round = 0; round < 40; ++round) {
    Builder b;
    for (int i = 0; i < 200; ++i) {
      std::string host = "h" + std::to_string(rng() % 7);
      int64_t t = static_cast<int64_t>(rng() % 5000) - 100;
      if (rng() % 3) t = round * 200 + i;  // mostly increasing
      double v = rng() % 20 == 0 ? std::bit_cast<double>(rng())
                                 : static_cast<double>(static_cast<int64_t>(rng() % 10000)) / 100;
      std::string field = rng() % 2 ? "value" : "f";
      b.Add("m", {{"host", host}}, {{field, F(v)}}, t * kMs);
      Labels l{{"__name__", field == "value" ? "m" : "m_f"}, {"host", host}};
      model[l.ToString()][t] = std::bit_cast<uint64_t>(v);
    }
    ASSERT_TRUE(store.Write(b.batch).ok());
    if (round % 10 == 9) ExpectModel(store, model);  // while out-of-order samples are sealed
  }
  // A cut through all of it keeps exactly the later samples.
  store.TruncateBefore(3000);
  for (auto& [k, m] : model) m.erase(m.begin(), m.lower_bound(3000));
  std::erase_if(model, [](const auto& kv) { return kv.second.empty(); });
  ExpectModel(store, model);
}

TEST(MemStoreTest, ConcurrentWritersAndReaders) {
  MemStore store(MemStoreOptions{.shards = 8, .chunk_target_samples = 60});
  constexpr int kWriters = 4, kHostsPerWriter = 25, kSteps = 200;
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int step = 0; step < kSteps; ++step) {
        Builder b;
        for (int h = 0; h < kHostsPerWriter; ++h) {
          b.Add("cpu", {{"host", "w" + std::to_string(w) + "h" + std::to_string(h)}},
                {{"user", F(step * 0.5 + h)}, {"sys", F(step)}}, int64_t{step} * 1000 * kMs);
        }
        ASSERT_TRUE(store.Write(b.batch).ok());
      }
    });
  }
  std::atomic<int> reads{0};
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      std::vector<LabelMatcher> ms = {M(MatchType::kRegexMatch, "host", "w1.*")};
      do {  // at least once, even when the writers finish before this thread runs
        auto res = store.Select(ms, {});
        ASSERT_TRUE(res.ok());
        for (const auto& ss : *res) {
          // Every series is read consistently: samples strictly increasing.
          for (size_t i = 1; i < ss.samples.size(); ++i) {
            ASSERT_LT(ss.samples[i - 1].t, ss.samples[i].t);
          }
        }
        (void)store.Stats();
        reads.fetch_add(1);
      } while (!done.load());
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done.store(true);
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  EXPECT_GT(reads.load(), 0);
  auto all = SelectAll(store, {});
  ASSERT_EQ(all.size(), size_t{kWriters * kHostsPerWriter * 2});
  for (const auto& ss : all) {
    ASSERT_EQ(ss.samples.size(), size_t{kSteps});
    bool user = ss.labels.MetricName() == "cpu_user";
    std::string host(ss.labels.Get("host"));
    int h = std::stoi(host.substr(host.find('h') + 1));
    for (int step = 0; step < kSteps; ++step) {
      double want = user ? step * 0.5 + h : step;
      ASSERT_EQ(ss.samples[step], (Sample{int64_t{step} * 1000, want})) << host;
    }
  }
  EXPECT_EQ(store.Stats().samples, uint64_t{kWriters * kHostsPerWriter * 2 * kSteps});
}

}  // namespace
}  // namespace mm::storage
