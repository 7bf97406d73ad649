#include "storage/tsdb/wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <condition_variable>
#include <filesystem>
#include <thread>

#include "storage/tsdb/crc32c.h"

namespace mm::storage::tsdb {
namespace {

namespace fs = std::filesystem;

TEST(Crc32cTest, KnownValues) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // Extending equals computing over the concatenation.
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), Crc32c("123456789"));
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);  // RFC 3720 B.4
}

TEST(WalCodecTest, RecordsRoundTrip) {
  std::string key1 = "__name__\xff" "cpu\xff", key2 = "__name__\xff" "mem\xff";
  WriteLog log;
  log.series = {{1, key1}, {7, key2}};
  log.samples = {{1, 1700000000000, 1.5},
                 {7, 1699999999000, -0.0},
                 {1, INT64_MIN, std::bit_cast<double>(uint64_t{0x7ff0000000000002})}};
  log.strings = {{7, 5, "hello"}, {1, -5, ""}};
  std::string out, scratch;
  EncodeWriteLog(log, out, scratch);

  class StringFile : public RandomAccessFile {
   public:
    explicit StringFile(std::string s) : s_(std::move(s)) {}
    Result<std::string_view> Read(uint64_t off, size_t n, char* scratch) const override {
      if (off >= s_.size()) return std::string_view();
      n = std::min<size_t>(n, s_.size() - off);
      std::memcpy(scratch, s_.data() + off, n);
      return std::string_view(scratch, n);
    }
    std::string s_;
  };
  StringFile f(out);
  WalReader r(&f, out.size());
  ASSERT_TRUE(r.Next());
  ASSERT_EQ(r.type(), WalRecordType::kSeries);
  std::vector<WalSeries> series;
  ASSERT_TRUE(DecodeWalSeries(r.payload(), series).ok());
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[1].id, 7u);
  EXPECT_EQ(series[1].key, key2);
  ASSERT_TRUE(r.Next());
  ASSERT_EQ(r.type(), WalRecordType::kSamples);
  std::vector<WriteLog::Float> samples;
  ASSERT_TRUE(DecodeWalSamples(r.payload(), samples).ok());
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[1].t, 1699999999000);
  EXPECT_TRUE(std::signbit(samples[1].v));
  EXPECT_EQ(samples[2].t, INT64_MIN);
  EXPECT_EQ(std::bit_cast<uint64_t>(samples[2].v), 0x7ff0000000000002u);
  ASSERT_TRUE(r.Next());
  std::vector<WriteLog::String> strings;
  ASSERT_TRUE(DecodeWalStrings(r.payload(), strings).ok());
  EXPECT_EQ(strings[0].v, "hello");
  EXPECT_EQ(strings[1].t, -5);
  EXPECT_FALSE(r.Next());
  EXPECT_FALSE(r.corrupt());
  EXPECT_EQ(r.good_offset(), out.size());

  // Every truncation and every single-bit flip is detected, never a crash or a wrong record.
  for (size_t cut = 0; cut < out.size(); ++cut) {
    StringFile t(out.substr(0, cut));
    WalReader tr(&t, cut);
    int n = 0;
    while (tr.Next()) ++n;
    EXPECT_LE(tr.good_offset(), cut);
    EXPECT_EQ(tr.corrupt(), tr.good_offset() != cut);
  }
  for (size_t bit = 0; bit < out.size() * 8; bit += 3) {
    std::string bad = out;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    StringFile t(bad);
    WalReader tr(&t, bad.size());
    while (tr.Next()) {
    }
    EXPECT_TRUE(tr.corrupt()) << "bit " << bit;
  }
}

// A file system whose fsync blocks until released, so the test controls who waits for whom.
class GateEnv : public Env {
 public:
  Result<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
  Result<std::vector<std::string>> ListDir(const std::string& p) override {
    return base_->ListDir(p);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<FsStats> StatFs(const std::string& p) override { return base_->StatFs(p); }
  Status SyncDir(const std::string&) override { return Status::Ok(); }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p, bool a) override {
    MM_ASSIGN_OR_RETURN(auto f, base_->NewWritableFile(p, a));
    return std::unique_ptr<WritableFile>(new File(this, std::move(f)));
  }
  void Close() {
    std::lock_guard l(mu_);
    closed_ = true;
  }
  void Open() {
    std::lock_guard l(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  void WaitForBlockedSync() {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return blocked_ > 0; });
  }
  int syncs() {
    std::lock_guard l(mu_);
    return syncs_;
  }

 private:
  class File : public WritableFile {
   public:
    File(GateEnv* env, std::unique_ptr<WritableFile> f) : env_(env), f_(std::move(f)) {}
    Status Append(std::string_view d) override { return f_->Append(d); }
    Status Flush() override { return f_->Flush(); }
    Status Sync() override {
      std::unique_lock l(env_->mu_);
      ++env_->blocked_;
      env_->cv_.notify_all();
      env_->cv_.wait(l, [&] { return !env_->closed_; });
      --env_->blocked_;
      ++env_->syncs_;
      return f_->Flush();
    }
    Status Close() override { return f_->Close(); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    GateEnv* env_;
    std::unique_ptr<WritableFile> f_;
  };
  Env* base_ = Env::Default();
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int blocked_ = 0, syncs_ = 0;
};

TEST(WalTest, GroupCommitOneFsyncForEveryWriterWaiting) {
  const std::string dir = (fs::temp_directory_path() /
                           ("mm_wal_test_" + std::to_string(::getpid())))
                              .string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  GateEnv env;
  auto wal = Wal::Create(&env, dir, 1, WalOptions{});
  ASSERT_TRUE(wal.ok());
  std::string rec;
  AppendWalRecord(rec, WalRecordType::kSeries, "\x00");
  env.Close();
  // Writer 0 becomes the leader and blocks inside its fsync.
  const uint64_t s0 = (*wal)->Add(rec);
  std::thread leader([&] { EXPECT_TRUE((*wal)->Commit(s0).ok()); });
  env.WaitForBlockedSync();
  // Ten more writers queue records and wait meanwhile.
  std::vector<std::thread> waiters;
  for (int i = 0; i < 10; ++i) {
    const uint64_t s = (*wal)->Add(rec);
    waiters.emplace_back([&, s] { EXPECT_TRUE((*wal)->Commit(s).ok()); });
  }
  env.Open();
  leader.join();
  for (auto& t : waiters) t.join();
  // One fsync for the leader, one shared by all ten (whoever leads next takes every record).
  EXPECT_EQ(env.syncs(), 2);
  EXPECT_EQ((*wal)->syncs(), 2u);
  ASSERT_TRUE((*wal)->Close().ok());
  EXPECT_EQ(fs::file_size(dir + "/00000001"), rec.size() * 11);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mm::storage::tsdb
