#include <boost/json.hpp>

#include <charconv>
#include <chrono>
#include <thread>

#include "cli/commands.h"
#include "server/testing/http_client.h"

namespace mm::cli {

namespace json = boost::json;

bool LineChunker::Next(Chunk* chunk) {
  chunk->text.clear();
  chunk->first_line = next_line_;
  chunk->lines = 0;
  chunk->points = 0;
  bool in_string = false;  // inside a quoted field value that continues on the next line
  std::string line;
  while (true) {
    // Cut only between points, never inside a multi-line string.
    if (!in_string && (chunk->lines >= max_lines_ || chunk->text.size() >= max_bytes_)) break;
    if (!std::getline(in_, line)) break;
    bool eof_without_newline = in_.eof();
    ++chunk->lines;
    ++next_line_;
    if (!in_string) {
      size_t first = line.find_first_not_of(" \t\r");
      if (first != std::string::npos && line[first] != '#') ++chunk->points;
      if (first == std::string::npos || line[first] == '#') {
        chunk->text.append(line).push_back('\n');
        continue;
      }
    }
    // Track unescaped double quotes: an odd count leaves a string value open.
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;
      } else if (line[i] == '"') {
        in_string = !in_string;
      }
    }
    chunk->text.append(line);
    if (!eof_without_newline) chunk->text.push_back('\n');
  }
  return chunk->lines > 0;
}

std::string RenumberLines(std::string_view msg, size_t offset) {
  std::string out;
  size_t i = 0;
  while (i < msg.size()) {
    size_t hit = msg.find("line ", i);
    if (hit == std::string_view::npos) break;
    size_t d = hit + 5;
    size_t e = d;
    while (e < msg.size() && msg[e] >= '0' && msg[e] <= '9') ++e;
    out.append(msg.substr(i, d - i));
    if (e > d) {
      size_t n = 0;
      std::from_chars(msg.data() + d, msg.data() + e, n);
      out.append(std::to_string(n + offset));
    }
    i = e;
  }
  out.append(msg.substr(i));
  return out;
}

namespace {

// "(3 points written, 2 lines rejected)" at the end of a partial-write message.
bool ParseCounts(std::string_view msg, size_t* written, size_t* rejected) {
  size_t open = msg.rfind('(');
  if (open == std::string_view::npos) return false;
  std::string_view tail = msg.substr(open + 1);
  auto [p1, ec1] = std::from_chars(tail.data(), tail.data() + tail.size(), *written);
  if (ec1 != std::errc()) return false;
  size_t comma = tail.find(", ");
  if (comma == std::string_view::npos) return false;
  auto [p2, ec2] = std::from_chars(tail.data() + comma + 2, tail.data() + tail.size(), *rejected);
  return ec2 == std::errc();
}

std::string ErrorMessage(const server::ClientResponse& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    for (const char* key : {"error", "message"}) {
      if (const json::value* e = v.as_object().if_contains(key); e && e->is_string()) {
        return std::string(e->as_string());
      }
    }
  }
  return "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 500);
}

}  // namespace

int WriteCommand(const WriteOptions& o, std::istream& in, std::ostream& out, std::ostream& err) {
  auto url = server::ParseHttpUrl(o.server);
  if (!url.ok()) {
    err << "error: " << url.status().message() << "\n";
    return 1;
  }
  std::vector<std::pair<std::string, std::string>> params;
  if (!o.db.empty()) params.emplace_back("db", o.db);
  if (!o.precision.empty()) params.emplace_back("precision", o.precision);
  std::string target = "/write";
  if (!params.empty()) target += "?" + server::FormEncode(params);

  server::HttpClient client(*url);
  LineChunker chunker(in, o.chunk_lines, o.chunk_bytes);
  LineChunker::Chunk chunk;
  size_t written = 0, rejected = 0, lines = 0;
  bool failed = false;
  while (chunker.Next(&chunk)) {
    lines += chunk.lines;
    Result<server::ClientResponse> r = Status::Unavailable("not sent");
    // The server answers 503/429 with Retry-After when the store is busy: wait and retry.
    for (int attempt = 0;; ++attempt) {
      r = client.Post(target, chunk.text, "text/plain; charset=utf-8");
      if (!r.ok() || (r->status != 503 && r->status != 429) || attempt == 4) break;
      int wait_s = 1;
      std::from_chars(r->Header("Retry-After").data(),
                      r->Header("Retry-After").data() + r->Header("Retry-After").size(), wait_s);
      std::this_thread::sleep_for(std::chrono::seconds(std::clamp(wait_s, 1, 30)));
    }
    if (!r.ok()) {
      err << "error: " << r.status().message() << "\n";
      failed = true;
      break;
    }
    if (r->status == 204 || r->status == 200) {
      written += chunk.points;
      continue;
    }
    std::string msg = RenumberLines(ErrorMessage(*r), chunk.first_line - 1);
    size_t w = 0, rj = 0;
    if (r->status == 400 && ParseCounts(msg, &w, &rj)) {
      written += w;
      rejected += rj;
      err << "error: " << msg << "\n";
      continue;  // the good lines were stored; go on with the rest of the file
    }
    err << "error: lines " << chunk.first_line << "-" << chunk.first_line + chunk.lines - 1
        << ": " << msg << "\n";
    failed = true;
    break;
  }
  out << "wrote " << written << " points from " << lines << " lines";
  if (rejected > 0) out << ", " << rejected << " lines rejected";
  out << "\n";
  return failed || rejected > 0 ? 1 : 0;
}

}  // namespace mm::cli
