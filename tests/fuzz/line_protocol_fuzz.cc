// libFuzzer target for the line protocol parser. Beyond "no crash, no sanitizer report" it
// checks the batch's invariants and that every accepted point survives encode → parse
// unchanged. The precision comes from the input size so corpus files stay plain text.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ingest/line_protocol.h"
#include "ingest/line_protocol_testing.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mm;
  using namespace mm::ingest;
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  const Precision precision = static_cast<Precision>(size % 6);
  ParseResult r = ParseLineProtocol(body, precision, 42);

  Check(r.lines_ok == r.batch.size(), "lines_ok == batch size");
  Check(r.errors.size() <= kMaxReportedErrors, "errors capped");
  Check(r.lines_failed >= r.errors.size(), "lines_failed counts every error");
  size_t lines = 1;
  for (size_t i = 0; i < size; ++i) lines += data[i] == '\n';
  size_t prev = 0;
  for (const LineError& e : r.errors) {
    Check(e.line >= 1 && e.line <= lines, "error line within the body");
    Check(e.line > prev, "one error per line, in order");
    Check(!e.reason.empty(), "error has a reason");
    prev = e.line;
  }
  for (const PointRef& p : r.batch.points()) {
    Check(!p.measurement.empty(), "measurement not empty");
    auto tags = r.batch.tags(p);
    for (size_t i = 0; i < tags.size(); ++i) {
      Check(!tags[i].key.empty() && !tags[i].value.empty(), "tag key and value not empty");
      Check(i == 0 || tags[i - 1].key < tags[i].key, "tags sorted and unique");
    }
    auto fields = r.batch.fields(p);
    Check(!fields.empty(), "at least one field");
    for (size_t i = 0; i < fields.size(); ++i) {
      Check(!fields[i].key.empty(), "field key not empty");
      for (size_t j = 0; j < i; ++j) Check(fields[j].key != fields[i].key, "field keys unique");
      if (fields[i].type == FieldType::kFloat) Check(std::isfinite(fields[i].f), "finite float");
      if (fields[i].type == FieldType::kString) {
        Check(fields[i].s.size() <= kMaxStringBytes, "string within the limit");
      }
    }
  }

  // Round trip: what we accepted, encoded canonically, parses back to the same samples.
  std::string encoded = testing::EncodeLineProtocol(r.batch);
  ParseResult again =
      ParseLineProtocol(std::make_shared<const std::string>(encoded), Precision::kNanoseconds, 0);
  Check(again.errors.empty(), "encoded batch parses without errors");
  Check(testing::CanonicalSamples(again.batch) == testing::CanonicalSamples(r.batch),
        "round trip keeps every sample");
  return 0;
}
