#include "storage/tsdb/disk_store.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "storage/tsdb/testing/fault_injection_env.h"

namespace mm::storage {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kMs = 1'000'000;  // ns per ms
constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000 / (2 * kHour) * (2 * kHour);  // 2h-aligned, ms

// One float sample per (series, t), or a string one.
struct Pt {
  std::string name;
  std::string host;
  int64_t t;  // ms
  double v = 0;
  std::string s;
  bool is_string = false;
};

PointBatch MakeBatch(const std::vector<Pt>& pts) {
  PointBatch b;
  for (const Pt& p : pts) {
    TagRef tag{b.Intern("host"), b.Intern(p.host)};
    FieldRef f;
    f.key = b.Intern("value");
    if (p.is_string) {
      f.type = FieldType::kString;
      f.s = b.Intern(p.s);
    } else {
      f.type = FieldType::kFloat;
      f.f = p.v;
    }
    b.Add(b.Intern(p.name), std::span<const TagRef>(&tag, 1), std::span<const FieldRef>(&f, 1),
          p.t * kMs);
  }
  return b;
}

// series "name{host}" → t → value, as the store answers.
using Dump = std::map<std::string, std::map<int64_t, std::string>>;

std::string Key(const std::string& name, const std::string& host) {
  return name + "{host=\"" + host + "\"}";
}

void AddAcked(Dump& acked, const std::vector<Pt>& pts) {
  for (const Pt& p : pts) {
    acked[Key(p.name, p.host)][p.t] =
        p.is_string ? "s:" + p.s : std::to_string(std::bit_cast<uint64_t>(p.v));
  }
}

std::string Bits(double v) {
  return std::to_string(std::bit_cast<uint64_t>(v));
}

Dump DumpAll(Storage& s, int64_t lo = INT64_MIN, int64_t hi = INT64_MAX) {
  Dump d;
  auto r = s.Select({}, SelectOptions{.min_t = lo, .max_t = hi, .with_strings = true});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return d;
  for (const auto& ss : *r) {
    auto& m = d[ss.labels.ToString()];
    for (const auto& x : ss.samples) m[x.t] = Bits(x.v);
    for (const auto& x : ss.string_samples) m[x.t] = "s:" + x.v;
  }
  return d;
}

class DiskStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Recovery and fault paths log by design; keep the test output to failures.
    spdlog::set_level(spdlog::level::off);
    dir_ = (fs::temp_directory_path() /
            ("mm_disk_store_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    spdlog::set_level(spdlog::level::info);
  }

  DiskStoreOptions Opts() {
    DiskStoreOptions o;
    o.path = dir_;
    o.maintenance_interval_ms = 0;
    o.clock = &clock_;
    o.head.shards = 4;
    return o;
  }
  std::unique_ptr<DiskStore> OpenOk(DiskStoreOptions o) {
    auto s = DiskStore::Open(std::move(o));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  void WriteOk(Storage& s, const std::vector<Pt>& pts) {
    auto r = s.Write(MakeBatch(pts));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::vector<std::string> WalSegments() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_ + "/wal")) {
      if (e.is_regular_file()) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> BlockDirs() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_ + "/blocks")) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
  FakeClock clock_{kT0 * kMs};
};

