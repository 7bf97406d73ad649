// mm_bench_load: replays an Influx line-protocol file against an HTTP `/write` endpoint (ours or
// VictoriaMetrics) with N keep-alive connections and reports ingest throughput.
//
// The whole file is read into memory and cut into requests of --lines lines before the clock
// starts, so disk reads are not measured. Each worker thread owns one blocking POSIX socket and
// takes the next request from a shared atomic index; a minimal HTTP/1.1 writer/reader (length
// or chunked bodies) keeps the client light. Every response must be 204: other answers are
// counted as failures, and non-2xx ones are printed with their body. 429/503 (back-pressure) are
// retried after Retry-After (capped) and counted as retries, not failures.
//
// The last line of output is machine-readable: "RESULT key=value ...".

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/write";
  int connections = 4;
  int64_t lines_per_request = 5000;
  int max_attempts = 5;
  std::string file;
};

struct Request {
  size_t begin = 0;  // byte range of the body in the file buffer
  size_t end = 0;
  int64_t lines = 0;
  int64_t values = 0;
};

struct Stats {
  std::atomic<int64_t> requests_ok{0};
  std::atomic<int64_t> failures{0};
  std::atomic<int64_t> retries{0};
  std::atomic<int64_t> lines_ok{0};
  std::atomic<int64_t> values_ok{0};
  std::mutex print_mu;
  int printed_errors = 0;
};

void Usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --port P [--host H] [--path /write] [-c CONNECTIONS] "
               "[--lines LINES_PER_REQUEST] FILE\n"
               "   or: %s --url http://HOST:PORT/PATH [...] FILE\n"
               "Defaults: --host 127.0.0.1 --path /write -c 4 --lines 5000\n",
               argv0, argv0);
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseUrl(std::string_view url, Options* opts) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  url.remove_prefix(kScheme.size());
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  opts->path = slash == std::string_view::npos ? "/write" : std::string(url.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return false;
  int64_t port = 0;
  if (!ParseInt(authority.substr(colon + 1), &port) || port <= 0 || port > 65535) return false;
  opts->host = std::string(authority.substr(0, colon));
  opts->port = static_cast<int>(port);
  return true;
}

bool ParseArgs(int argc, char** argv, Options* opts) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto next = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    int64_t n = 0;
    if (arg == "-h" || arg == "--help") {
      Usage(argv[0]);
      std::exit(0);
    } else if (arg == "--host") {
      auto v = next();
      if (!v) return false;
      opts->host = std::string(*v);
    } else if (arg == "--port") {
      auto v = next();
      if (!v || !ParseInt(*v, &n) || n <= 0 || n > 65535) return false;
      opts->port = static_cast<int>(n);
    } else if (arg == "--path") {
      auto v = next();
      if (!v || v->empty() || (*v)[0] != '/') return false;
      opts->path = std::string(*v);
    } else if (arg == "--url") {
      auto v = next();
      if (!v || !ParseUrl(*v, opts)) return false;
    } else if (arg == "-c" || arg == "--connections") {
      auto v = next();
      if (!v || !ParseInt(*v, &n) || n <= 0 || n > 1024) return false;
      opts->connections = static_cast<int>(n);
    } else if (arg == "--lines") {
      auto v = next();
      if (!v || !ParseInt(*v, &n) || n <= 0) return false;
      opts->lines_per_request = n;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "unknown argument: %s\n", argv[i]);
      return false;
    } else if (opts->file.empty()) {
      opts->file = std::string(arg);
    } else {
      std::fprintf(stderr, "only one FILE is accepted\n");
      return false;
    }
  }
  if (opts->port == 0 || opts->file.empty()) return false;
  return true;
}

