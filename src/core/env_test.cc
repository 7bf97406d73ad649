#include "core/env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace mm {
namespace {

TEST(EnvTest, PosixReadsProcFilesWithZeroSize) {
  auto r = Env::Default()->ReadFile("/proc/self/stat");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->empty());
  auto missing = Env::Default()->ReadFile("/nonexistent/file");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(EnvTest, FakeEnvListsDirectories) {
  FakeEnv env;
  env.SetFile("/sys/class/net/eth0/statistics/rx_bytes", "1");
  env.SetFile("/sys/class/net/lo/statistics/rx_bytes", "2");
  auto names = env.ListDir("/sys/class/net");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"eth0", "lo"}));
  EXPECT_TRUE(env.FileExists("/sys/class/net/lo"));
  EXPECT_FALSE(env.FileExists("/sys/class/net/wlan0"));
  EXPECT_FALSE(env.StatFs("/").ok());
  env.SetStatFs("/", FsStats{4096, 10, 5, 4, 100, 50});
  EXPECT_EQ(env.StatFs("/")->blocks_avail, 4u);
}

TEST(EnvTest, PosixStatFsOfRoot) {
  auto s = Env::Default()->StatFs("/");
  ASSERT_TRUE(s.ok());
  EXPECT_GT(s->blocks, 0u);
}

class PosixFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("mm_env_test_" + std::to_string(::getpid())))
               .string();
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(env_->CreateDir(dir_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Env* env_ = Env::Default();
  std::string dir_;
};

TEST_F(PosixFilesTest, WriteAppendReadRenameTruncateDelete) {
  const std::string a = dir_ + "/a", b = dir_ + "/b";
  {
    auto f = env_->NewWritableFile(a);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("hello ").ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  {
    auto f = env_->NewWritableFile(a, /*append=*/true);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ((*f)->Size(), 6u);
    ASSERT_TRUE((*f)->Append(std::string(100000, 'x')).ok());  // larger than the buffer
    ASSERT_TRUE((*f)->Close().ok());
  }
  EXPECT_EQ(*env_->FileSize(a), 100006u);
  auto r = env_->NewRandomAccessFile(a);
  ASSERT_TRUE(r.ok());
  char scratch[16];
  auto got = (*r)->Read(3, 5, scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "lo xx");
  auto tail = (*r)->Read(100000, 16, scratch);
  EXPECT_EQ(tail->size(), 6u);  // short only at the end
  {
    auto m = env_->MapFile(a);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ((*m)->data().size(), 100006u);
    EXPECT_EQ((*m)->data().substr(3, 5), "lo xx");
    EXPECT_EQ(env_->MapFile(dir_ + "/missing").status().code(), StatusCode::kNotFound);
  }
  ASSERT_TRUE(env_->RenameFile(a, b).ok());
  EXPECT_FALSE(env_->FileExists(a));
  ASSERT_TRUE(env_->TruncateFile(b, 4).ok());
  EXPECT_EQ(*env_->ReadFile(b), "hell");
  ASSERT_TRUE(env_->SyncDir(dir_).ok());
  ASSERT_TRUE(env_->DeleteFile(b).ok());
  EXPECT_EQ(env_->DeleteFile(b).code(), StatusCode::kNotFound);
  EXPECT_EQ(*env_->ListDir(dir_), std::vector<std::string>{});
}

TEST_F(PosixFilesTest, SecondLockIsRefusedWithThePid) {
  auto lock = env_->LockFile(dir_ + "/LOCK");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  auto second = env_->LockFile(dir_ + "/LOCK");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(dir_ + "/LOCK"), std::string::npos);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  ASSERT_TRUE(env_->UnlockFile(std::move(lock).value()).ok());
  EXPECT_TRUE(env_->LockFile(dir_ + "/LOCK").ok());
}

TEST(EnvTest, ReadOnlyEnvsRefuseWrites) {
  FakeEnv env;
  EXPECT_EQ(env.NewWritableFile("/x").status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mm
