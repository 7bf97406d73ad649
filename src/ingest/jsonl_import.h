// Import of JSON lines in the export format (src/server/export_jsonl.h, docs/export_format.md):
// each line one series, {"metric":{...},"values":[...],"timestamps":[...]} or with
// "string_values" — VictoriaMetrics' /api/v1/import format plus string fields. A series becomes
// points of measurement __name__, its other labels as tags, one field "value", so it maps back
// to the same series. Pure (no I/O); thread-safe.
#pragma once

#include <memory>
#include <string>

#include "ingest/line_protocol.h"

namespace mm::ingest {

// Parses a whole body (one series per line; blank lines ignored). A bad line is reported with
// its number and reason (ParseResult::errors) and the good ones are kept; `lines_ok` counts
// good lines (series), `batch` holds one point per sample.
ParseResult ParseJsonlImport(std::shared_ptr<const std::string> body);

}  // namespace mm::ingest