bool ReadWholeFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::fprintf(stderr, "stat %s: %s\n", path.c_str(), std::strerror(errno));
    ::close(fd);
    return false;
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out->size()) {
    ssize_t n = ::read(fd, out->data() + got, out->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::fprintf(stderr, "read %s: %s\n", path.c_str(), n == 0 ? "short read" : std::strerror(errno));
      ::close(fd);
      return false;
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return true;
}

// Number of fields of one line-protocol line: commas in the field set + 1. The field set starts
// after the first unescaped space; string field values may contain escaped quotes and spaces.
int64_t CountFields(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] != ' ') i += line[i] == '\\' ? 2 : 1;
  if (i >= line.size()) return 0;
  int64_t fields = 1;
  bool in_string = false;
  for (++i; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      in_string = !in_string;
    } else if (!in_string && c == ',') {
      ++fields;
    } else if (!in_string && c == ' ') {
      break;
    }
  }
  return fields;
}

std::vector<Request> SplitRequests(const std::string& data, int64_t lines_per_request) {
  std::vector<Request> requests;
  Request cur;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    size_t end = nl == std::string::npos ? data.size() : nl + 1;
    std::string_view line(data.data() + pos, end - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (!line.empty() && line[0] != '#') {
      ++cur.lines;
      cur.values += CountFields(line);
    }
    cur.end = end;
    pos = end;
    if (cur.lines == lines_per_request) {
      requests.push_back(cur);
      cur = Request{.begin = pos, .end = pos};
    }
  }
  if (cur.lines > 0) requests.push_back(cur);
  return requests;
}

// One keep-alive HTTP/1.1 connection with just enough of the protocol for POST + response.
class Connection {
 public:
  Connection(const Options& opts, const sockaddr_storage& addr, socklen_t addr_len)
      : opts_(opts), addr_(addr), addr_len_(addr_len) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  struct Response {
    int status = 0;
    std::string body;
    double retry_after_s = 0;
  };

  // Sends one POST and reads its response. On a transport error returns false with `error` set;
  // the connection is closed and the next call reconnects.
  bool Post(std::string_view body, Response* resp, std::string* error) {
    if (fd_ < 0 && !Connect(error)) return false;
    char header[512];
    int hlen = std::snprintf(header, sizeof(header),
                             "POST %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: mm_bench_load\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Length: %zu\r\n\r\n",
                             opts_.path.c_str(), opts_.host.c_str(), opts_.port, body.size());
    iovec iov[2] = {{header, static_cast<size_t>(hlen)},
                    {const_cast<char*>(body.data()), body.size()}};
    if (!WriteAll(iov, 2, error) || !ReadResponse(resp, error)) {
      Close();
      return false;
    }
    return true;
  }

 private:
  bool Connect(std::string* error) {
    fd_ = ::socket(addr_.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      *error = std::string("socket: ") + std::strerror(errno);
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval tv{.tv_sec = 300, .tv_usec = 0};  // a stuck server fails the run, not hangs it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr_), addr_len_) != 0) {
      *error = std::string("connect: ") + std::strerror(errno);
      Close();
      return false;
    }
    in_.clear();
    in_pos_ = 0;
    return true;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool WriteAll(iovec* iov, int count, std::string* error) {
    while (count > 0) {
      ssize_t n = ::writev(fd_, iov, count);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = std::string("write: ") + std::strerror(errno);
        return false;
      }
      size_t left = static_cast<size_t>(n);
      while (count > 0 && left >= iov->iov_len) {
        left -= iov->iov_len;
        ++iov;
        --count;
      }
      if (count > 0) {
        iov->iov_base = static_cast<char*>(iov->iov_base) + left;
        iov->iov_len -= left;
      }
    }
    return true;
  }

