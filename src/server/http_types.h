// Plain request/response values passed between the Beast transport (http_server.cc) and the
// route handlers (router.cc), so only one translation unit includes Beast. Value types.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mm::server {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kOptions, kOther };

struct HttpRequest {
  Method method = Method::kGet;
  std::string method_name;       // as sent, for messages
  std::string path;              // percent-decoded path, without the query string
  std::string query;             // raw query string (after '?'), not decoded
  std::string content_type;      // Content-Type header ("" when absent)
  std::string content_encoding;  // Content-Encoding header ("" when absent)
  // Shared so parsed batches can keep views into it without a copy.
  std::shared_ptr<std::string> body = std::make_shared<std::string>();
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

}  // namespace mm::server
