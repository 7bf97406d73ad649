// The HTTP transport: Boost.Beast over an io_context thread pool. This is the only translation
// unit that includes Beast/Asio (they dominate compile time); it converts requests to the plain
// HttpRequest, runs the Router on a worker pool (so a slow query never stalls I/O or /health),
// and writes the HttpResponse back on the connection's strand.
#include "server/http_server.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "metrics_manager/version.h"
#include "server/params.h"
#include "server/prom_json.h"
#include "server/router.h"

namespace mm::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);     // between requests (keep-alive)
constexpr auto kBodyTimeout = std::chrono::seconds(300);     // to receive a whole body
constexpr auto kWriteTimeout = std::chrono::seconds(300);    // to send a whole response
constexpr auto kLingerTimeout = std::chrono::seconds(2);     // draining after an early error
constexpr uint32_t kHeaderLimit = 1 << 20;  // long PromQL in GET URLs (Go's default is 1 MiB)
// Event streams: how often Changed() is asked, the pause after a push (bounds the evaluation
// rate under a steady write load), the heartbeat that finds clients that went away, and the
// time one event may take to be sent.
constexpr size_t kBodyReadChunk = 256 * 1024;  // bytes per read of a request body, at most
constexpr size_t kIdleBufferBytes = 16 * 1024;  // a connection's buffer between requests
constexpr auto kStreamTick = std::chrono::milliseconds(50);
constexpr auto kStreamMinGap = std::chrono::milliseconds(200);
constexpr auto kStreamHeartbeat = std::chrono::seconds(15);
constexpr auto kStreamWriteTimeout = std::chrono::seconds(30);

Method ToMethod(http::verb v) {
  switch (v) {
    case http::verb::get: return Method::kGet;
    case http::verb::head: return Method::kHead;
    case http::verb::post: return Method::kPost;
    case http::verb::put: return Method::kPut;
    case http::verb::delete_: return Method::kDelete;
    case http::verb::options: return Method::kOptions;
    default: return Method::kOther;
  }
}

struct ListenAddress {
  std::string host;
  std::string port;
};

Result<ListenAddress> ParseListen(std::string_view listen) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("invalid listen address \"" + std::string(listen) +
                                   "\": " + why + " (expected HOST:PORT, e.g. 127.0.0.1:8750)");
  };
  ListenAddress a;
  size_t colon;
  if (!listen.empty() && listen[0] == '[') {  // [::1]:8750
    size_t close = listen.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    a.host = std::string(listen.substr(1, close - 1));
    colon = close + 1;
    if (colon >= listen.size() || listen[colon] != ':') return bad("missing port");
  } else {
    colon = listen.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port");
    a.host = std::string(listen.substr(0, colon));
  }
  a.port = std::string(listen.substr(colon + 1));
  unsigned port = 0;
  auto [p, ec] = std::from_chars(a.port.data(), a.port.data() + a.port.size(), port);
  if (a.port.empty() || ec != std::errc() || p != a.port.data() + a.port.size() || port > 65535) {
    return bad("bad port");
  }
  if (a.host.empty()) a.host = "0.0.0.0";
  return a;
}

