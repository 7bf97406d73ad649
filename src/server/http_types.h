// Plain request/response values passed between the Beast transport (http_server.cc) and the
// route handlers (router.cc), so only one translation unit includes Beast. Value types.
#pragma once

#include <memory>
#include <optional>
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
  std::string if_none_match;     // If-None-Match header ("" when absent): ETag revalidation
  // Shared so parsed batches can keep views into it without a copy.
  std::shared_ptr<std::string> body = std::make_shared<std::string>();
};

// A body sent in pieces: a long-lived server-sent-events stream (text/event-stream), or, when
// bulk(), a large finite body (an export) produced piece by piece so it is never held whole.
// The transport sends the response head, then asks Changed() on an I/O thread every few tens of
// milliseconds (it must be cheap: an atomic load) and, when it says so, runs Poll() on the
// worker pool — one call at a time per stream, never on an I/O thread, so an open stream holds
// no thread while it waits. A bulk stream is polled again as soon as its last piece is written
// (the client's reading paces it), with no pause and no keep-alive comments.
// The stream ends when the client goes away, Poll returns nullopt, or the server stops.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // True when Poll may have something new to send (e.g. the store's write epoch moved).
  virtual bool Changed() = 0;
  // The next piece (complete SSE events for an event stream; "" for nothing this time);
  // nullopt ends the stream.
  virtual std::optional<std::string> Poll() = 0;
  virtual bool bulk() const { return false; }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // Set for a streaming answer: `body` is sent first (it may be empty), then the stream's events
  // until it ends; the connection closes after it (the body has no length).
  std::shared_ptr<EventStream> stream;
};

}  // namespace mm::server