// 3 series x `n` samples every 10 s from `start`, values with 2 decimals, plus a string series.
std::vector<Pt> Series3(int64_t start, int n, int seed = 0) {
  std::vector<Pt> pts;
  for (int i = 0; i < n; ++i) {
    for (int h = 0; h < 3; ++h) {
      pts.push_back({"cpu", "h" + std::to_string(h), start + i * 10'000,
                     std::round((seed + i * 0.37 + h * 11.1) * 100) / 100});
    }
    if (i % 7 == 0) {
      pts.push_back({"status", "h0", start + i * 10'000, 0, "ok " + std::to_string(i), true});
    }
  }
  return pts;
}

TEST_F(DiskStoreTest, SurvivesReopenWithFloatsStringsAndOutOfOrder) {
  Dump before;
  {
    auto s = OpenOk(Opts());
    ASSERT_NE(s, nullptr);
    WriteOk(*s, Series3(kT0, 100));
    // Out of order (within the window), a duplicate timestamp with a new value, odd doubles.
    WriteOk(*s, {{"cpu", "h0", kT0 + 5'000, 42.5}, {"cpu", "h1", kT0 + 10'000, -1.25},
                 {"odd", "x", kT0, std::nan("")}, {"odd", "x", kT0 + 1, -0.0},
                 {"odd", "x", kT0 + 2, INFINITY}, {"odd", "x", kT0 + 3, 1e-300}});
    before = DumpAll(*s);
    EXPECT_EQ(before[Key("cpu", "h1")][kT0 + 10'000], Bits(-1.25));
    ASSERT_TRUE(s->Close().ok());
  }
  auto s = OpenOk(Opts());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(DumpAll(*s), before);
  EXPECT_GT(s->Stats().wal_samples_replayed, 300u);
  // New series after a reopen get fresh ids (no clash with replayed ones).
  WriteOk(*s, {{"new", "n", kT0 + 1000, 7}});
  ASSERT_TRUE(s->Close().ok());
  auto again = OpenOk(Opts());
  auto d = DumpAll(*again);
  EXPECT_EQ(d[Key("new", "n")][kT0 + 1000], Bits(7));
  EXPECT_EQ(d.size(), before.size() + 1);
}

TEST_F(DiskStoreTest, SecondOpenIsRefusedNamingTheDirectoryAndPid) {
  auto s = OpenOk(Opts());
  ASSERT_NE(s, nullptr);
  auto second = DiskStore::Open(Opts());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(dir_), std::string::npos);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  ASSERT_TRUE(s->Close().ok());
  EXPECT_NE(OpenOk(Opts()), nullptr);  // released on close
}

TEST_F(DiskStoreTest, OtherFormatVersionIsRefused) {
  { ASSERT_NE(OpenOk(Opts()), nullptr); }
  std::ofstream(dir_ + "/FORMAT") << "metrics-manager tsdb 2\n";
  auto s = DiskStore::Open(Opts());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("tsdb 2"), std::string::npos);
}

TEST_F(DiskStoreTest, OutOfOrderWindow) {
  auto o = Opts();
  o.ooo_window_ms = kHour;
  auto s = OpenOk(o);
  WriteOk(*s, {{"m", "a", kT0 + 3 * kHour, 1}});
  auto r = s->Write(MakeBatch({{"m", "a", kT0 + 2 * kHour + 1, 2},   // within 1 h: kept
                               {"m", "b", kT0, 3},                   // a new series: backfill
                               {"m", "a", kT0 + 2 * kHour - 1, 4},   // too old for its series
                               {"m", "b", kT0 - 2 * kHour, 5}}));    // too old for its series
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples_stored, 2u);
  EXPECT_EQ(r->samples_rejected, 2u);
  EXPECT_NE(r->rejected_reason.find("out-of-order window"), std::string::npos)
      << r->rejected_reason;
  EXPECT_EQ(s->Stats().head.rejected_too_old, 2u);
  auto d = DumpAll(*s);
  EXPECT_EQ(d[Key("m", "a")].size(), 2u);
  EXPECT_EQ(d[Key("m", "b")].size(), 1u);
}

TEST_F(DiskStoreTest, TornWalTailIsCutCountedAndTheRestKept) {
  Dump first;
  {
    auto s = OpenOk(Opts());
    WriteOk(*s, Series3(kT0, 50));
    first = DumpAll(*s);
    WriteOk(*s, Series3(kT0 + 500'000, 50));
    ASSERT_TRUE(s->Close().ok());
  }
  auto segs = WalSegments();
  ASSERT_EQ(segs.size(), 1u);
  const auto size = fs::file_size(segs[0]);
  fs::resize_file(segs[0], size - 7);  // tears the second write's last record
  auto s = OpenOk(Opts());
  ASSERT_NE(s, nullptr);
  auto st = s->Stats();
  EXPECT_EQ(st.wal_corrupt_tails, 1u);
  EXPECT_GT(st.wal_bytes_dropped, 0u);
  // The first write is whole; the second lost at least its last record (strings) only.
  Dump d = DumpAll(*s, INT64_MIN, kT0 + 499'999);
  EXPECT_EQ(d, first);
  EXPECT_EQ(fs::file_size(segs[0]), size - st.wal_bytes_dropped - 7);
  // And the store keeps working: new writes land in a new segment.
  WriteOk(*s, {{"after", "x", kT0, 1}});
  ASSERT_TRUE(s->Close().ok());
  EXPECT_EQ(DumpAll(*OpenOk(Opts()))[Key("after", "x")].size(), 1u);
}

TEST_F(DiskStoreTest, BitFlipInWalIsDetectedByCrc) {
  Dump first;
  {
    auto s = OpenOk(Opts());
    WriteOk(*s, Series3(kT0, 50));
    first = DumpAll(*s);
    WriteOk(*s, Series3(kT0 + 500'000, 50));
    ASSERT_TRUE(s->Close().ok());
  }
  auto segs = WalSegments();
  ASSERT_EQ(segs.size(), 1u);
  const auto size = fs::file_size(segs[0]);
  {
    std::fstream f(segs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size - 20));
    char c;
    f.read(&c, 1);
    c ^= 0x10;
    f.seekp(static_cast<std::streamoff>(size - 20));
    f.write(&c, 1);
  }
  auto s = OpenOk(Opts());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Stats().wal_corrupt_tails, 1u);
  EXPECT_EQ(DumpAll(*s, INT64_MIN, kT0 + 499'999), first);
}

TEST_F(DiskStoreTest, GarbageWalSegmentNeverCrashes) {
  { ASSERT_NE(OpenOk(Opts()), nullptr); }
  for (int len : {1, 8, 9, 100, 5000}) {
    std::string junk(len, '\0');
    for (int i = 0; i < len; ++i) junk[i] = static_cast<char>(i * 131 + len);
    std::ofstream(dir_ + "/wal/00000099", std::ios::binary) << junk;
    auto s = DiskStore::Open(Opts());
    ASSERT_TRUE(s.ok()) << len << ": " << s.status().ToString();
    (*s)->Close().ok();
    fs::remove_all(dir_ + "/wal");
    fs::create_directory(dir_ + "/wal");
  }
}

TEST_F(DiskStoreTest, BlocksCompactionRetentionKeepAnswersIdentical) {
  auto o = Opts();
  o.ooo_window_ms = kHour;
  o.retention_ms = 60 * kHour;  // blocks grow to 6 h at most (1/10 of the retention)
  auto s = OpenOk(o);
  // 13 h of data, written in 10-minute batches, as a live source would.
  const int per_batch = 60;
  for (int b = 0; b < 13 * 6; ++b) {
    WriteOk(*s, Series3(kT0 + b * 600'000, per_batch, b));
  }
  const Dump all = DumpAll(*s);
  ASSERT_TRUE(s->RunMaintenance().ok());
  auto st = s->Stats();
  // Head spans 13 h: windows [0,2) .. [10,12) minus the last one kept for 1.5 x range.
  EXPECT_GE(st.blocks_cut, 5u);
  EXPECT_GE(st.compactions, 1u);  // [0,6) is complete once the head is past 6 h
  EXPECT_EQ(DumpAll(*s), all);
  // Range queries across block and head boundaries too.
  EXPECT_EQ(DumpAll(*s, kT0 + 5 * kHour + 123, kT0 + 11 * kHour), 
            [&] {
              Dump d;
              for (const auto& [k, m] : all) {
                for (const auto& [t, v] : m) {
                  if (t >= kT0 + 5 * kHour + 123 && t <= kT0 + 11 * kHour) d[k][t] = v;
                }
              }
              return d;
            }());
  // Labels and series come from blocks and head alike.
  auto names = s->LabelValues("__name__", {}, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"cpu", "status"}));
  auto old_series = s->Series({}, kT0, kT0 + kHour);
  ASSERT_TRUE(old_series.ok());
  EXPECT_EQ(old_series->size(), 4u);
  // Samples before the head start are refused now.
  auto r = s->Write(MakeBatch({{"cpu", "h0", kT0 + kHour, 1}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples_rejected, 1u);
  ASSERT_TRUE(s->Close().ok());

  // Reopen: blocks + checkpoint + WAL give the same answers.
  s = OpenOk(o);
  EXPECT_EQ(DumpAll(*s), all);
  EXPECT_GE(s->Stats().blocks, 2u);
  ASSERT_TRUE(s->Close().ok());

  // Retention by age: keep 6 h back from the newest sample; older blocks go whole.
  o.retention_ms = 6 * kHour;
  s = OpenOk(o);
  ASSERT_TRUE(s->RunMaintenance().ok());
  EXPECT_GE(s->Stats().blocks_dropped, 1u);
  int64_t oldest_kept = INT64_MAX;
  for (const auto& [k, m] : DumpAll(*s)) oldest_kept = std::min(oldest_kept, m.begin()->first);
  EXPECT_GT(oldest_kept, kT0);
  // Whatever is kept answers exactly as before.
  Dump expect;
  for (const auto& [k, m] : all) {
    for (const auto& [t, v] : m) {
      if (t >= oldest_kept) expect[k][t] = v;
    }
  }
  EXPECT_EQ(DumpAll(*s), expect);
  ASSERT_TRUE(s->Close().ok());

  // Retention by size: a tiny budget drops every block, the head stays.
  o.retention_ms = 0;
  o.retention_bytes = 1;
  s = OpenOk(o);
  ASSERT_TRUE(s->RunMaintenance().ok());
  EXPECT_EQ(s->Stats().blocks, 0u);
  EXPECT_FALSE(DumpAll(*s).empty());
}

TEST_F(DiskStoreTest, ForceFlushMovesTheWholeHeadIntoBlocks) {
  auto o = Opts();
  auto s = OpenOk(o);
  // 3 h 20 min: one full 2 h window and a partial one.
  for (int b = 0; b < 20; ++b) WriteOk(*s, Series3(kT0 + b * 600'000, 60, b));
  const Dump before = DumpAll(*s);
  const int64_t newest = kT0 + 20 * 600'000 - 10'000;
  ASSERT_TRUE(s->ForceFlush().ok());
  auto st = s->Stats();
  EXPECT_EQ(st.blocks_cut, 2u);
  EXPECT_EQ(st.head.samples, 0u);
  EXPECT_EQ(st.head.series, 0u);  // idle series leave the head once their data is in blocks
  EXPECT_EQ(st.block_samples, 3u * 1200);
  EXPECT_EQ(DumpAll(*s), before);
  // Only the newest WAL segment (empty) and the checkpoint are left.
  EXPECT_LE(WalSegments().size(), 1u);
  // At or before the newest flushed sample: refused (it is in a block); after it: accepted, into
  // the same 2 h window, and a later cut of that window gives a second, disjoint block.
  auto r = s->Write(MakeBatch({{"cpu", "h0", newest, 1}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples_rejected, 1u);
  const std::vector<Pt> more = Series3(newest + 10'000, 360);  // up to ~5 h 20
  WriteOk(*s, more);
  Dump all = before;
  AddAcked(all, more);
  EXPECT_EQ(DumpAll(*s), all);
  ASSERT_TRUE(s->ForceFlush().ok());
  EXPECT_EQ(s->Stats().blocks_cut, 4u);  // [2h, newest] | (newest, 4h) and [4h, 5h20]
  EXPECT_EQ(DumpAll(*s), all);
  // Windows the head has passed compact as usual: kT0 is 4 h into a 6 h-aligned window, so the
  // four blocks in [kT0 + 2 h, kT0 + 8 h) merge once the head is past kT0 + 8 h.
  WriteOk(*s, Series3(kT0 + 8 * kHour, 10));
  AddAcked(all, Series3(kT0 + 8 * kHour, 10));
  ASSERT_TRUE(s->ForceFlush().ok());
  EXPECT_GE(s->Stats().compactions, 1u);
  EXPECT_EQ(DumpAll(*s), all);
  ASSERT_TRUE(s->Close().ok());
  s = OpenOk(o);
  EXPECT_EQ(DumpAll(*s), all);
  EXPECT_EQ(s->Stats().wal_samples_replayed, 0u);
}

TEST_F(DiskStoreTest, ReadersNeverMissDataWhileBlocksAreCutAndCompacted) {
  auto o = Opts();
  o.retention_ms = 60 * kHour;
  auto s = OpenOk(o);
  for (int b = 0; b < 13 * 6; ++b) WriteOk(*s, Series3(kT0 + b * 600'000, 60, b));
  const Dump all = DumpAll(*s);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      if (DumpAll(*s) != all) ++bad;
      ++reads;
    }
  });
  ASSERT_TRUE(s->RunMaintenance().ok());
  while (reads.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  done = true;
  reader.join();
  EXPECT_GE(s->Stats().blocks_cut, 5u);
  EXPECT_EQ(bad.load(), 0) << "of " << reads.load() << " reads";
}

TEST_F(DiskStoreTest, CorruptBlockIndexIsSetAsideAndChunkCorruptionFailsTheQuery) {
  auto o = Opts();
  {
    auto s = OpenOk(o);
    for (int b = 0; b < 7 * 6; ++b) WriteOk(*s, Series3(kT0 + b * 600'000, 60, b));
    ASSERT_TRUE(s->RunMaintenance().ok());
    ASSERT_GE(s->Stats().blocks, 2u);
    ASSERT_TRUE(s->Close().ok());
  }
  auto blocks = BlockDirs();
  ASSERT_GE(blocks.size(), 2u);
  // A bit flip in the second block's chunks: queries over it fail naming it, others work.
  {
    const std::string chunks = blocks[1] + "/chunks";
    std::fstream f(chunks, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(40);
    char c;
    f.read(&c, 1);
    c ^= 0x01;
    f.seekp(40);
    f.write(&c, 1);
  }
  // A truncated index in the first block: set aside on open.
  fs::resize_file(blocks[0] + "/index", fs::file_size(blocks[0] + "/index") - 3);
  auto s = OpenOk(o);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Stats().corrupt_blocks, 1u);
  EXPECT_TRUE(fs::exists(blocks[0] + ".corrupt"));
  auto r = s->Select({}, SelectOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(fs::path(blocks[1]).filename().string()),
            std::string::npos)
      << r.status().message();
  // The head is fine.
  auto head = s->Select({}, SelectOptions{.min_t = kT0 + 5 * kHour});
  EXPECT_TRUE(head.ok());
}

TEST_F(DiskStoreTest, TruncatedBlockChunksFailTheQueryNotTheProcess) {
  auto o = Opts();
  o.retention_ms = 20 * kHour;  // blocks stay 2 h (compaction windows are <= retention / 10)
  {
    auto s = OpenOk(o);
    for (int b = 0; b < 20; ++b) WriteOk(*s, Series3(kT0 + b * 600'000, 60, b));
    ASSERT_TRUE(s->ForceFlush().ok());
    ASSERT_TRUE(s->Close().ok());
  }
  auto blocks = BlockDirs();
  ASSERT_EQ(blocks.size(), 2u);
  // Chunks and strings cut short (memory-mapped: reads past the end must be caught, not fault).
  fs::resize_file(blocks[0] + "/chunks", fs::file_size(blocks[0] + "/chunks") / 2);
  fs::resize_file(blocks[0] + "/strings", 9);
  auto s = OpenOk(o);
  ASSERT_NE(s, nullptr);
  auto r = s->Select({}, SelectOptions{.with_strings = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(fs::path(blocks[0]).filename().string()),
            std::string::npos)
      << r.status().message();
  // The other block answers.
  auto later = s->Select({}, SelectOptions{.min_t = kT0 + 2 * kHour, .with_strings = true});
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_FALSE(later->empty());
}

TEST_F(DiskStoreTest, FullDiskRefusesWritesThenRecovers) {
  testing::FaultInjectionEnv env(Env::Default());
  auto o = Opts();
  o.env = &env;
  Dump acked;
  {
    auto s = OpenOk(o);
    WriteOk(*s, Series3(kT0, 20));
    AddAcked(acked, Series3(kT0, 20));
    env.SetWriteBudget(100);  // the next write does not fit: a short write, then ENOSPC
    auto r = s->Write(MakeBatch(Series3(kT0 + 300'000, 20)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_GE(s->Stats().write_failures, 1u);
    // Reads keep working.
    EXPECT_TRUE(s->Select({}, SelectOptions{}).ok());
    // Still full: refused again.
    EXPECT_FALSE(s->Write(MakeBatch({{"x", "y", kT0, 1}})).ok());
    env.SetWriteBudget(UINT64_MAX);  // space freed
    WriteOk(*s, Series3(kT0 + 600'000, 20, 5));
    AddAcked(acked, Series3(kT0 + 600'000, 20, 5));
    WriteOk(*s, {{"cpu", "h0", kT0 + 900'000, 3.5}});  // a series created before the failure
    AddAcked(acked, {{"cpu", "h0", kT0 + 900'000, 3.5}});
    ASSERT_TRUE(s->Close().ok());
  }
  auto s = OpenOk(Opts());
  Dump now = DumpAll(*s);
  for (const auto& [k, m] : acked) {
    for (const auto& [t, v] : m) EXPECT_EQ(now[k][t], v) << k << " @" << t;
  }
  EXPECT_EQ(s->Stats().wal_unknown_refs, 0u);
}

TEST_F(DiskStoreTest, FailedFsyncRefusesTheWrite) {
  testing::FaultInjectionEnv env(Env::Default());
  auto o = Opts();
  o.env = &env;
  auto s = OpenOk(o);
  WriteOk(*s, Series3(kT0, 5));
  env.SetFailSync(true);
  auto r = s->Write(MakeBatch(Series3(kT0 + 100'000, 5)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  env.SetFailSync(false);
  WriteOk(*s, Series3(kT0 + 200'000, 5));
}

TEST_F(DiskStoreTest, GroupCommitSharesFsyncs) {
  auto s = OpenOk(Opts());
  constexpr int kThreads = 8, kWrites = 50;
  std::vector<std::thread> ts;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        auto r = s->Write(MakeBatch({{"g", "t" + std::to_string(t), kT0 + i, double(i)}}));
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures.load(), 0);
  const auto syncs = s->Stats().wal_syncs;
  EXPECT_LE(syncs, uint64_t{kThreads * kWrites});
  EXPECT_GE(syncs, 1u);
  ASSERT_TRUE(s->Close().ok());
  auto d = DumpAll(*OpenOk(Opts()));
  EXPECT_EQ(d.size(), size_t{kThreads});
  for (const auto& [k, m] : d) EXPECT_EQ(m.size(), size_t{kWrites}) << k;
}

// A crash (power cut) after every possible number of file operations: every write that was
// acknowledged is there after the restart, with its exact value; the store always opens.
TEST_F(DiskStoreTest, CrashAfterAnyFileOperationLosesNoAcknowledgedWrite) {
  auto o = Opts();
  o.wal_segment_bytes = 2048;  // segment rolls happen in the script too
  // The script: writes over 8 h (so blocks are cut, checkpointed, compacted) and reopen.
  auto script = [&](Storage& s, DiskStore& ds, Dump& acked) {
    for (int b = 0; b <= 8 * 6; b += 6) {
      std::vector<Pt> pts = Series3(kT0 + b * 600'000, 4, b);
      auto r = s.Write(MakeBatch(pts));
      if (r.ok()) AddAcked(acked, pts);
      if (b == 30 || b == 48) (void)ds.RunMaintenance();
    }
  };
  // Count the operations of a clean run first.
  uint64_t total = 0;
  {
    testing::FaultInjectionEnv env(Env::Default(), /*real_sync=*/false);
    o.env = &env;
    auto s = OpenOk(o);
    Dump acked;
    script(*s, *s, acked);
    ASSERT_TRUE(s->Close().ok());
    total = env.ops();
    fs::remove_all(dir_);
  }
  ASSERT_GT(total, 50u);
  RecordProperty("file_operations", static_cast<int>(total));
  for (uint64_t n = 1; n <= total; ++n) {
    SCOPED_TRACE("crash after op " + std::to_string(n));
    testing::FaultInjectionEnv env(Env::Default(), /*real_sync=*/false);
    o.env = &env;
    env.CrashAfterOps(n);
    Dump acked;
    {
      auto s = DiskStore::Open(o);
      if (s.ok()) {
        script(**s, **s, acked);
        (void)(*s)->Close();
      }
    }
    ASSERT_TRUE(env.DropUnsyncedData().ok());
    DiskStoreOptions ro = Opts();
    auto s = DiskStore::Open(ro);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Dump now = DumpAll(**s);
    for (const auto& [k, m] : acked) {
      for (const auto& [t, v] : m) {
        auto it = now[k].find(t);
        ASSERT_TRUE(it != now[k].end()) << k << " @" << t << " lost";
        ASSERT_EQ(it->second, v) << k << " @" << t;
      }
    }
    ASSERT_TRUE((*s)->Close().ok());
    fs::remove_all(dir_);
  }
}

TEST_F(DiskStoreTest, IntervalAndOffModesAcknowledgeWithoutFsync) {
  for (FsyncMode mode : {FsyncMode::kInterval, FsyncMode::kOff}) {
    auto o = Opts();
    o.fsync = mode;
    o.fsync_interval_ms = 10;
    o.clock = nullptr;  // the interval thread runs on real time
    {
      auto s = OpenOk(o);
      WriteOk(*s, Series3(kT0, 10));
      EXPECT_EQ(s->Stats().wal_syncs, 0u);  // acknowledged before any fsync
      if (mode == FsyncMode::kInterval) {
        // The background fsync covers it soon (polled: the machine may be busy).
        for (int i = 0; i < 500 && s->Stats().wal_syncs == 0; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        EXPECT_GE(s->Stats().wal_syncs, 1u);
      }
      // Process crash semantics: the record was written before the acknowledgement, so a
      // reader of the directory (a restarted process) sees it even without Close().
      auto other = Opts();
      other.path = dir_ + "_copy";
      fs::remove_all(other.path);
      fs::copy(dir_, other.path, fs::copy_options::recursive);
      fs::remove(other.path + "/LOCK");
      {
        auto copy = OpenOk(other);
        EXPECT_EQ(DumpAll(*copy).size(), 4u);
      }
      fs::remove_all(other.path);
    }
    fs::remove_all(dir_);
  }
}

TEST(FsyncModeTest, Parses) {
  EXPECT_EQ(*ParseFsyncMode("batch"), FsyncMode::kBatch);
  EXPECT_EQ(*ParseFsyncMode("interval"), FsyncMode::kInterval);
  EXPECT_EQ(*ParseFsyncMode("off"), FsyncMode::kOff);
  EXPECT_FALSE(ParseFsyncMode("sometimes").ok());
}

}  // namespace
}  // namespace mm::storage
