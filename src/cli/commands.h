// The `metrics-manager` subcommands. Each returns the process exit code (0 ok, 1 failure) and
// writes results to `out`, diagnostics to `err`, so tests can run them in-process.
// `run` lives in run.cc (it links the whole engine through mm_api); the rest are HTTP clients.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mm::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8750";

struct RunOptions {
  std::string config_dir;  // "" = ./config if it exists, else the built-in defaults
  std::string listen;      // overrides the config's listen address
  std::string data_dir;    // overrides the config's data directory
};
int RunCommand(const RunOptions& options);

struct QueryOptions {
  std::string expr;
  std::string time;                // instant query at this time (default: the server's now)
  std::string start, end, step;    // any of them set → range query
  std::string server = kDefaultServer;
  bool json = false;               // print the server's JSON as it is
};
int QueryCommand(const QueryOptions& options, std::ostream& out, std::ostream& err);

// A Prometheus API success body → readable text: a table (series | timestamp | value) for a
// vector, one block per series for a matrix. Fails on a body that is not a success answer.
Result<std::string> FormatQueryResponse(std::string_view body);

struct WriteOptions {
  std::string server = kDefaultServer;
  std::string precision;  // "" = ns
  std::string db;
  size_t chunk_lines = 5000;
  size_t chunk_bytes = 8 << 20;
};
int WriteCommand(const WriteOptions& options, std::istream& in, std::ostream& out,
                 std::ostream& err);

// Adds `offset` to every "line N" in a server message, so errors of a chunk name lines of the
// whole file.
std::string RenumberLines(std::string_view message, size_t offset);

// Splits line protocol into chunks of whole points (a quoted string value may span lines).
class LineChunker {
 public:
  LineChunker(std::istream& in, size_t max_lines, size_t max_bytes)
      : in_(in), max_lines_(max_lines), max_bytes_(max_bytes) {}
  struct Chunk {
    std::string text;
    size_t first_line = 1;  // 1-based line number of the chunk's first line in the input
    size_t lines = 0;       // physical lines
    size_t points = 0;      // lines that start a point (not blank, not a comment)
  };
  // False at the end of the input.
  bool Next(Chunk* chunk);

 private:
  std::istream& in_;
  size_t max_lines_, max_bytes_;
  size_t next_line_ = 1;
};

int VersionCommand(std::ostream& out);

}  // namespace mm::cli
