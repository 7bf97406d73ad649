// HttpClient: a small blocking HTTP/1.1 client over plain sockets, with keep-alive — enough to
// talk to our own server from tests, integration tests and the `metrics-manager` CLI (no TLS).
// One client is one connection (reopened when the server closes it); not thread-safe: use one
// per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mm::server {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct HttpUrl {
  std::string host;       // "127.0.0.1", "localhost", "::1"
  uint16_t port = 80;
  std::string base_path;  // "" or "/prefix" (no trailing slash)
};

// "http://host:port[/prefix]", "host:port" or "http://[::1]:8750". Only plain http.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// Percent-encodes for a query string or form body (unreserved characters stay).
std::string UrlEncode(std::string_view s);
// "a=1&b=x%20y" from pairs.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& pairs);

class HttpClient {
 public:
  explicit HttpClient(std::string host, uint16_t port, int timeout_ms = 30000);
  explicit HttpClient(const HttpUrl& url, int timeout_ms = 30000);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<ClientResponse> Get(std::string_view target, const HeaderList& headers = {});
  Result<ClientResponse> Post(std::string_view target, std::string_view body,
                              std::string_view content_type, const HeaderList& headers = {});
  // Any method; Host, Content-Length and Connection are added.
  Result<ClientResponse> Request(std::string_view method, std::string_view target,
                                 const HeaderList& headers, std::string_view body);
  // Sends `raw` bytes as they are and reads one response (for malformed-request tests).
  Result<ClientResponse> SendRaw(std::string_view raw, bool head_request = false);

  // When set, the bodies of 2xx answers are handed to `sink` piece by piece as they arrive
  // (ClientResponse::body stays empty), so a streamed export is never held whole. The sink
  // returns false to stop reading (the connection is closed).
  void set_body_sink(std::function<bool(std::string_view)> sink) { sink_ = std::move(sink); }

  // TCP connections opened so far (a keep-alive test expects 1 for many requests).
  int connections_opened() const { return connections_opened_; }
  void Close();

 private:
  Status Connect();
  Status SendAll(std::string_view data);
  // Reads one response; `reused` says the connection served a request before.
  Result<ClientResponse> ReadResponse(bool head_request);
  Result<std::string> ReadLine();
  Status ReadExactly(size_t n, std::string* out);
  Status Fill();  // reads more bytes into buf_; kUnavailable on EOF

  std::string host_;
  uint16_t port_;
  std::string base_path_;
  int timeout_ms_;
  int fd_ = -1;
  int connections_opened_ = 0;
  bool server_closes_ = false;  // the last response said Connection: close
  std::string buf_;
  size_t buf_pos_ = 0;
  std::function<bool(std::string_view)> sink_;
};

}  // namespace mm::server
