// metrics-manager: the command line — run the daemon, query it, write line protocol to it.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

#ifndef MM_HAVE_RUN
namespace mm::cli {
int RunCommand(const RunOptions&) {
  std::cerr << "error: this build has no engine (mm_api was not built)\n";
  return 1;
}
}  // namespace mm::cli
#endif

int main(int argc, char** argv) {
  using namespace mm::cli;
  CLI::App app{"metrics-manager: collect, store, query and show metrics"};
  app.require_subcommand(1);

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run the collector, store and HTTP server");
  run_cmd->add_option("--config", run.config_dir, "Config directory (default: ./config)");
  run_cmd->add_option("--listen", run.listen, "HTTP listen address HOST:PORT (port 0: any)");
  run_cmd->add_option("--data-dir", run.data_dir, "Data directory (default: in memory)");

  QueryOptions query;
  auto* query_cmd = app.add_subcommand("query", "Run a PromQL query against a server");
  query_cmd->add_option("promql", query.expr, "PromQL expression")->required();
  auto* time_opt = query_cmd->add_option(
      "--time", query.time, "Instant query time: RFC 3339, unix seconds, now, now-1h");
  query_cmd->add_option("--start", query.start, "Range start (default: end - 1h)")
      ->excludes(time_opt);
  query_cmd->add_option("--end", query.end, "Range end (default: now)")->excludes(time_opt);
  query_cmd->add_option("--step", query.step, "Range step: 15s, 1m, seconds (default: ~250 points)")
      ->excludes(time_opt);
  query_cmd->add_option("--server", query.server, "Server URL")->capture_default_str();
  query_cmd->add_flag("--json", query.json, "Print the server's JSON answer");

  WriteOptions write;
  auto* write_cmd =
      app.add_subcommand("write", "Write line protocol from stdin to a server's /write");
  write_cmd->add_option("--server", write.server, "Server URL")->capture_default_str();
  write_cmd->add_option("--precision", write.precision, "Timestamp precision: ns us ms s m h");
  write_cmd->add_option("--db", write.db, "Database name (passed as db=)");
  write_cmd->add_option("--chunk-lines", write.chunk_lines, "Lines per request")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  if (run_cmd->parsed()) return RunCommand(run);
  if (query_cmd->parsed()) return QueryCommand(query, std::cout, std::cerr);
  if (write_cmd->parsed()) return WriteCommand(write, std::cin, std::cout, std::cerr);
  if (version_cmd->parsed()) return VersionCommand(std::cout);
  return 1;
}
