// Test support for the line protocol parser (tests and fuzz targets only, not in mm_ingest):
// a canonical one-line-per-sample text of a PointBatch, and an encoder back to line protocol.
// Pure functions over a caller-owned batch; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/point_batch.h"

namespace mm::ingest::testing {

// One line per field of each point, in batch order:
//   measurement{tag=value,...} field=type:value @timestamp_ns
// Names are written as they are when made of [A-Za-z0-9_.:/-] only, else double-quoted with
// \" \\ \n \r \t \xHH escapes. Types: float (shortest round-trip form), int, uint, bool
// (true/false), string (always quoted). Example: cpu{host=a} usage=float:1.5 @1000
std::vector<std::string> CanonicalSamples(const PointBatch& batch);

// Line protocol for `batch`, escaped so that parsing it yields the same canonical samples.
std::string EncodeLineProtocol(const PointBatch& batch);

}  // namespace mm::ingest::testing
