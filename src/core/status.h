// Status and Result<T>: how the engine reports expected failures (bad input, I/O, a peer down)
// without exceptions. Both are [[nodiscard]] value types; a Result holds a T or a non-ok Status.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/check.h"

namespace mm {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a user or a client (HTTP 400)
  kNotFound,            // HTTP 404
  kAlreadyExists,
  kFailedPrecondition,  // wrong state (e.g. started twice)
  kResourceExhausted,   // a queue or limit is full (HTTP 429 / 503)
  kUnavailable,         // cannot be done now, retry later (HTTP 503)
  kIoError,
  kCorruption,          // bytes on disk are not what the format says
  kCanceled,
  kDeadlineExceeded,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Canceled(std::string m) { return {StatusCode::kCanceled, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: message" (or "OK").
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    MM_DCHECK(!std::get<Status>(v_).ok(), "a Result is built from a non-ok Status only");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & {
    MM_DCHECK(ok(), "value() of a failed Result");
    return std::get<T>(v_);
  }
  const T& value() const& {
    MM_DCHECK(ok(), "value() of a failed Result");
    return std::get<T>(v_);
  }
  T&& value() && {
    MM_DCHECK(ok(), "value() of a failed Result");
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mm

#define MM_STATUS_CONCAT_INNER(a, b) a##b
#define MM_STATUS_CONCAT(a, b) MM_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not ok.
#define MM_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::mm::Status mm_status_tmp_ = (expr);        \
    if (!mm_status_tmp_.ok()) return mm_status_tmp_; \
  } while (0)

// `lhs = value of rexpr`, or return its Status.
#define MM_ASSIGN_OR_RETURN(lhs, rexpr) \
  MM_ASSIGN_OR_RETURN_IMPL(MM_STATUS_CONCAT(mm_result_, __LINE__), lhs, rexpr)
#define MM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
