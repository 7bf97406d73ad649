#include "core/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

namespace mm {

namespace {

std::string ErrnoMessage(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

class PosixEnv : public Env {
 public:
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