class Session;

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  // Declared before the io_context so it outlives the sessions the io_context destroys.
  std::unique_ptr<Router> router;
  Gauge* open_connections = nullptr;
  Counter* accepted = nullptr;

  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> threads;
  std::string host;
  uint16_t port = 0;

  std::mutex stop_mu;
  bool stopped = false;

  // Sessions that turned into event streams, closed by Stop() (they never end by themselves).
  std::mutex streams_mu;
  std::vector<std::weak_ptr<Session>> streams;  // GUARDED_BY(streams_mu)
  void AddStream(std::weak_ptr<Session> s);

  explicit Impl(int io_threads) : ioc(io_threads) {}
  void Accept();
  void Stop();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server), tick_(stream_.get_executor()) {
    server_->open_connections->Add(1);
  }
  ~Session() { server_->open_connections->Add(-1); }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

 private:
  void ReadHeader() {
    request_start_ns_ = 0;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    request_start_ns_ = server_->router->clock().MonotonicNanos();
    const auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      // curl and others wait for this before sending a large body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(kBodyTimeout);
    // Beast reads at most what the buffer has room for (at least 512 bytes) and never grows it
    // on its own: without room, a 1 MB write body takes thousands of reads, each with its epoll
    // and timer calls. Room for up to kBodyReadChunk per read; given back after a large body.
    const auto length = parser_->content_length();  // boost::optional
    const size_t want = length ? static_cast<size_t>(std::min<uint64_t>(*length, kBodyReadChunk))
                               : kBodyReadChunk;
    if (want > buffer_.capacity() - buffer_.size()) buffer_.reserve(buffer_.size() + want);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return Close();
    }
    keep_alive_ = false;
    version_ = 11;
    head_ = false;
    std::string path;
    if (parser_ && parser_->is_header_done()) {
      version_ = parser_->get().version();
      std::string_view target = parser_->get().target();
      path = std::string(target.substr(0, target.find('?')));
    }
    HttpResponse r;
    if (ec == http::error::body_limit) {
      r.status = 413;
      r.body = R"({"error":)";
      AppendJsonString(r.body, "request body larger than " +
                                   std::to_string(server_->options.max_body_bytes) + " bytes");
      r.body.push_back('}');
    } else if (ec == http::error::header_limit) {
      r.status = 431;
      r.body = EncodeError("bad_data", "request header fields too large");
    } else if (ec.category() == http::make_error_code(http::error::bad_target).category() ||
               ec == http::error::partial_message) {
      r.status = 400;
      r.body = EncodeError("bad_data", "malformed HTTP request: " + ec.message());
    } else {
      return Close();
    }
    int64_t elapsed = request_start_ns_ == 0
                          ? 0
                          : server_->router->clock().MonotonicNanos() - request_start_ns_;
    server_->router->Record(path, r.status, elapsed);
    Write(std::move(r), /*close_after=*/true);
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    if (buffer_.capacity() > kIdleBufferBytes && buffer_.size() <= kIdleBufferBytes) {
      buffer_.shrink_to_fit();  // an idle connection keeps no large buffer
    }
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    head_ = req.method() == http::verb::head;

    HttpRequest r;
    r.method = ToMethod(req.method());
    r.method_name = std::string(req.method_string());
    std::string_view target = req.target();
    size_t q = target.find('?');
    std::string_view raw_path = target.substr(0, q);
    if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
    auto path = PercentDecode(raw_path, false);
    r.path = path.ok() ? std::move(path).value() : std::string(raw_path);
    r.content_type = std::string(req[http::field::content_type]);
    r.content_encoding = std::string(req[http::field::content_encoding]);
    r.if_none_match = std::string(req[http::field::if_none_match]);
    r.body = std::make_shared<std::string>(std::move(req.body()));

    // Handlers may block (queries, store writes): run them off the I/O threads.
    net::post(*server_->workers, [self = shared_from_this(), r = std::move(r)]() mutable {
      HttpResponse resp;
      try {
        resp = self->server_->router->Handle(r);
      } catch (const std::exception& e) {
        spdlog::error("http: handler for {} threw: {}", r.path, e.what());
        resp = HttpResponse{};
        resp.status = 500;
        resp.body = EncodeError("internal", e.what());
      }
      auto ex = self->stream_.get_executor();
      net::post(ex, [self = std::move(self), resp = std::move(resp)]() mutable {
        if (resp.stream && !self->head_) return self->StartStream(std::move(resp));
        self->Write(std::move(resp), false);
      });
    });
  }

  void Write(HttpResponse resp, bool close_after) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(resp.status), version_);
    res->set(http::field::server, std::string("metrics-manager/") + kVersion);
    if (!resp.content_type.empty()) res->set(http::field::content_type, resp.content_type);
    for (auto& [name, value] : resp.headers) res->insert(name, value);
    res->keep_alive(keep_alive_ && !close_after);
    if (head_) {
      res->content_length(resp.body.size());  // HEAD: the length of what GET would send
    } else {
      res->body() = std::move(resp.body);
      res->prepare_payload();
    }
    res_ = res;
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, *res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(),
                                                close_after));
  }

  void OnWrite(bool close_after, beast::error_code ec, size_t) {
    bool keep = res_ && res_->keep_alive();
    res_.reset();
    if (ec) return Close();
    if (close_after) return LingeringClose();
    if (!keep) return Close();
    ReadHeader();
  }

  // ---- event streams (text/event-stream) ----
  // The head is written by hand: the body has no length and ends when the connection closes,
  // which Beast's serializer would not let us say without chunking.
  void StartStream(HttpResponse resp) {
    events_ = std::move(resp.stream);
    std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                      std::string(http::obsolete_reason(static_cast<http::status>(resp.status))) +
                      "\r\nServer: metrics-manager/" + kVersion + "\r\n";
    if (!resp.content_type.empty()) out += "Content-Type: " + resp.content_type + "\r\n";
    for (auto& [name, value] : resp.headers) out += name + ": " + value + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += resp.body;
    server_->AddStream(weak_from_this());
    SendEvents(std::move(out), events_->bulk() ? std::chrono::milliseconds(0) : kStreamTick);
  }

  void SendEvents(std::string data, std::chrono::milliseconds next_tick) {
    out_ = std::move(data);
    last_send_ = std::chrono::steady_clock::now();
    stream_.expires_after(kStreamWriteTimeout);
    net::async_write(stream_, net::buffer(out_),
                     [self = shared_from_this(), next_tick](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->stream_.expires_never();
                       self->ScheduleTick(next_tick);
                     });
  }

  void ScheduleTick(std::chrono::milliseconds delay) {
    tick_.expires_after(delay);
    tick_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->OnTick();
    });
  }

  void OnTick() {
    if (!stream_.socket().is_open()) return;
    const bool bulk = events_->bulk();
    bool heartbeat = !bulk && std::chrono::steady_clock::now() - last_send_ >= kStreamHeartbeat;
    if (!heartbeat && !events_->Changed()) return ScheduleTick(kStreamTick);
    net::post(*server_->workers, [self = shared_from_this(), heartbeat]() {
      std::optional<std::string> events;
      try {
        events = self->events_->Poll();
      } catch (const std::exception& e) {
        spdlog::error("http: event stream threw: {}", e.what());
      }
      auto done = [self, heartbeat, events = std::move(events)]() mutable {
        if (!events) return self->Close();
        const auto next = self->events_->bulk() ? std::chrono::milliseconds(0) : kStreamTick;
        if (!events->empty()) {
          return self->SendEvents(std::move(*events),
                                  self->events_->bulk() ? next : kStreamMinGap);
        }
        if (heartbeat) return self->SendEvents(": keep-alive\n\n", kStreamTick);
        self->ScheduleTick(next);
      };
      net::post(self->stream_.get_executor(), std::move(done));
    });
  }

 public:
  // Closes the socket now. REQUIRES: no I/O thread runs this session (Stop() after the join).
  void CloseStopped() {
    tick_.cancel();
    Close();
  }

 private:
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  // After an error answer the client may still be sending its body; closing at once would
  // reset the connection and could destroy our answer before the client reads it. So stop
  // sending, read and discard for a moment, then close.
  void LingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> res_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  int64_t request_start_ns_ = 0;
  char drain_buf_[4096];
  net::steady_timer tick_;
  std::shared_ptr<EventStream> events_;
  std::string out_;
  std::chrono::steady_clock::time_point last_send_;
};

}  // namespace