  // Makes at least `n` unread bytes available in in_[in_pos_..].
  bool Fill(size_t n, std::string* error) {
    if (in_pos_ > 0 && in_pos_ == in_.size()) {
      in_.clear();
      in_pos_ = 0;
    }
    while (in_.size() - in_pos_ < n) {
      char buf[16384];
      ssize_t got = ::read(fd_, buf, sizeof(buf));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        *error = got == 0 ? "connection closed by server" : std::string("read: ") + std::strerror(errno);
        return false;
      }
      in_.append(buf, static_cast<size_t>(got));
    }
    return true;
  }

  bool ReadLine(std::string* line, std::string* error) {
    for (;;) {
      size_t nl = in_.find("\r\n", in_pos_);
      if (nl != std::string::npos) {
        line->assign(in_, in_pos_, nl - in_pos_);
        in_pos_ = nl + 2;
        return true;
      }
      if (in_.size() - in_pos_ > 65536) {
        *error = "response line too long";
        return false;
      }
      if (!Fill(in_.size() - in_pos_ + 1, error)) return false;
    }
  }

  bool ReadBytes(size_t n, std::string* out, std::string* error) {
    if (!Fill(n, error)) return false;
    out->append(in_, in_pos_, n);
    in_pos_ += n;
    return true;
  }

  static bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  }

  bool ReadResponse(Response* resp, std::string* error) {
    std::string line;
    do {  // skip any "100 Continue" interim responses
      if (!ReadLine(&line, error)) return false;
      if (line.size() < 12 || line.compare(0, 5, "HTTP/") != 0) {
        *error = "bad status line: " + line;
        return false;
      }
      resp->status = std::atoi(line.c_str() + 9);
      bool interim = resp->status >= 100 && resp->status < 200;
      int64_t content_length = -1;
      bool chunked = false;
      bool close = line.compare(0, 8, "HTTP/1.0") == 0;
      for (;;) {
        if (!ReadLine(&line, error)) return false;
        if (line.empty()) break;
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string_view name(line.data(), colon);
        std::string_view value(line.data() + colon + 1, line.size() - colon - 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (IEquals(name, "Content-Length")) {
          if (!ParseInt(value, &content_length)) {
            *error = "bad Content-Length";
            return false;
          }
        } else if (IEquals(name, "Transfer-Encoding")) {
          chunked = value.find("chunked") != std::string_view::npos;
        } else if (IEquals(name, "Connection")) {
          if (IEquals(value, "close")) close = true;
          if (IEquals(value, "keep-alive")) close = false;
        } else if (IEquals(name, "Retry-After")) {
          resp->retry_after_s = std::atof(std::string(value).c_str());
        }
      }
      if (interim) continue;
      resp->body.clear();
      if (chunked) {
        for (;;) {
          if (!ReadLine(&line, error)) return false;
          size_t size = std::strtoul(line.c_str(), nullptr, 16);
          if (size == 0) {
            do {  // trailers
              if (!ReadLine(&line, error)) return false;
            } while (!line.empty());
            break;
          }
          if (!ReadBytes(size, &resp->body, error) || !ReadLine(&line, error)) return false;
        }
      } else if (content_length > 0) {
        if (!ReadBytes(static_cast<size_t>(content_length), &resp->body, error)) return false;
      } else if (content_length < 0 && resp->status != 204 && resp->status != 304) {
        // Body delimited by connection close.
        while (Fill(in_.size() - in_pos_ + 1, error)) {
        }
        resp->body.append(in_, in_pos_, std::string::npos);
        in_pos_ = in_.size();
        close = true;
      }
      if (close) Close();
      return true;
    } while (true);
  }

  const Options& opts_;
  sockaddr_storage addr_;
  socklen_t addr_len_;
  int fd_ = -1;
  std::string in_;
  size_t in_pos_ = 0;
};

