#include "storage/tsdb/testing/fault_injection_env.h"

#include <algorithm>

namespace mm::storage::testing {

namespace {

std::string Parent(const std::string& path) {
  size_t p = path.rfind('/');
  return p == std::string::npos ? "." : path.substr(0, p);
}

bool Under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// Deletes a directory tree through `env` (files first).
void RemoveTree(Env* env, const std::string& path) {
  auto names = env->ListDir(path);
  if (names.ok()) {
    for (const std::string& n : *names) RemoveTree(env, path + "/" + n);
    (void)env->DeleteDir(path);
  } else {
    (void)env->DeleteFile(path);
  }
}

}  // namespace

class FaultInjectionEnv::File : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    MM_RETURN_IF_ERROR(env_->Op("append", path_));
    uint64_t allowed = 0;
    Status budget = env_->ConsumeBudget(data.size(), &allowed);
    if (!budget.ok()) {
      // The part that fits reaches the file (a short write), then the error.
      if (allowed > 0) (void)base_->Append(data.substr(0, allowed));
      (void)base_->Flush();
      return Status::IoError("write " + path_ + ": " + budget.message());
    }
    return base_->Append(data);
  }
  Status Flush() override {
    MM_RETURN_IF_ERROR(env_->Op("flush", path_));
    return base_->Flush();
  }
  Status Sync() override {
    MM_RETURN_IF_ERROR(env_->Op("fsync", path_));
    if (env_->fail_sync_) {
      (void)base_->Flush();  // written but not durable
      return Status::IoError("fdatasync " + path_ + ": Input/output error (injected)");
    }
    MM_RETURN_IF_ERROR(env_->real_sync_ ? base_->Sync() : base_->Flush());
    env_->FileSynced(path_, base_->Size());
    return Status::Ok();
  }
  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    if (env_->crashed()) return Status::IoError("close " + path_ + ": simulated crash");
    MM_RETURN_IF_ERROR(env_->Op("close", path_));
    return base_->Close();
  }
  uint64_t Size() const override { return base_->Size(); }
  ~File() override {
    // A crashed process never flushes its buffers: drop them by not closing through base
    // (its destructor would flush), which DropUnsyncedData() then cuts anyway.
    (void)Close();
  }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
  bool closed_ = false;
};

void FaultInjectionEnv::SetWriteBudget(uint64_t bytes) {
  std::lock_guard lock(mu_);
  budget_ = bytes;
}

void FaultInjectionEnv::CrashAfterOps(uint64_t n) {
  std::lock_guard lock(mu_);
  crash_at_ = n == 0 ? 0 : ops_.load() + n;
}

Status FaultInjectionEnv::Op(const char* what, const std::string& path) {
  std::lock_guard lock(mu_);
  if (crashed_) return Status::IoError(std::string(what) + " " + path + ": simulated crash");
  const uint64_t n = ++ops_;
  if (crash_at_ != 0 && n >= crash_at_) {
    crashed_ = true;
    return Status::IoError(std::string(what) + " " + path + ": simulated crash");
  }
  return Status::Ok();
}

Status FaultInjectionEnv::ConsumeBudget(uint64_t want, uint64_t* allowed) {
  std::lock_guard lock(mu_);
  if (budget_ == UINT64_MAX) return Status::Ok();
  if (want <= budget_) {
    budget_ -= want;
    return Status::Ok();
  }
  *allowed = budget_;
  budget_ = 0;
  return Status::IoError("No space left on device (injected)");
}

void FaultInjectionEnv::FileSynced(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  files_[path].synced = size;
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path,
                                                                         bool append) {
  MM_RETURN_IF_ERROR(Op("create", path));
  const bool existed = base_->FileExists(path);
  MM_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, base_->NewWritableFile(path, append));
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) {
      // A file we did not write before: what it holds now was durable (written before us).
      FileState st;
      st.synced = append ? f->Size() : 0;
      st.entry_synced = existed;
      files_[path] = st;
    } else if (!append) {
      it->second.synced = 0;
    }
  }
  return std::unique_ptr<WritableFile>(new File(this, path, std::move(f)));
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  MM_RETURN_IF_ERROR(Op("rename", from));
  MM_RETURN_IF_ERROR(base_->RenameFile(from, to));
  std::lock_guard lock(mu_);
  std::map<std::string, FileState> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from || Under(it->first, from)) {
      moved[to + it->first.substr(from.size())] = it->second;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  files_.erase(to);
  for (auto& [p, st] : moved) files_[p] = st;
  for (std::string& d : new_dirs_) {
    if (d == from || Under(d, from)) d = to + d.substr(from.size());
  }
  renames_.emplace_back(from, to);
  return Status::Ok();
}

