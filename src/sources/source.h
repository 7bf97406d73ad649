// The seams between sources and the rest of the engine. A Source produces points; a Sink takes
// the batches they make (the pipeline's input queue, or a test's collector).
// Pull sources implement Source and are collected on their interval by the Scheduler, one call
// at a time (a Source need not be thread-safe; it must only be Collect-ed from one thread).
// Sinks are called from the scheduler's thread and must be thread-safe if shared.
//
// Push listeners (line protocol over HTTP/UDP, remote write, Graphite, StatsD, MQTT) are a later
// issue. Their seam will be `class Listener { Status Start(Sink* sink); void Stop(); }`: a
// listener owns its sockets on the shared io_context and calls `sink->Write()` with each batch it
// parses; Stop() returns once no Write is in flight. They do not go through the Scheduler.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/point_batch.h"
#include "core/status.h"

namespace mm {

class Sink {
 public:
  virtual ~Sink() = default;
  // Takes the batch. An error (e.g. kResourceExhausted from a full queue) means the batch was
  // not accepted; the caller counts it and drops it (a pull source collects again next tick).
  virtual Status Write(PointBatch&& batch) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  // A short name for logs and self-metrics, e.g. "system:CPU_Usage". Stable for the lifetime.
  virtual std::string_view name() const = 0;
  // Called once by the Scheduler when the job starts, before the first Collect, so sources that
  // report rates (CPU %) take their baseline and have a value on the first tick. Default: no-op.
  virtual Status Prime() { return Status::Ok(); }
  // Appends this tick's points (timestamped `now_ns`) to `out`. Strings the points refer to must
  // be interned into `out` or be static. On error, the points already appended are still
  // delivered (a failing subsystem must not hide the others) and the error is counted.
  virtual Status Collect(PointBatch& out, int64_t now_ns) = 0;
};

}  // namespace mm
