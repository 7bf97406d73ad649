#include "core/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

namespace mm {

namespace {

std::string ErrnoMessage(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  if (err == ENOENT) return Status::NotFound(ErrnoMessage(what, path, err));
  return Status::IoError(ErrnoMessage(what, path, err));
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }

  Status Append(std::string_view data) override {
    size_ += data.size();
    if (buf_.size() + data.size() <= kBufferBytes) {
      buf_.append(data);
      return Status::Ok();
    }
    MM_RETURN_IF_ERROR(Flush());
    if (data.size() <= kBufferBytes) {
      buf_.append(data);
      return Status::Ok();
    }
    return WriteAll(data);
  }
  Status Flush() override {
    if (buf_.empty()) return Status::Ok();
    Status s = WriteAll(buf_);
    buf_.clear();
    return s;
  }
  Status Sync() override {
    MM_RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_, errno);
    fd_ = -1;
    return s;
  }
  uint64_t Size() const override { return size_; }

 private:
  static constexpr size_t kBufferBytes = 64 << 10;
  Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  std::string path_;
  int fd_;
  uint64_t size_;
  std::string buf_;
};

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("pread", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    return std::string_view(scratch, got);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock : public FileLock {
 public:
  PosixFileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixMappedFile : public MappedFile {
 public:
  PosixMappedFile(void* p, size_t size) : p_(p), size_(size) {}
  ~PosixMappedFile() override {
    if (p_ != nullptr) ::munmap(p_, size_);
  }
  std::string_view data() const override {
    return {static_cast<const char*>(p_), size_};
  }

 private:
  void* p_;
  size_t size_;
};

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool append) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    uint64_t size = 0;
    if (append) {
      struct stat st;
      if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        return ErrnoStatus("fstat", path, err);
      }
      size = static_cast<uint64_t>(st.st_size);
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, size));
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
  }
  Result<std::unique_ptr<MappedFile>> MapFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("fstat", path, err);
    }
    const size_t size = static_cast<size_t>(st.st_size);
    void* p = nullptr;
    if (size > 0) {
      p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return ErrnoStatus("mmap", path, err);
      }
    }
    ::close(fd);  // the mapping keeps the file open
    return std::unique_ptr<MappedFile>(new PosixMappedFile(p, size));
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from, errno);
    return Status::Ok();
  }
  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }
  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir", path, errno);
    }
    return Status::Ok();
  }
  Status DeleteDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return ErrnoStatus("rmdir", path, errno);
    return Status::Ok();
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("truncate", path, errno);
    }
    return Status::Ok();
  }
  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    Status s;
    if (::fsync(fd) != 0) s = ErrnoStatus("fsync", path, errno);
    ::close(fd);
    return s;
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      std::string holder;
      char buf[32];
      ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      if (n > 0) {
        buf[n] = 0;
        long pid = std::strtol(buf, nullptr, 10);
        if (pid > 0) holder = " (pid " + std::to_string(pid) + ")";
      }
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Status::FailedPrecondition("lock " + path + ": held by another process" + holder +
                                          "; is another metrics-manager using this directory?");
      }
      return ErrnoStatus("flock", path, err);
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("write", path, err);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(path, fd));
  }
  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    lock.reset();
    return Status::Ok();
  }

  Result<std::string> ReadFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT) return Status::NotFound(ErrnoMessage("open", path, err));
      return Status::IoError(ErrnoMessage("open", path, err));
    }
    std::string out;
    char buf[16384];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return Status::IoError(ErrnoMessage("read", path, err));
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
      int err = errno;
      if (err == ENOENT) return Status::NotFound(ErrnoMessage("opendir", path, err));
      return Status::IoError(ErrnoMessage("opendir", path, err));
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      names.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<FsStats> StatFs(const std::string& path) override {
    struct statvfs s;
    if (::statvfs(path.c_str(), &s) != 0) {
      return Status::IoError(ErrnoMessage("statvfs", path, errno));
    }
    FsStats out;
    out.block_size = s.f_frsize;
    out.blocks = s.f_blocks;
    out.blocks_free = s.f_bfree;
    out.blocks_avail = s.f_bavail;
    out.files = s.f_files;
    out.files_free = s.f_ffree;
    return out;
  }
};

