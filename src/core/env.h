// Env: every file-system access of the engine goes through here (leveldb's pattern), so tests run
// on recorded fixtures (RootedEnv over tests/data/...) or an in-memory FakeEnv, and can inject
// faults. Env::Default() is the real POSIX one. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"

namespace mm {

struct FsStats {
  uint64_t block_size = 0;    // f_frsize
  uint64_t blocks = 0;        // f_blocks
  uint64_t blocks_free = 0;   // f_bfree
  uint64_t blocks_avail = 0;  // f_bavail (for unprivileged users)
  uint64_t files = 0;         // f_files
  uint64_t files_free = 0;    // f_ffree
};

class Env {
 public:
  virtual ~Env() = default;
  // The whole file (works for /proc files whose size is reported as 0).
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Entry names in a directory (no "." or ".."), sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // statvfs(2) of a mount point.
  virtual Result<FsStats> StatFs(const std::string& path) = 0;

  // The process-wide POSIX Env; never destroyed.
  static Env* Default();
};

// Reads and lists below `root` (e.g. a recorded /proc + /sys fixture); StatFs answers from
// "<root>/statfs.txt" lines "MOUNT BLOCK_SIZE BLOCKS FREE AVAIL FILES FILES_FREE".
std::unique_ptr<Env> NewRootedEnv(std::string root);

// An in-memory Env for tests: files and statfs answers are set by the test.
class FakeEnv : public Env {
 public:
  void SetFile(const std::string& path, std::string contents);
  void RemoveFile(const std::string& path);
  void SetStatFs(const std::string& path, FsStats stats);

  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<FsStats> StatFs(const std::string& path) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  std::map<std::string, FsStats> statfs_;
};

}  // namespace mm
