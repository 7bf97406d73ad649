// Export in JSON lines, VictoriaMetrics' /api/v1/export format, extended for string fields
// (docs/export_format.md): one line per series and kind,
//   {"metric":{"__name__":"cpu","host":"a"},"values":[1.5,2],"timestamps":[1700000000000,...]}
//   {"metric":{"__name__":"status","host":"a"},"string_values":["ok"],"timestamps":[...]}
// Values round-trip bit-exactly: finite doubles as shortest round-trip numbers, others as
// strings ("NaN", "+Inf", "-Inf", "NaN:0x7ff0000000000002" for NaN payloads other than the
// default one). Pure functions; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/http_types.h"
#include "storage/storage.h"

namespace mm::server {

// Appends the lines of one series (a float line if it has samples, a string line if it has
// string samples), each ending in '\n'.
void AppendExportJsonl(const storage::SeriesSamples& series, std::string& out);

// The export of the series matching any of the matcher sets (one per match[] selector) with
// samples or strings in [min_t, max_t] (ms): JSON lines, series in label order, each once.
Result<std::string> ExportSeries(storage::Storage& storage,
                                 std::span<const std::vector<storage::LabelMatcher>> sets,
                                 int64_t min_t, int64_t max_t);

// The JSON text of one value as exported (a number or a string, see above).
void AppendExportValue(double v, std::string& out);

// The same export as a streamed HTTP body: the matching series are listed when it starts, then
// read and written a few at a time, in pieces of about `piece_bytes`, so memory holds one
// piece rather than the whole export. A read error ends the body early (logged): the client
// sees a truncated last line. Polled by one thread at a time (EventStream's contract).
class ExportStream : public EventStream {
 public:
  static Result<std::shared_ptr<ExportStream>> Start(
      storage::Storage* storage, std::vector<std::vector<storage::LabelMatcher>> sets,
      int64_t min_t, int64_t max_t, size_t piece_bytes = size_t{1} << 20);
  bool Changed() override { return true; }
  std::optional<std::string> Poll() override;
  bool bulk() const override { return true; }
  // Why the body ended early, if it did.
  const Status& status() const { return status_; }

 private:
  ExportStream() = default;
  Status status_;
  storage::Storage* storage_ = nullptr;
  storage::SelectOptions options_;
  size_t piece_bytes_ = 0;
  std::vector<Labels> series_;  // sorted, unique
  size_t next_ = 0;
};

}  // namespace mm::server
