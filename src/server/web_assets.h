// The dashboard's files (web/*.html|js|css|svg and uPlot from web/node_modules), embedded in the
// binary at build time by cmake/EmbedWebAssets.cmake, so the daemon serves its dashboard offline
// and from one file. Static, immutable data: thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace mm::server {

struct WebAsset {
  std::string_view path;          // URL path, e.g. "/app.js", "/vendor/uPlot.esm.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view data;          // the file's bytes
  std::string_view etag;          // quoted content hash, e.g. "\"3f2a...\""
};

// Every embedded file (generated source).
std::span<const WebAsset> WebAssets();

// The asset served at `path` ("/" is "/index.html"); nullptr when there is none.
inline const WebAsset* FindWebAsset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const WebAsset& a : WebAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace mm::server
