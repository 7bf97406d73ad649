#include "cli/export_import.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "server/testing/http_client.h"

namespace mm::cli {

namespace {

// Retries 503/429 (the store is busy or cannot make writes durable) after Retry-After.
Result<server::ClientResponse> PostWithRetry(server::HttpClient& client, const std::string& target,
                                             std::string_view body) {
  Result<server::ClientResponse> r = Status::Unavailable("not sent");
  for (int attempt = 0;; ++attempt) {
    r = client.Post(target, body, "application/x-ndjson");
    if (!r.ok() || (r->status != 503 && r->status != 429) || attempt == 4) return r;
    int wait_s = 1;
    const std::string ra = r->Header("Retry-After");
    std::from_chars(ra.data(), ra.data() + ra.size(), wait_s);
    std::this_thread::sleep_for(std::chrono::seconds(std::clamp(wait_s, 1, 30)));
  }
}

}  // namespace

int ExportCommand(const ExportOptions& o, std::ostream& out, std::ostream& err) {
  auto url = server::ParseHttpUrl(o.server);
  if (!url.ok()) {
    err << "error: " << url.status().message() << "\n";
    return 1;
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (const std::string& m : o.match) params.emplace_back("match[]", m);
  if (!o.start.empty()) params.emplace_back("start", o.start);
  if (!o.end.empty()) params.emplace_back("end", o.end);
  std::string target = "/api/v1/export";  // the client adds the base path
  if (!params.empty()) target += "?" + server::FormEncode(params);
  server::HttpClient client(*url, 600'000);
  // Written out as it arrives: the server streams the export, and so does this command.
  client.set_body_sink([&](std::string_view piece) {
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    return out.good();
  });
  auto r = client.Get(target);
  if (!r.ok()) {
    err << "error: " << r.status().message() << "\n";
    return 1;
  }
  if (r->status != 200) {
    err << "error: HTTP " << r->status << ": " << r->body.substr(0, 1000) << "\n";
    return 1;
  }
  out.flush();
  return out.good() ? 0 : 1;
}

int ImportCommand(const ImportOptions& o, std::istream& in, std::ostream& out,
                  std::ostream& err) {
  auto url = server::ParseHttpUrl(o.server);
  if (!url.ok()) {
    err << "error: " << url.status().message() << "\n";
    return 1;
  }
  const std::string target = "/api/v1/import";
  server::HttpClient client(*url, 600'000);
  size_t line_no = 0, series = 0, failed_lines = 0;
  bool failed = false;
  std::string chunk, line;
  size_t chunk_first = 1, chunk_lines = 0;
  auto send = [&]() -> bool {
    if (chunk_lines == 0) return true;
    auto r = PostWithRetry(client, target, chunk);
    chunk.clear();
    const size_t first = chunk_first, n = chunk_lines;
    chunk_lines = 0;
    chunk_first = line_no + 1;
    if (!r.ok()) {
      err << "error: " << r.status().message() << "\n";
      return false;
    }
    if (r->status == 204 || r->status == 200) {
      series += n;
      return true;
    }
    if (r->status == 400) {
      // Bad lines are named by number within the request: renumber for the whole input.
      err << RenumberLines(r->body, first - 1) << "\n";
      failed = true;
      ++failed_lines;
      return true;  // the good lines of that request were stored
    }
    err << "error: HTTP " << r->status << ": " << r->body.substr(0, 1000) << "\n";
    return false;
  };
  while (std::getline(in, line)) {
    ++line_no;
    chunk.append(line).push_back('\n');
    ++chunk_lines;
    if (chunk_lines >= o.chunk_lines || chunk.size() >= o.chunk_bytes) {
      if (!send()) return 1;
    }
  }
  if (!send()) return 1;
  out << "imported " << series << " lines (series) from " << line_no << " lines";
  if (failed) out << ", with errors in " << failed_lines << " requests";
  out << "\n";
  return failed ? 1 : 0;
}

}  // namespace mm::cli