class RootedEnv : public Env {
 public:
  explicit RootedEnv(std::string root) : root_(std::move(root)) {}
  Result<std::string> ReadFile(const std::string& path) override {
    return Env::Default()->ReadFile(root_ + path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return Env::Default()->ListDir(root_ + path);
  }
  bool FileExists(const std::string& path) override {
    return Env::Default()->FileExists(root_ + path);
  }
  Result<FsStats> StatFs(const std::string& path) override {
    auto text = Env::Default()->ReadFile(root_ + "/statfs.txt");
    if (!text.ok()) return text.status();
    std::istringstream in(*text);
    std::string mount;
    FsStats s;
    while (in >> mount >> s.block_size >> s.blocks >> s.blocks_free >> s.blocks_avail >> s.files >>
           s.files_free) {
      if (mount == path) return s;
    }
    return Status::NotFound("no statfs entry for " + path);
  }

 private:
  std::string root_;
};

}  // namespace

namespace {
Status NotSupported(const char* what) {
  return Status::FailedPrecondition(std::string(what) + " is not supported by this Env");
}
}  // namespace

Result<std::unique_ptr<WritableFile>> Env::NewWritableFile(const std::string&, bool) {
  return NotSupported("NewWritableFile");
}
Result<std::unique_ptr<RandomAccessFile>> Env::NewRandomAccessFile(const std::string&) {
  return NotSupported("NewRandomAccessFile");
}

namespace {
class StringMappedFile : public MappedFile {
 public:
  explicit StringMappedFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view data() const override { return bytes_; }

 private:
  std::string bytes_;
};
}  // namespace

Result<std::unique_ptr<MappedFile>> Env::MapFile(const std::string& path) {
  MM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return std::unique_ptr<MappedFile>(new StringMappedFile(std::move(bytes)));
}
Result<uint64_t> Env::FileSize(const std::string&) { return NotSupported("FileSize"); }
Status Env::RenameFile(const std::string&, const std::string&) {
  return NotSupported("RenameFile");
}
Status Env::DeleteFile(const std::string&) { return NotSupported("DeleteFile"); }
Status Env::CreateDir(const std::string&) { return NotSupported("CreateDir"); }
Status Env::DeleteDir(const std::string&) { return NotSupported("DeleteDir"); }
Status Env::TruncateFile(const std::string&, uint64_t) { return NotSupported("TruncateFile"); }
Status Env::SyncDir(const std::string&) { return NotSupported("SyncDir"); }
Result<std::unique_ptr<FileLock>> Env::LockFile(const std::string&) {
  return NotSupported("LockFile");
}
Status Env::UnlockFile(std::unique_ptr<FileLock>) { return NotSupported("UnlockFile"); }

Env* Env::Default() {
  static Env* env = new PosixEnv;
  return env;
}

std::unique_ptr<Env> NewRootedEnv(std::string root) {
  return std::make_unique<RootedEnv>(std::move(root));
}

void FakeEnv::SetFile(const std::string& path, std::string contents) {
  std::lock_guard lock(mu_);
  files_[path] = std::move(contents);
}
void FakeEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  files_.erase(path);
}
void FakeEnv::SetStatFs(const std::string& path, FsStats stats) {
  std::lock_guard lock(mu_);
  statfs_[path] = stats;
}
Result<std::string> FakeEnv::ReadFile(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("no such file: " + path);
  return it->second;
}
Result<std::vector<std::string>> FakeEnv::ListDir(const std::string& path) {
  std::lock_guard lock(mu_);
  std::string prefix = path;
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  std::set<std::string> names;
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = it->first.substr(prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  }
  if (names.empty()) return Status::NotFound("no such directory: " + path);
  return std::vector<std::string>(names.begin(), names.end());
}
bool FakeEnv::FileExists(const std::string& path) {
  std::lock_guard lock(mu_);
  if (files_.count(path)) return true;
  std::string prefix = path + "/";
  auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}
Result<FsStats> FakeEnv::StatFs(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = statfs_.find(path);
  if (it == statfs_.end()) return Status::NotFound("no statfs entry for " + path);
  return it->second;
}

}  // namespace mm
