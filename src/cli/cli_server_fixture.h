// Test fixture of the CLI's client commands: our HTTP server with a query engine over a
// VectorStorage, on a free loopback port (url_). For the CLI tests only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "query/engine.h"
#include "server/http_server.h"
#include "server/testing/vector_storage.h"

namespace mm::cli {

class CliServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<query::Engine>(storage_);
    server::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 1;
    server::ServerContext ctx;
    ctx.storage = &storage_;
    ctx.engine = engine_.get();
    auto s = server::HttpServer::Start(o, ctx);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  server::VectorStorage storage_;
  std::unique_ptr<query::Engine> engine_;
  std::unique_ptr<server::HttpServer> server_;
  std::string url_;
};

}  // namespace mm::cli
