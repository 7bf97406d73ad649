// Data-driven tests for the line protocol parser: every tests/data/line_protocol/*.test file.
//
// Format of a .test file (UTF-8 text):
//
//   Anything before the first "===" line is a comment.
//   === name of the case                      starts a case (names are unique per file)
//   --- input [precision=P] [now=N] [noeol]   the lines up to "--- expect" are the body, verbatim
//   <body lines>                              (blank lines and '#' lines are part of the body)
//   --- expect
//   <expectations>                            until the next "===" or the end of the file
//
// The body is the input lines joined with "\n", plus a final "\n" unless `noeol` is given.
// Inside body lines these markers stand for bytes that are hard to see or keep in a text file:
//   {CR} carriage return  {TAB} tab  {SP} space (for trailing spaces)  {NUL} byte 0
//   {xHH} the byte with hex value HH  {REPEAT n text} `text` (no '}') repeated n times
// `precision` is a ParsePrecision spelling (default ns); `now` is now_ns (default 999).
//
// Expectations, one per line (blank lines and lines starting with '#' are ignored):
//   measurement{tag=value,...} field=type:value @timestamp   one sample per field, in order, in
//                                   the canonical form of line_protocol_testing.h; all must match
//                                   (the {...} markers above work here too, e.g. {REPEAT})
//   error line N: text              the next error is on line N and its reason contains `text`;
//                                   the number of errors must match too
//   lines_ok N / lines_failed N     optional counters
//   precision_error text            ParsePrecision(P) fails with a message containing `text`
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "ingest/line_protocol.h"
#include "ingest/line_protocol_testing.h"

namespace mm::ingest {
namespace {

struct DataCase {
  std::string file;
  std::string name;
  size_t line = 0;  // where "===" is, for messages
  std::string precision;
  int64_t now_ns = 999;
  bool eol = true;
  std::vector<std::string> input;
  std::vector<std::string> expect;
};

// Expands the {...} markers of one body line.
std::string ExpandMarkers(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto starts = [&](std::string_view m) { return s.compare(i, m.size(), m) == 0; };
    if (s[i] != '{') {
      out += s[i++];
    } else if (starts("{CR}")) {
      out += '\r', i += 4;
    } else if (starts("{TAB}")) {
      out += '\t', i += 5;
    } else if (starts("{SP}")) {
      out += ' ', i += 4;
    } else if (starts("{NUL}")) {
      out += '\0', i += 5;
    } else if (starts("{x") && i + 5 <= s.size() && s[i + 4] == '}' &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 3]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 5;
    } else if (starts("{REPEAT ")) {
      size_t close = s.find('}', i);
      std::istringstream args(s.substr(i + 8, close - i - 8));
      size_t n = 0;
      std::string text;
      args >> n;
      std::getline(args, text);
      if (!text.empty() && text[0] == ' ') text.erase(0, 1);
      for (size_t k = 0; k < n; ++k) out += text;
      i = close + 1;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::vector<DataCase> LoadCases() {
  std::vector<DataCase> cases;
  std::filesystem::path dir = std::filesystem::path(MM_SOURCE_DIR) / "tests/data/line_protocol";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    size_t line_no = 0;
    enum { kNone, kInput, kExpect } section = kNone;
    DataCase* c = nullptr;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.rfind("=== ", 0) == 0) {
        cases.push_back({});
        c = &cases.back();
        c->file = path.filename().string();
        c->name = line.substr(4);
        c->line = line_no;
        section = kNone;
      } else if (c != nullptr && line.rfind("--- input", 0) == 0) {
        section = kInput;
        std::istringstream opts(line.substr(9));
        std::string opt;
        while (opts >> opt) {
          if (opt.rfind("precision=", 0) == 0)
            c->precision = opt.substr(10);
          else if (opt.rfind("now=", 0) == 0)
            c->now_ns = std::stoll(opt.substr(4));
          else if (opt == "noeol")
            c->eol = false;
          else
            ADD_FAILURE() << path << ":" << line_no << ": unknown input option " << opt;
        }
      } else if (c != nullptr && line == "--- expect") {
        section = kExpect;
      } else if (section == kInput) {
        c->input.push_back(line);
      } else if (section == kExpect) {
        if (line.empty() || line[0] == '#') continue;
        c->expect.push_back(line);
      }
    }
  }
  return cases;
}

