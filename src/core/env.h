// Env: every file-system access of the engine goes through here (leveldb's pattern), so tests run
// on recorded fixtures (RootedEnv over tests/data/...) or an in-memory FakeEnv, and can inject
// faults (storage/tsdb/testing/fault_injection_env.h). Env::Default() is the real POSIX one.
// Implementations are thread-safe; a WritableFile is used by one thread at a time, a
// RandomAccessFile by any number.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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

// A file being written (appended to). Append may buffer; Flush hands the buffer to the OS
// (survives a process crash); Sync also makes it durable (fdatasync; survives power loss).
// After a failed Append, Flush or Sync the file's tail is unknown: the caller abandons it.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Flush() = 0;
  virtual Status Sync() = 0;  // Flush + fdatasync
  virtual Status Close() = 0;  // Flush + close (no sync)
  // Bytes appended so far (including buffered ones).
  virtual uint64_t Size() const = 0;
};

// A file read at offsets (pread), from any thread.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Up to n bytes at `offset` into `scratch` (fewer only at the end of the file); the view
  // points into scratch.
  virtual Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const = 0;
};

// A read-only view of a whole file, valid while the object lives: mmap(2) on the POSIX Env
// (pages are read on first touch and may be dropped by the kernel under memory pressure), the
// file read into memory on the others. The file must not shrink while it is mapped.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view data() const = 0;
};

// An advisory lock on a file (released by UnlockFile or when the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
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

  // What a database needs. The defaults answer FailedPrecondition ("not supported"), so the
  // read-only Envs (RootedEnv, FakeEnv) need not implement them.
  // Creates or truncates `path` (append = false), or opens it for appending (append = true).
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool append = false);
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path);
  // The whole file as a MappedFile. The default reads it with ReadFile.
  virtual Result<std::unique_ptr<MappedFile>> MapFile(const std::string& path);
  virtual Result<uint64_t> FileSize(const std::string& path);
  // rename(2): atomic replacement of `to` (files, or a directory onto a missing name).
  virtual Status RenameFile(const std::string& from, const std::string& to);
  virtual Status DeleteFile(const std::string& path);
  virtual Status CreateDir(const std::string& path);  // ok if it exists
  virtual Status DeleteDir(const std::string& path);  // must be empty
  virtual Status TruncateFile(const std::string& path, uint64_t size);
  // fsync of a directory, so that creations, renames and deletions in it are durable.
  virtual Status SyncDir(const std::string& path);
  // Takes an exclusive lock on `path` (created if missing) and writes our pid into it. If
  // another process (or another open in this one) holds it: FailedPrecondition naming the
  // path and, when known, the holder's pid.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path);
  virtual Status UnlockFile(std::unique_ptr<FileLock> lock);

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