Status FaultInjectionEnv::DeleteFile(const std::string& path) {
  MM_RETURN_IF_ERROR(Op("unlink", path));
  MM_RETURN_IF_ERROR(base_->DeleteFile(path));
  std::lock_guard lock(mu_);
  files_.erase(path);
  return Status::Ok();
}

Status FaultInjectionEnv::CreateDir(const std::string& path) {
  MM_RETURN_IF_ERROR(Op("mkdir", path));
  const bool existed = base_->FileExists(path);
  MM_RETURN_IF_ERROR(base_->CreateDir(path));
  std::lock_guard lock(mu_);
  if (!existed) new_dirs_.push_back(path);
  return Status::Ok();
}

Status FaultInjectionEnv::DeleteDir(const std::string& path) {
  MM_RETURN_IF_ERROR(Op("rmdir", path));
  MM_RETURN_IF_ERROR(base_->DeleteDir(path));
  std::lock_guard lock(mu_);
  std::erase(new_dirs_, path);
  return Status::Ok();
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  MM_RETURN_IF_ERROR(Op("truncate", path));
  MM_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  // Truncation is metadata: treat it as durable only once synced; keep the smaller size.
  if (it != files_.end()) it->second.synced = std::min(it->second.synced, size);
  return Status::Ok();
}

Status FaultInjectionEnv::SyncDir(const std::string& path) {
  MM_RETURN_IF_ERROR(Op("fsync dir", path));
  if (real_sync_) MM_RETURN_IF_ERROR(base_->SyncDir(path));
  std::lock_guard lock(mu_);
  for (auto& [p, st] : files_) {
    if (Parent(p) == path) st.entry_synced = true;
  }
  std::erase_if(new_dirs_, [&](const std::string& d) { return Parent(d) == path; });
  std::erase_if(renames_, [&](const auto& r) { return Parent(r.second) == path; });
  return Status::Ok();
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard lock(mu_);
  // Renames whose target directory was not synced are undone, newest first.
  for (auto it = renames_.rbegin(); it != renames_.rend(); ++it) {
    const auto& [from, to] = *it;
    if (!base_->FileExists(to)) continue;
    MM_RETURN_IF_ERROR(base_->RenameFile(to, from));
    std::map<std::string, FileState> moved;
    for (auto f = files_.begin(); f != files_.end();) {
      if (f->first == to || Under(f->first, to)) {
        moved[from + f->first.substr(to.size())] = f->second;
        f = files_.erase(f);
      } else {
        ++f;
      }
    }
    for (auto& [p, st] : moved) files_[p] = st;
    for (std::string& d : new_dirs_) {
      if (d == to || Under(d, to)) d = from + d.substr(to.size());
    }
  }
  renames_.clear();
  for (auto& [path, st] : files_) {
    if (!base_->FileExists(path)) continue;
    if (!st.entry_synced) {
      MM_RETURN_IF_ERROR(base_->DeleteFile(path));
      continue;
    }
    auto size = base_->FileSize(path);
    if (size.ok() && *size > st.synced) {
      MM_RETURN_IF_ERROR(base_->TruncateFile(path, st.synced));
    }
  }
  // Directories created and never made durable vanish with what they hold (newest first).
  for (auto it = new_dirs_.rbegin(); it != new_dirs_.rend(); ++it) {
    if (base_->FileExists(*it)) RemoveTree(base_, *it);
  }
  new_dirs_.clear();
  files_.clear();
  crashed_ = false;
  crash_at_ = 0;
  budget_ = UINT64_MAX;
  fail_sync_ = false;
  return Status::Ok();
}

}  // namespace mm::storage::testing
