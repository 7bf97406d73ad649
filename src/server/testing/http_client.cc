#include "server/testing/http_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace mm::server {

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

constexpr size_t kMaxLine = 1 << 20;

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) return v;
  }
  return {};
}

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("invalid server URL \"" + std::string(url) + "\": " + why);
  };
  std::string_view s = url;
  if (s.starts_with("http://")) {
    s.remove_prefix(7);
  } else if (s.starts_with("https://")) {
    return bad("https is not supported");
  } else if (s.find("://") != std::string_view::npos) {
    return bad("only http:// is supported");
  }
  size_t slash = s.find('/');
  std::string_view hostport = s.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  HttpUrl out;
  out.base_path = std::string(path);
  std::string_view port;
  if (!hostport.empty() && hostport[0] == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    out.host = std::string(hostport.substr(1, close - 1));
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return bad("garbage after ']'");
      port = rest.substr(1);
    }
  } else {
    size_t colon = hostport.rfind(':');
    out.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
  }
  if (out.host.empty()) return bad("missing host");
  if (!port.empty()) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) {
      return bad("bad port");
    }
    out.port = static_cast<uint16_t>(p);
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(UrlEncode(k));
    out.push_back('=');
    out.append(UrlEncode(v));
  }
  return out;
}

HttpClient::HttpClient(std::string host, uint16_t port, int timeout_ms)
    : host_(std::move(host)), port_(port), timeout_ms_(timeout_ms) {}

HttpClient::HttpClient(const HttpUrl& url, int timeout_ms)
    : host_(url.host), port_(url.port), base_path_(url.base_path), timeout_ms_(timeout_ms) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
  buf_pos_ = 0;
}

Status HttpClient::Connect() {
  Close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(port_);
  int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    return Status::Unavailable("cannot resolve " + host_ + ": " + gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // also bounds connect(2)
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      fd_ = fd;
      break;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (fd_ < 0) {
    return Status::Unavailable("cannot connect to " + host_ + ":" + port + ": " + last_error);
  }
  ++connections_opened_;
  server_closes_ = false;
  return Status::Ok();
}

Status HttpClient::SendAll(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(std::string("send failed: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status HttpClient::Fill() {
  if (buf_pos_ > 0 && buf_pos_ == buf_.size()) {
    buf_.clear();
    buf_pos_ = 0;
  }
  char tmp[65536];
  while (true) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      return Status::Ok();
    }
    if (n == 0) return Status::Unavailable("connection closed by the server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return Status::DeadlineExceeded("timed out waiting for the server");
    }
    return Status::Unavailable(std::string("recv failed: ") + std::strerror(errno));
  }
}

Result<std::string> HttpClient::ReadLine() {
  while (true) {
    size_t nl = buf_.find('\n', buf_pos_);
    if (nl != std::string::npos) {
      std::string line = buf_.substr(buf_pos_, nl - buf_pos_);
      buf_pos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buf_.size() - buf_pos_ > kMaxLine) return Status::Corruption("response line too long");
    MM_RETURN_IF_ERROR(Fill());
  }
}

Status HttpClient::ReadExactly(size_t n, std::string* out) {
  while (buf_.size() - buf_pos_ < n) {
    size_t have = buf_.size() - buf_pos_;
    out->append(buf_, buf_pos_, have);
    n -= have;
    buf_.clear();
    buf_pos_ = 0;
    MM_RETURN_IF_ERROR(Fill());
  }
  out->append(buf_, buf_pos_, n);
  buf_pos_ += n;
  return Status::Ok();
}

Result<ClientResponse> HttpClient::ReadResponse(bool head_request) {
  ClientResponse r;
  while (true) {  // skip 1xx interim responses
    MM_ASSIGN_OR_RETURN(std::string status_line, ReadLine());
    // "HTTP/1.1 200 OK"
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) {
      return Status::Corruption("bad HTTP status line: \"" + status_line + "\"");
    }
    std::string_view code = std::string_view(status_line).substr(9, 3);
    auto [p, ec] = std::from_chars(code.data(), code.data() + 3, r.status);
    if (ec != std::errc()) return Status::Corruption("bad HTTP status: " + status_line);
    r.headers.clear();
    while (true) {
      MM_ASSIGN_OR_RETURN(std::string line, ReadLine());
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) return Status::Corruption("bad header line: " + line);
      r.headers.emplace_back(std::string(Trim(std::string_view(line).substr(0, colon))),
                             std::string(Trim(std::string_view(line).substr(colon + 1))));
    }
    if (r.status >= 200) break;
  }
  std::string connection = r.Header("Connection");
  server_closes_ = IEquals(connection, "close");
  if (head_request || r.status == 204 || r.status == 304) return r;

  std::string te = r.Header("Transfer-Encoding");
  std::string cl = r.Header("Content-Length");
  const bool to_sink = sink_ && r.status >= 200 && r.status < 300;
  // Moves what was read into r.body to the sink (when there is one for this answer).
  auto drain = [&]() -> Status {
    if (!to_sink || r.body.empty()) return Status::Ok();
    const bool go_on = sink_(r.body);
    r.body.clear();
    if (!go_on) {
      Close();
      return Status::Canceled("body sink stopped reading");
    }
    return Status::Ok();
  };
  if (IEquals(te, "chunked")) {
    while (true) {
      MM_ASSIGN_OR_RETURN(std::string size_line, ReadLine());
      size_t size = 0;
      std::string_view hex = Trim(std::string_view(size_line).substr(0, size_line.find(';')));
      auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
      if (ec != std::errc() || hex.empty()) return Status::Corruption("bad chunk size");
      if (size == 0) {
        while (true) {  // trailers
          MM_ASSIGN_OR_RETURN(std::string t, ReadLine());
          if (t.empty()) break;
        }
        break;
      }
      MM_RETURN_IF_ERROR(ReadExactly(size, &r.body));
      MM_RETURN_IF_ERROR(drain());
      MM_ASSIGN_OR_RETURN(std::string crlf, ReadLine());
    }
  } else if (!cl.empty()) {
    size_t n = 0;
    auto [p, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), n);
    if (ec != std::errc()) return Status::Corruption("bad Content-Length: " + cl);
    MM_RETURN_IF_ERROR(ReadExactly(n, &r.body));
    MM_RETURN_IF_ERROR(drain());
  } else {
    // No length: the body runs to the end of the connection.
    r.body.append(buf_, buf_pos_);
    buf_.clear();
    buf_pos_ = 0;
    MM_RETURN_IF_ERROR(drain());
    while (true) {
      Status s = Fill();
      if (!s.ok()) break;
      r.body.append(buf_);
      buf_.clear();
      MM_RETURN_IF_ERROR(drain());
    }
    server_closes_ = true;
  }
  return r;
}

