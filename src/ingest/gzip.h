// Decompression of request bodies (Content-Encoding: gzip / deflate) with a zip-bomb limit.
// Pure function over caller-owned bytes; returns an owned string. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mm::ingest {

// Inflates a gzip (RFC 1952, several members allowed), zlib (RFC 1950) or raw deflate (RFC 1951)
// body; the format is told from the first bytes. Fails with InvalidArgument on corrupt,
// truncated or empty input, on bytes after the end of the stream, and as soon as the output
// would exceed `max_out` bytes (so a small body cannot expand without bound).
Result<std::string> GunzipBody(std::string_view compressed, size_t max_out);

}  // namespace mm::ingest
