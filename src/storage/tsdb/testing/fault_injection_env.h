// FaultInjectionEnv (tests only): wraps a real Env (usually Env::Default() over a temp dir) and
// injects the faults a database must survive, deterministically: a full disk (ENOSPC after a
// byte budget, with the short write that comes before it), failing fsync, and a crash after
// the Nth mutating file operation, after which every operation fails. DropUnsyncedData() then
// makes the directory look like it would after a power cut (leveldb's fault_injection_test
// idea): files are cut back to their last synced size, files and renames whose directory was
// not synced are undone. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"

namespace mm::storage::testing {

class FaultInjectionEnv : public Env {
 public:
  // real_sync = false: fsync is only simulated (tracked, not done), which makes tests that
  // crash hundreds of times fast; the simulated durability is the same.
  explicit FaultInjectionEnv(Env* base, bool real_sync = true)
      : base_(base), real_sync_(real_sync) {}

  // --- Faults. ---
  // Appends beyond `bytes` more bytes fail with "No space left on device" (the bytes that fit
  // are written first: a short write). UINT64_MAX = unlimited.
  void SetWriteBudget(uint64_t bytes);
  void SetFailSync(bool fail) { fail_sync_ = fail; }
  // The Nth mutating operation from now (1 = the next) and all after it fail, as if the
  // process had died just before it. 0 = never.
  void CrashAfterOps(uint64_t n);
  bool crashed() const { return crashed_; }
  // Mutating operations done so far (Append, Flush, Sync, Close, create, rename, delete,
  // mkdir, truncate, SyncDir).
  uint64_t ops() const { return ops_; }
  // Undoes everything not made durable (see above) and clears the faults.
  Status DropUnsyncedData();

  // --- Env. ---
  Result<std::string> ReadFile(const std::string& path) override { return base_->ReadFile(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return base_->ListDir(path);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Result<FsStats> StatFs(const std::string& path) override { return base_->StatFs(path); }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool append) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  Result<std::unique_ptr<MappedFile>> MapFile(const std::string& path) override {
    return base_->MapFile(path);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status DeleteFile(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }
  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    return base_->UnlockFile(std::move(lock));
  }

 private:
  class File;
  friend class File;
  struct FileState {
    uint64_t synced = 0;      // bytes durable by fsync
    bool entry_synced = true;  // its directory entry is durable
  };

  // Counts a mutating operation; false (and the crash status) once crashed.
  Status Op(const char* what, const std::string& path);
  Status ConsumeBudget(uint64_t want, uint64_t* allowed);
  void FileSynced(const std::string& path, uint64_t size);

  Env* base_;
  const bool real_sync_;
  std::mutex mu_;
  std::map<std::string, FileState> files_;      // files written through this Env
  std::vector<std::string> new_dirs_;           // created, parent not synced since
  std::vector<std::pair<std::string, std::string>> renames_;  // from, to; not dir-synced
  std::atomic<uint64_t> ops_{0};
  uint64_t crash_at_ = 0;
  std::atomic<bool> crashed_{false};
  std::atomic<bool> fail_sync_{false};
  uint64_t budget_ = UINT64_MAX;
};

}  // namespace mm::storage::testing
