// MM_CHECK / MM_DCHECK: programmer errors (broken invariants), never bad input.
// MM_CHECK aborts in every build; MM_DCHECK only in debug and sanitizer builds. Each carries a reason.
#pragma once

namespace mm::internal {
[[noreturn]] void CheckFailed(const char* expr, const char* reason, const char* file, int line);
}  // namespace mm::internal

#define MM_CHECK(cond, reason) \
  ((cond) ? (void)0 : ::mm::internal::CheckFailed(#cond, reason, __FILE__, __LINE__))

#ifdef NDEBUG
#define MM_DCHECK(cond, reason) ((void)0)
#else
#define MM_DCHECK(cond, reason) MM_CHECK(cond, reason)
#endif
