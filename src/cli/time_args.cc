#include "cli/time_args.h"

#include "core/duration.h"
#include "server/prom_json.h"

namespace mm::cli {

Result<int64_t> ParseCliTime(std::string_view text, int64_t now_ms) {
  if (text == "now") return now_ms;
  if (text.starts_with("now+") || text.starts_with("now-")) {
    auto d = ParseDurationOrSecondsMillis(text.substr(4));
    if (!d.ok()) {
      return Status::InvalidArgument("invalid time \"" + std::string(text) +
                                     "\": " + d.status().message());
    }
    return text[3] == '+' ? now_ms + *d : now_ms - *d;
  }
  auto t = ParseTimeMillis(text);
  if (!t.ok()) {
    return Status::InvalidArgument("invalid time \"" + std::string(text) +
                                   "\": use RFC 3339 (2026-01-02T15:04:05Z), unix seconds, now, "
                                   "or now-DURATION (now-1h)");
  }
  return t;
}

Result<int64_t> ParseCliDuration(std::string_view text) {
  auto d = ParseDurationOrSecondsMillis(text);
  if (!d.ok()) {
    return Status::InvalidArgument("invalid duration \"" + std::string(text) +
                                   "\": use 15s, 1m, 1h30m or seconds");
  }
  if (*d <= 0) {
    return Status::InvalidArgument("invalid duration \"" + std::string(text) +
                                   "\": must be positive");
  }
  return d;
}

std::string UnixSecondsParam(int64_t ms) {
  std::string out;
  server::AppendPromTimestamp(out, ms);
  return out;
}

}  // namespace mm::cli