void Worker(const Options& opts, const sockaddr_storage& addr, socklen_t addr_len,
            const std::string& data, const std::vector<Request>& requests,
            std::atomic<size_t>* next, Stats* stats) {
  Connection conn(opts, addr, addr_len);
  Connection::Response resp;
  std::string error;
  for (;;) {
    size_t i = next->fetch_add(1, std::memory_order_relaxed);
    if (i >= requests.size()) return;
    const Request& req = requests[i];
    std::string_view body(data.data() + req.begin, req.end - req.begin);
    bool done = false;
    for (int attempt = 1; attempt <= opts.max_attempts && !done; ++attempt) {
      if (!conn.Post(body, &resp, &error)) {
        if (attempt < opts.max_attempts) {
          stats->retries.fetch_add(1);
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        std::lock_guard<std::mutex> lock(stats->print_mu);
        std::fprintf(stderr, "request %zu: %s\n", i, error.c_str());
        break;
      }
      if ((resp.status == 429 || resp.status == 503) && attempt < opts.max_attempts) {
        stats->retries.fetch_add(1);
        double wait_s = std::clamp(resp.retry_after_s, 0.05, 2.0);
        std::this_thread::sleep_for(std::chrono::duration<double>(wait_s));
        continue;
      }
      if (resp.status == 204) {
        done = true;
        break;
      }
      std::lock_guard<std::mutex> lock(stats->print_mu);
      if (stats->printed_errors++ < 10) {
        std::string shown = resp.body.substr(0, 1000);
        std::fprintf(stderr, "request %zu: HTTP %d%s: %s\n", i, resp.status,
                     resp.status >= 200 && resp.status < 300 ? " (expected 204)" : "",
                     shown.c_str());
      }
      break;
    }
    if (done) {
      stats->requests_ok.fetch_add(1, std::memory_order_relaxed);
      stats->lines_ok.fetch_add(req.lines, std::memory_order_relaxed);
      stats->values_ok.fetch_add(req.values, std::memory_order_relaxed);
    } else {
      stats->failures.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  if (!ParseArgs(argc, argv, &opts)) {
    Usage(argv[0]);
    return 2;
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_str = std::to_string(opts.port);
  if (int rc = ::getaddrinfo(opts.host.c_str(), port_str.c_str(), &hints, &res); rc != 0) {
    std::fprintf(stderr, "resolve %s: %s\n", opts.host.c_str(), gai_strerror(rc));
    return 2;
  }
  sockaddr_storage addr{};
  std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
  socklen_t addr_len = res->ai_addrlen;
  ::freeaddrinfo(res);

  std::string data;
  if (!ReadWholeFile(opts.file, &data)) return 2;
  std::vector<Request> requests = SplitRequests(data, opts.lines_per_request);
  int64_t total_lines = 0;
  int64_t total_values = 0;
  for (const Request& r : requests) {
    total_lines += r.lines;
    total_values += r.values;
  }
  std::printf("loaded %s: %zu bytes, %lld lines, %lld values, %zu requests of <= %lld lines\n",
              opts.file.c_str(), data.size(), static_cast<long long>(total_lines),
              static_cast<long long>(total_values), requests.size(),
              static_cast<long long>(opts.lines_per_request));
  std::printf("sending to http://%s:%d%s with %d connections\n", opts.host.c_str(), opts.port,
              opts.path.c_str(), opts.connections);
  std::fflush(stdout);

  Stats stats;
  std::atomic<size_t> next{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < opts.connections; ++i) {
    threads.emplace_back(Worker, std::cref(opts), std::cref(addr), addr_len, std::cref(data),
                         std::cref(requests), &next, &stats);
  }
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const long long ok_values = stats.values_ok.load();
  std::printf("wall %.3f s, requests %lld ok / %lld failed (%lld retries), lines %lld, "
              "values %lld, %.0f values/s, %.0f lines/s, %.1f MB/s\n",
              wall, static_cast<long long>(stats.requests_ok.load()),
              static_cast<long long>(stats.failures.load()),
              static_cast<long long>(stats.retries.load()),
              static_cast<long long>(stats.lines_ok.load()), ok_values,
              static_cast<double>(ok_values) / wall,
              static_cast<double>(stats.lines_ok.load()) / wall,
              static_cast<double>(data.size()) / wall / 1e6);
  std::printf("RESULT wall_s=%.3f requests=%lld failures=%lld retries=%lld lines=%lld "
              "values=%lld values_per_s=%.0f\n",
              wall, static_cast<long long>(stats.requests_ok.load()),
              static_cast<long long>(stats.failures.load()),
              static_cast<long long>(stats.retries.load()),
              static_cast<long long>(stats.lines_ok.load()), ok_values,
              static_cast<double>(ok_values) / wall);
  return stats.failures.load() == 0 ? 0 : 1;
}