void HttpServer::Impl::AddStream(std::weak_ptr<Session> s) {
  std::lock_guard lock(streams_mu);
  // Drop the streams that ended, so the list stays as long as the open ones.
  std::erase_if(streams, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  streams.push_back(std::move(s));
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](beast::error_code ec) {
        if (!ec) Accept();
      });
      return;
    }
    accepted->Add();
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Session>(std::move(socket), this)->Start();
    Accept();
  });
}

void HttpServer::Impl::Stop() {
  std::lock_guard lock(stop_mu);
  if (stopped) return;
  stopped = true;
  work.reset();
  ioc.stop();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
  beast::error_code ec;
  acceptor.close(ec);  // no I/O thread runs any more: safe to touch
  {
    // Event streams never end by themselves: close them now, so clients see the end at once
    // rather than when the io_context is destroyed.
    std::lock_guard streams_lock(streams_mu);
    for (auto& w : streams) {
      if (auto s = w.lock()) s->CloseStopped();
    }
    streams.clear();
  }
  if (workers) workers->join();  // in-flight handlers finish; their replies are dropped
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      ServerContext context) {
  if (context.storage == nullptr || context.engine == nullptr) {
    return Status::InvalidArgument("HttpServer needs a storage and a query engine");
  }
  MM_ASSIGN_OR_RETURN(ListenAddress addr, ParseListen(options.listen));
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int io_threads = options.threads > 0 ? options.threads : cores;

  auto impl = std::make_unique<Impl>(io_threads);
  impl->options = options;
  impl->router = std::make_unique<Router>(std::move(context), options.max_body_bytes);
  SelfMetrics& m = impl->router->metrics();
  impl->open_connections =
      m.NewGauge("mm_http_open_connections", "HTTP connections open now.");
  impl->accepted =
      m.NewCounter("mm_http_connections_accepted_total", "HTTP connections accepted.");

  try {
    tcp::resolver resolver(impl->ioc);
    beast::error_code ec;
    auto results = resolver.resolve(addr.host, addr.port,
                                    tcp::resolver::numeric_service | tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument("cannot resolve listen host \"" + addr.host +
                                     "\": " + ec.message());
    }
    tcp::endpoint endpoint = results.begin()->endpoint();
    impl->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(endpoint, ec);
    if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IoError("cannot listen on " + options.listen + ": " + ec.message());
    }
    tcp::endpoint bound = impl->acceptor.local_endpoint(ec);
    impl->port = bound.port();
    impl->host = bound.address().to_string();
  } catch (const std::exception& e) {
    return Status::IoError("cannot listen on " + options.listen + ": " + e.what());
  }

  // Two workers at least, so one slow query does not hold up /health or writes.
  impl->workers = std::make_unique<net::thread_pool>(std::max(2, cores));
  impl->work.emplace(impl->ioc.get_executor());
  impl->Accept();
  Impl* raw = impl.get();
  for (int i = 0; i < io_threads; ++i) {
    impl->threads.emplace_back([raw] {
      while (true) {
        try {
          raw->ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("http: I/O thread caught: {}", e.what());
        }
      }
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }
const std::string& HttpServer::host() const { return impl_->host; }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace mm::server
