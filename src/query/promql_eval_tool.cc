// mm_promql_eval: loads an OpenMetrics text file (timestamps in seconds) into the test-only
// FakeStorage and answers a list of PromQL queries, one JSON object per line, in the shape of
// Prometheus' HTTP API (`{"status":"success","data":{"resultType":...,"result":[...]}}` or
// `{"status":"error","errorType":...,"error":...}`), so tests/integration/ can compare our
// answers with a real Prometheus without our HTTP server.
//
//   mm_promql_eval DATA.om QUERIES.txt
//
// QUERIES.txt lines: `instant <time_s> <expr>` or `range <start_s> <end_s> <step_s> <expr>`
// (blank lines and lines starting with '#' are skipped). With MM_PROMQL_EVAL_TIMING set, the
// time each query took is printed on stderr.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "query/engine.h"
#include "query/functions.h"
#include "query/lexer.h"
#include "query/testing/fake_storage.h"

namespace {

using mm::Labels;
using mm::QueryResult;

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// Prometheus prints sample values with strconv.FormatFloat(v, 'f', -1, 64).
std::string JsonValue(int64_t t_ms, double v) {
  char ts[64];
  snprintf(ts, sizeof(ts), "%.3f", static_cast<double>(t_ms) / 1000);
  return std::string("[") + ts + "," + JsonString(mm::query::FormatValueForLabel(v)) + "]";
}

std::string JsonLabels(const Labels& l) {
  std::string out = "{";
  bool first = true;
  for (const auto& lab : l) {
    if (!first) out += ",";
    first = false;
    out += JsonString(lab.name) + ":" + JsonString(lab.value);
  }
  return out + "}";
}

std::string ToJson(const mm::Result<QueryResult>& r) {
  if (!r.ok()) {
    const bool bad_data = r.status().code() == mm::StatusCode::kInvalidArgument;
    return std::string("{\"status\":\"error\",\"errorType\":\"") +
           (bad_data ? "bad_data" : "execution") +
           "\",\"error\":" + JsonString(r.status().message()) + "}";
  }
  const QueryResult& q = *r;
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":";
  switch (q.type) {
    case QueryResult::Type::kScalar:
      return out + "\"scalar\",\"result\":" + JsonValue(q.scalar.timestamp_ms, q.scalar.value) +
             "}}";
    case QueryResult::Type::kString: {
      char ts[64];
      snprintf(ts, sizeof(ts), "%.3f", static_cast<double>(q.scalar.timestamp_ms) / 1000);
      return out + "\"string\",\"result\":[" + ts + "," + JsonString(q.string_value) + "]}}";
    }
    case QueryResult::Type::kVector: {
      out += "\"vector\",\"result\":[";
      for (size_t i = 0; i < q.series.size(); ++i) {
        if (i) out += ",";
        const auto& s = q.series[i];
        out += "{\"metric\":" + JsonLabels(s.labels) +
               ",\"value\":" + JsonValue(s.samples[0].timestamp_ms, s.samples[0].value) + "}";
      }
      return out + "]}}";
    }
    case QueryResult::Type::kMatrix: {
      out += "\"matrix\",\"result\":[";
      for (size_t i = 0; i < q.series.size(); ++i) {
        if (i) out += ",";
        const auto& s = q.series[i];
        out += "{\"metric\":" + JsonLabels(s.labels) + ",\"values\":[";
        for (size_t k = 0; k < s.samples.size(); ++k) {
          if (k) out += ",";
          out += JsonValue(s.samples[k].timestamp_ms, s.samples[k].value);
        }
        out += "]}";
      }
      return out + "]}}";
    }
  }
  return out + "null}}";
}

// Parses `name{a="b",c="d"} value [timestamp]`.
bool ParseSampleLine(std::string_view line, Labels* labels, mm::storage::Sample* sample,
                     bool* has_ts) {
  std::vector<mm::Label> items;
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  items.push_back({std::string(mm::kMetricNameLabel), std::string(line.substr(0, i))});
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      size_t eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
        return false;
      }
      std::string name(line.substr(i, eq - i));
      std::string value;
      size_t k = eq + 2;
      for (; k < line.size() && line[k] != '"'; ++k) {
        if (line[k] == '\\' && k + 1 < line.size()) {
          ++k;
          value += line[k] == 'n' ? '\n' : line[k];
        } else {
          value += line[k];
        }
      }
      if (k >= line.size()) return false;
      items.push_back({std::move(name), std::move(value)});
      i = k + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;
  }
  std::istringstream rest{std::string(line.substr(i))};
  std::string value, ts;
  rest >> value >> ts;
  auto v = mm::query::ParseGoFloat(value);
  if (!v) return false;
  sample->v = *v;
  *has_ts = !ts.empty();
  if (*has_ts) {
    auto t = mm::query::ParseGoFloat(ts);
    if (!t) return false;
    sample->t = static_cast<int64_t>(std::llround(*t * 1000));
  }
  *labels = Labels::FromUnsorted(std::move(items));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: mm_promql_eval DATA.om QUERIES.txt\n";
    return 2;
  }
  mm::query::testing::FakeStorage store;
  {
    std::ifstream in(argv[1]);
    if (!in) {
      std::cerr << "cannot open " << argv[1] << "\n";
      return 2;
    }
    std::map<Labels, std::vector<mm::storage::Sample>> series;
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.empty() || line[0] == '#') continue;
      Labels labels;
      mm::storage::Sample s;
      bool has_ts = false;
      if (!ParseSampleLine(line, &labels, &s, &has_ts) || !has_ts) {
        std::cerr << argv[1] << ":" << lineno << ": bad sample line\n";
        return 2;
      }
      series[labels].push_back(s);
    }
    for (const auto& [labels, samples] : series) store.Add(labels, samples);
  }
  std::ifstream qin(argv[2]);
  if (!qin) {
    std::cerr << "cannot open " << argv[2] << "\n";
    return 2;
  }
  mm::query::Engine engine(store);
  const bool timing = std::getenv("MM_PROMQL_EVAL_TIMING") != nullptr;  // per-query ms on stderr
  std::string line;
  while (std::getline(qin, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    auto trim = [](std::string s) {
      const size_t b = s.find_first_not_of(" \t");
      return b == std::string::npos ? std::string() : s.substr(b);
    };
    auto ms = [](const std::string& s) {
      return static_cast<int64_t>(std::llround(std::stod(s) * 1000));
    };
    if (kind == "instant") {
      std::string t;
      ls >> t;
      std::string expr;
      std::getline(ls, expr);
      const auto t0 = std::chrono::steady_clock::now();
      auto r = engine.Instant(trim(expr), ms(t));
      const auto t1 = std::chrono::steady_clock::now();
      if (timing) {
        std::cerr << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms\t" << line
                  << "\n";
      }
      std::cout << ToJson(r) << "\n";
    } else if (kind == "range") {
      std::string s, e, st;
      ls >> s >> e >> st;
      std::string expr;
      std::getline(ls, expr);
      const auto t0 = std::chrono::steady_clock::now();
      auto r = engine.Range(trim(expr), ms(s), ms(e), ms(st));
      const auto t1 = std::chrono::steady_clock::now();
      if (timing) {
        std::cerr << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms\t" << line
                  << "\n";
      }
      std::cout << ToJson(r) << "\n";
    } else {
      std::cerr << "bad query line: " << line << "\n";
      return 2;
    }
  }
  return 0;
}