const std::vector<DataCase>& AllCases() {
  static const std::vector<DataCase> cases = LoadCases();
  return cases;
}

class LineProtocolDataTest : public ::testing::TestWithParam<size_t> {};

TEST_P(LineProtocolDataTest, Case) {
  const DataCase& c = AllCases()[GetParam()];
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": " + c.name);

  std::vector<std::string> want_samples;
  std::vector<std::pair<size_t, std::string>> want_errors;
  std::optional<size_t> want_ok, want_failed;
  std::optional<std::string> want_precision_error;
  for (const std::string& e : c.expect) {
    if (e.rfind("error line ", 0) == 0) {
      size_t colon = e.find(':');
      ASSERT_NE(colon, std::string::npos) << e;
      size_t text = colon + 1 < e.size() && e[colon + 1] == ' ' ? colon + 2 : colon + 1;
      want_errors.emplace_back(std::stoul(e.substr(11, colon - 11)), e.substr(text));
    } else if (e.rfind("lines_ok ", 0) == 0) {
      want_ok = std::stoul(e.substr(9));
    } else if (e.rfind("lines_failed ", 0) == 0) {
      want_failed = std::stoul(e.substr(13));
    } else if (e.rfind("precision_error ", 0) == 0) {
      want_precision_error = e.substr(16);
    } else {
      want_samples.push_back(ExpandMarkers(e));
    }
  }

  Result<Precision> precision = ParsePrecision(c.precision);
  if (want_precision_error) {
    ASSERT_FALSE(precision.ok());
    EXPECT_NE(precision.status().message().find(*want_precision_error), std::string::npos)
        << precision.status().message();
    return;
  }
  ASSERT_TRUE(precision.ok()) << precision.status().ToString();

  std::string body;
  for (size_t i = 0; i < c.input.size(); ++i) {
    if (i > 0) body += '\n';
    body += ExpandMarkers(c.input[i]);
  }
  if (c.eol && !c.input.empty()) body += '\n';

  ParseResult r =
      ParseLineProtocol(std::make_shared<const std::string>(body), *precision, c.now_ns);
  std::vector<std::string> got = testing::CanonicalSamples(r.batch);
  std::string got_text, want_text;
  for (const auto& s : got) got_text += s + "\n";
  for (const auto& s : want_samples) want_text += s + "\n";
  EXPECT_EQ(got_text, want_text);

  std::string errors_text;
  for (const auto& e : r.errors) errors_text += ToString(e) + "\n";
  ASSERT_EQ(r.errors.size(), want_errors.size()) << "errors:\n" << errors_text;
  for (size_t i = 0; i < want_errors.size(); ++i) {
    EXPECT_EQ(r.errors[i].line, want_errors[i].first) << ToString(r.errors[i]);
    EXPECT_NE(r.errors[i].reason.find(want_errors[i].second), std::string::npos)
        << "want \"" << want_errors[i].second << "\" in: " << ToString(r.errors[i]);
  }
  EXPECT_EQ(r.lines_ok, r.batch.size());
  EXPECT_EQ(r.lines_failed, r.errors.size());
  if (want_ok) {
    EXPECT_EQ(r.lines_ok, *want_ok);
  }
  if (want_failed) {
    EXPECT_EQ(r.lines_failed, *want_failed);
  }

  // Whatever was accepted survives an encode → parse round trip unchanged.
  std::string encoded = testing::EncodeLineProtocol(r.batch);
  ParseResult again =
      ParseLineProtocol(std::make_shared<const std::string>(encoded), Precision::kNanoseconds, 0);
  EXPECT_TRUE(again.errors.empty()) << encoded;
  EXPECT_EQ(testing::CanonicalSamples(again.batch), got) << encoded;
}

std::string CaseName(const ::testing::TestParamInfo<size_t>& info) {
  const DataCase& c = AllCases()[info.param];
  std::string name = c.file.substr(0, c.file.find('.')) + "_" + c.name;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name + "_L" + std::to_string(c.line);
}

INSTANTIATE_TEST_SUITE_P(Files, LineProtocolDataTest,
                         ::testing::Range<size_t>(0, AllCases().size()), CaseName);

TEST(LineProtocolDataFiles, HaveManyCases) { EXPECT_GE(AllCases().size(), 100u); }

}  // namespace
}  // namespace mm::ingest
