#include "core/env.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mm