Result<ClientResponse> HttpClient::SendRaw(std::string_view raw, bool head_request) {
  if (fd_ < 0 || server_closes_) MM_RETURN_IF_ERROR(Connect());
  MM_RETURN_IF_ERROR(SendAll(raw));
  auto r = ReadResponse(head_request);
  if (!r.ok() || server_closes_) Close();
  return r;
}

Result<ClientResponse> HttpClient::Request(std::string_view method, std::string_view target,
                                           const HeaderList& headers, std::string_view body) {
  std::string req;
  req.reserve(256 + target.size() + body.size());
  req.append(method).append(" ").append(base_path_).append(target).append(" HTTP/1.1\r\n");
  req.append("Host: ").append(host_).append(":").append(std::to_string(port_)).append("\r\n");
  req.append("User-Agent: metrics-manager-client\r\n");
  bool has_length = false;
  for (const auto& [k, v] : headers) {
    req.append(k).append(": ").append(v).append("\r\n");
    has_length |= IEquals(k, "Content-Length");
  }
  if (!has_length && (!body.empty() || method == "POST" || method == "PUT")) {
    req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  req.append("\r\n");
  bool head = method == "HEAD";

  // A kept-alive connection may have been closed by the server meanwhile (idle timeout): if
  // nothing at all comes back on a reused connection, reconnect once and resend.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = fd_ >= 0 && !server_closes_;
    if (!reused) MM_RETURN_IF_ERROR(Connect());
    Status s = SendAll(req);
    if (s.ok() && !body.empty()) s = SendAll(body);
    if (!s.ok()) {
      Close();
      if (reused) continue;
      return s;
    }
    size_t before = buf_.size() - buf_pos_;
    auto r = ReadResponse(head);
    if (!r.ok()) {
      bool nothing_read = before == 0 && buf_.empty();
      Close();
      if (reused && nothing_read && r.status().code() == StatusCode::kUnavailable) continue;
      return r.status();
    }
    if (server_closes_) Close();
    return r;
  }
  return Status::Unavailable("connection to " + host_ + " lost");
}

Result<ClientResponse> HttpClient::Get(std::string_view target, const HeaderList& headers) {
  return Request("GET", target, headers, {});
}

Result<ClientResponse> HttpClient::Post(std::string_view target, std::string_view body,
                                        std::string_view content_type,
                                        const HeaderList& headers) {
  HeaderList h = headers;
  if (!content_type.empty()) h.emplace_back("Content-Type", std::string(content_type));
  return Request("POST", target, h, body);
}

}  // namespace mm::server
