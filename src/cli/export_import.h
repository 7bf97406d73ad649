// `metrics-manager export` and `import`: raw samples as JSON lines (docs/export_format.md)
// through a server's /api/v1/export and /api/v1/import. Each returns the exit code (0 ok,
// 1 failure), results to `out`, diagnostics to `err`. Not thread-safe (one call at a time).
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace mm::cli {

struct ExportOptions {
  std::vector<std::string> match;  // series selectors; none = every series
  std::string start, end;          // RFC 3339 or Unix seconds; "" = unbounded
  std::string server = kDefaultServer;
};
int ExportCommand(const ExportOptions& options, std::ostream& out, std::ostream& err);

struct ImportOptions {
  std::string server = kDefaultServer;
  size_t chunk_lines = 1000;      // series (lines) per request
  size_t chunk_bytes = 16 << 20;  // or this many bytes, whichever comes first
};
int ImportCommand(const ImportOptions& options, std::istream& in, std::ostream& out,
                  std::ostream& err);

}  // namespace mm::cli
