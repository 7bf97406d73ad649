// metrics-manager: the command line — run the daemon, query it, write line protocol to it.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/export_import.h"
#include "cli/plot.h"

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

  PlotCommandOptions plot;
  auto* plot_cmd = app.add_subcommand(
      "plot", "Render a metric, PromQL expression or visualize.yaml panel to PNG/SVG/PDF");
  plot_cmd->add_option("metric", plot.metric, "Metric name (or any PromQL expression)");
  plot_cmd->add_option("--query", plot.query, "PromQL expression (instead of a metric)");
  plot_cmd->add_option("--panel", plot.panel, "A panel of visualize.yaml");
  plot_cmd->add_option("--timeframe", plot.timeframe,
                       "last_15m, last_hour, last_24h, last_7d, 30m, 1h, START/END "
                       "(default: visualize.yaml's, else last_hour)");
  plot_cmd->add_option("--start", plot.start, "Range start: RFC 3339 or unix seconds");
  plot_cmd->add_option("--end", plot.end, "Range end: RFC 3339 or unix seconds (default: now)");
  plot_cmd->add_option("-o,--output", plot.output,
                       "Output file; .png, .svg or .pdf (default: <metric>.png)");
  plot_cmd->add_option("--server", plot.server, "Server URL")->capture_default_str();
  plot_cmd->add_option("--config", plot.config_dir,
                       "Directory of visualize.yaml (default: ./config if present)");
  plot_cmd->add_option("--width", plot.width, "Width in pixels");
  plot_cmd->add_option("--height", plot.height, "Height in pixels");
  plot_cmd->add_option("--theme", plot.theme, "light or dark");
  plot_cmd->add_option("--title", plot.title, "Title (default: the query)");
  plot_cmd->add_option("--unit", plot.unit, "percent, bytes, bytes/s, seconds, or any text");
  plot_cmd->add_option("--y-min", plot.y_min, "Fixed bottom of the y axis");
  plot_cmd->add_option("--y-max", plot.y_max, "Fixed top of the y axis");
  plot_cmd->add_flag("--stacked", plot.stacked, "Stack the series");
  plot_cmd->add_flag("--utc", plot.utc, "Time labels in UTC (default: local time)");

  ExportOptions exp;
  auto* export_cmd = app.add_subcommand(
      "export", "Print raw samples as JSON lines (VictoriaMetrics' export format + strings)");
  export_cmd->add_option("--match", exp.match, "Series selector, repeatable (default: all)");
  export_cmd->add_option("--start", exp.start, "Start: RFC 3339 or unix seconds");
  export_cmd->add_option("--end", exp.end, "End: RFC 3339 or unix seconds");
  export_cmd->add_option("--server", exp.server, "Server URL")->capture_default_str();

  ImportOptions imp;
  auto* import_cmd =
      app.add_subcommand("import", "Import JSON lines (the export format) from stdin");
  import_cmd->add_option("--server", imp.server, "Server URL")->capture_default_str();
  import_cmd->add_option("--chunk-lines", imp.chunk_lines, "Series (lines) per request")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  if (run_cmd->parsed()) return RunCommand(run);
  if (query_cmd->parsed()) return QueryCommand(query, std::cout, std::cerr);
  if (write_cmd->parsed()) return WriteCommand(write, std::cin, std::cout, std::cerr);
  if (export_cmd->parsed()) return ExportCommand(exp, std::cout, std::cerr);
  if (import_cmd->parsed()) return ImportCommand(imp, std::cin, std::cout, std::cerr);
  if (plot_cmd->parsed()) {
    if (plot.metric.empty() && plot.query.empty() && plot.panel.empty()) {
      std::cerr << "error: plot needs a metric, --query or --panel\n";
      return 1;
    }
    return PlotCommand(plot, std::cout, std::cerr);
  }
  if (version_cmd->parsed()) return VersionCommand(std::cout);
  return 1;
}
