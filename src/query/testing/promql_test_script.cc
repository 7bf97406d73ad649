#include "query/testing/promql_test_script.h"

#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "query/ast.h"
#include "query/lexer.h"
#include "query/parser.h"
#include "query/testing/fake_storage.h"

namespace mm::query::testing {

namespace {

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

class FakeTestStore : public TestStore {
 public:
  storage::Storage& storage() override { return fake_; }
  Status Add(const Labels& labels, std::span<const storage::Sample> samples) override {
    fake_.Add(labels, samples);
    return Status::Ok();
  }
  void Clear() override { fake_.Clear(); }
  std::string name() const override { return "fake"; }

 private:
  FakeStorage fake_;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> SplitSpace(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A time like 10m, 0, 1h30m, -5m or plain seconds (100, 1.5).
std::optional<int64_t> ParseTime(std::string_view s) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  if (auto d = ParseDurationMs(s)) return neg ? -*d : *d;
  if (auto f = ParseGoFloat(s)) {
    const int64_t ms = static_cast<int64_t>(std::llround(*f * 1000));
    return neg ? -ms : ms;
  }
  return std::nullopt;
}

std::optional<double> ParseValue(std::string_view s) {
  if (s == "stale") return std::bit_cast<double>(kStaleNaNBits);
  return ParseGoFloat(s);
}

// Splits "metric{a="b c"} 1 2" into the series part and the rest.
std::pair<std::string_view, std::string_view> SplitSeries(std::string_view line) {
  size_t i = 0;
  const bool starts_series = !line.empty() && (std::isalpha(static_cast<unsigned char>(line[0])) ||
                                               line[0] == '_' || line[0] == ':' || line[0] == '{');
  // A value line (a scalar expectation): no series part. Inf and NaN are values, not names.
  if (!starts_series || ParseGoFloat(SplitSpace(line)[0]).has_value() || line[0] == '_') {
    return {std::string_view(), line};
  }
  while (i < line.size() &&
         (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' || line[i] == ':')) {
    ++i;
  }
  if (i < line.size() && line[i] == '{') {
    char quote = 0;
    for (++i; i < line.size(); ++i) {
      const char c = line[i];
      if (quote) {
        if (c == '\\') {
          ++i;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        quote = c;
      } else if (c == '}') {
        ++i;
        break;
      }
    }
  }
  return {line.substr(0, i), Trim(line.substr(i))};
}

Result<Labels> ParseSeriesLabels(std::string_view s) {
  if (s.empty()) return Status::InvalidArgument("missing series");
  if (Trim(s) == "{}") return Labels{};
  MM_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(s));
  if (e->kind != Expr::Kind::kVectorSelector) {
    return Status::InvalidArgument("not a series: " + std::string(s));
  }
  std::vector<Label> items;
  for (const auto& m : static_cast<const VectorSelector&>(*e).matchers) {
    if (m.type() != storage::MatchType::kEqual) {
      return Status::InvalidArgument("series labels must use '=': " + std::string(s));
    }
    items.push_back({m.name(), m.value()});
  }
  return Labels::FromUnsorted(std::move(items));
}

bool AlmostEqual(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kEpsilon = 1e-6;
  constexpr double kMinNormal = 2.2250738585072014e-308;
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || diff < kMinNormal) return diff < kEpsilon * kMinNormal;
  return diff / (std::fabs(a) + std::fabs(b)) < kEpsilon;
}

std::string FormatDouble(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

struct Expected {
  int line = 0;
  bool scalar = false;
  Labels labels;
  std::vector<SeriesValue> values;
};

// The series of `r` with `labels` (the last one, should a result repeat labels), or nullptr.
const SeriesResult* FindSeries(const QueryResult& r, const Labels& labels) {
  const SeriesResult* got = nullptr;
  for (const auto& s : r.series) {
    if (s.labels == labels) got = &s;
  }
  return got;
}

// Whether some expectation names the series with `labels`.
bool IsExpected(const std::vector<Expected>& expected, const Labels& labels) {
  for (const auto& ex : expected) {
    if (ex.labels == labels) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<TestStore> NewFakeTestStore() { return std::make_unique<FakeTestStore>(); }

Result<std::vector<SeriesValue>> ParseSeriesValues(std::string_view text) {
  std::vector<SeriesValue> out;
  for (std::string_view tok : SplitSpace(text)) {
    const size_t x = tok.find('x');
    if (x == std::string_view::npos) {
      if (tok == "_") {
        out.push_back({true, 0});
        continue;
      }
      auto v = ParseValue(tok);
      if (!v) return Status::InvalidArgument("bad value \"" + std::string(tok) + "\"");
      out.push_back({false, *v});
      continue;
    }
    // a+bxn, a-bxn, axn, _xn
    std::string_view head = tok.substr(0, x);
    auto times = ParseGoFloat(tok.substr(x + 1));
    if (!times || *times < 0 || *times != std::floor(*times)) {
      return Status::InvalidArgument("bad repetition \"" + std::string(tok) + "\"");
    }
    const int64_t n = static_cast<int64_t>(*times);
    if (head == "_") {
      for (int64_t i = 0; i < n; ++i) out.push_back({true, 0});
      continue;
    }
    // Find the sign that separates start and increment (not a leading sign or an exponent's).
    size_t sep = std::string_view::npos;
    for (size_t i = 1; i < head.size(); ++i) {
      if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E') {
        sep = i;
        break;
      }
    }
    double start, inc = 0;
    if (sep == std::string_view::npos) {
      auto s = ParseValue(head);
      if (!s) return Status::InvalidArgument("bad value \"" + std::string(tok) + "\"");
      start = *s;
    } else {
      auto s = ParseValue(head.substr(0, sep));
      auto d = ParseGoFloat(head.substr(sep + 1));
      if (!s || !d) return Status::InvalidArgument("bad value \"" + std::string(tok) + "\"");
      start = *s;
      inc = head[sep] == '-' ? -*d : *d;
    }
    for (int64_t i = 0; i <= n; ++i) {
      out.push_back({false, std::isnan(start) ? start : start + inc * static_cast<double>(i)});
    }
  }
  return out;
}

ScriptReport RunScript(std::string_view name, std::string_view text, TestStore& store,
                       EngineOptions options) {
  ScriptReport report;
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  auto fail = [&](int line, const std::string& msg) {
    report.failures.push_back(std::string(name) + ":" + std::to_string(line) + ": " + msg);
  };
  auto is_indented = [](std::string_view l) { return !l.empty() && (l[0] == ' ' || l[0] == '\t'); };

  size_t i = 0;
  while (i < lines.size()) {
    const int lineno = static_cast<int>(i) + 1;
    std::string_view raw = lines[i];
    std::string_view line = Trim(raw);
    ++i;
    if (line.empty() || line[0] == '#') continue;
    auto words = SplitSpace(line);
    const std::string_view cmd = words[0];

    if (cmd == "clear") {
      store.Clear();
      continue;
    }
    if (cmd == "load") {
      auto step = words.size() == 2 ? ParseDurationMs(words[1]) : std::nullopt;
      if (!step) {
        fail(lineno, "bad load command");
        return report;
      }
      while (i < lines.size() && is_indented(lines[i])) {
        std::string_view l = Trim(lines[i]);
        const int ln = static_cast<int>(i) + 1;
        ++i;
        if (l.empty() || l[0] == '#') continue;
        auto [series, rest] = SplitSeries(l);
        auto labels = ParseSeriesLabels(series);
        auto values = ParseSeriesValues(rest);
        if (!labels.ok() || !values.ok()) {
          fail(ln,
               "bad series line: " + (labels.ok() ? values.status() : labels.status()).message());
          return report;
        }
        std::vector<storage::Sample> samples;
        for (size_t k = 0; k < values->size(); ++k) {
          if ((*values)[k].missing) continue;
          samples.push_back({static_cast<int64_t>(k) * *step, (*values)[k].v});
        }
        Status s = store.Add(*labels, samples);
        if (!s.ok()) fail(ln, "load: " + s.message());
      }
      continue;
    }
    if (cmd != "eval" && cmd != "eval_ordered" && cmd != "eval_fail") {
      fail(lineno, "unknown command \"" + std::string(cmd) + "\"");
      return report;
    }
    // eval instant at T EXPR | eval range from T to T step D EXPR
    bool range = false;
    int64_t start = 0, end = 0, step = 1;
    std::string_view expr;
    auto rest_after = [&](size_t nwords) {
      // The expression: everything after the first `nwords` words.
      std::string_view r = line;
      for (size_t w = 0; w < nwords; ++w) {
        r = Trim(r);
        size_t sp = r.find_first_of(" \t");
        r = sp == std::string_view::npos ? std::string_view() : r.substr(sp);
      }
      return Trim(r);
    };
    if (words.size() >= 5 && words[1] == "instant" && words[2] == "at") {
      auto t = ParseTime(words[3]);
      if (!t) {
        fail(lineno, "bad time");
        continue;
      }
      start = end = *t;
      expr = rest_after(4);
    } else if (words.size() >= 9 && words[1] == "range" && words[2] == "from" && words[4] == "to" &&
               words[6] == "step") {
      auto s = ParseTime(words[3]), e = ParseTime(words[5]), st = ParseTime(words[7]);
      if (!s || !e || !st) {
        fail(lineno, "bad range");
        continue;
      }
      range = true;
      start = *s;
      end = *e;
      step = *st;
      expr = rest_after(8);
    } else {
      fail(lineno, "bad eval command");
      continue;
    }

    // Expected lines.
    std::vector<Expected> expected;
    std::string want_message, want_type;
    bool bad_expectation = false;
    while (i < lines.size() && is_indented(lines[i])) {
      std::string_view l = Trim(lines[i]);
      const int ln = static_cast<int>(i) + 1;
      ++i;
      if (l.empty() || l[0] == '#') continue;
      if (l.starts_with("expected_fail_message ")) {
        want_message = std::string(Trim(l.substr(22)));
        continue;
      }
      if (l.starts_with("expected_fail_type ")) {
        want_type = std::string(Trim(l.substr(19)));
        continue;
      }
      Expected ex;
      ex.line = ln;
      auto [series, rest] = SplitSeries(l);
      if (series.empty()) {
        auto v = ParseSeriesValues(l);
        if (!v.ok() || v->size() != 1) {
          fail(ln, "bad expected scalar: " + std::string(l));
          bad_expectation = true;
          continue;
        }
        ex.scalar = true;
        ex.values = std::move(*v);
      } else {
        auto labels = ParseSeriesLabels(series);
        auto values = ParseSeriesValues(rest);
        if (!labels.ok() || !values.ok()) {
          fail(ln, "bad expected line: " + std::string(l));
          bad_expectation = true;
          continue;
        }
        ex.labels = std::move(*labels);
        ex.values = std::move(*values);
      }
      expected.push_back(std::move(ex));
    }
    if (bad_expectation) continue;

    ++report.evals;
    // A fresh engine each time: `clear` may replace the store's Storage object.
    Engine engine(store.storage(), options);
    const std::string ctx =
        std::string(range ? "range" : "instant") + " `" + std::string(expr) + "`";
    Result<QueryResult> res =
        range ? engine.Range(expr, start, end, step) : engine.Instant(expr, start);
    if (cmd == "eval_fail") {
      if (res.ok()) {
        fail(lineno, ctx + ": expected an error, got a result");
        continue;
      }
      const Status& st = res.status();
      if (!want_message.empty() && st.message().find(want_message) == std::string::npos) {
        fail(lineno,
             ctx + ": error \"" + st.message() + "\" does not contain \"" + want_message + "\"");
        continue;
      }
      if (!want_type.empty()) {
        const std::string got =
            st.code() == StatusCode::kInvalidArgument ? "bad_data" : "execution";
        if (got != want_type) {
          fail(lineno,
               ctx + ": error type " + got + ", want " + want_type + " (" + st.message() + ")");
          continue;
        }
      }
      ++report.passed;
      continue;
    }
    if (!res.ok()) {
      fail(lineno, ctx + ": unexpected error: " + res.status().ToString());
      continue;
    }
    const QueryResult& r = *res;
    std::vector<std::string> diffs;

    if (!range && r.type == QueryResult::Type::kScalar) {
      if (expected.size() != 1 || !expected[0].scalar) {
        diffs.push_back("got scalar " + FormatDouble(r.scalar.value) + ", expected a vector");
      } else if (!AlmostEqual(expected[0].values[0].v, r.scalar.value)) {
        diffs.push_back("scalar: got " + FormatDouble(r.scalar.value) + ", want " +
                        FormatDouble(expected[0].values[0].v));
      }
    } else if (!range) {
      if (r.type != QueryResult::Type::kVector) {
        diffs.push_back("result is not an instant vector");
      } else {
        for (const auto& ex : expected) {
          if (ex.scalar) diffs.push_back("expected a scalar, got a vector");
        }
        if (r.series.size() != expected.size()) {
          diffs.push_back("got " + std::to_string(r.series.size()) + " series, want " +
                          std::to_string(expected.size()));
        }
        for (size_t k = 0; k < expected.size(); ++k) {
          const auto& ex = expected[k];
          if (ex.scalar || ex.values.size() != 1) continue;
          const SeriesResult* got = nullptr;
          if (cmd == "eval_ordered") {
            if (k < r.series.size()) got = &r.series[k];
            if (got && got->labels != ex.labels) {
              diffs.push_back("position " + std::to_string(k) + ": got " + got->labels.ToString() +
                              ", want " + ex.labels.ToString());
              continue;
            }
          } else {
            got = FindSeries(r, ex.labels);
          }
          if (!got) {
            diffs.push_back("missing " + ex.labels.ToString());
            continue;
          }
          if (!AlmostEqual(got->samples.at(0).value, ex.values[0].v)) {
            diffs.push_back(ex.labels.ToString() + ": got " + FormatDouble(got->samples[0].value) +
                            ", want " + FormatDouble(ex.values[0].v));
          }
        }
        for (const auto& s : r.series) {
          if (!IsExpected(expected, s.labels)) {
            diffs.push_back("unexpected " + s.labels.ToString() + " " +
                            FormatDouble(s.samples.at(0).value));
          }
        }
      }
    } else {
      const size_t nsteps = static_cast<size_t>((end - start) / step) + 1;
      for (const auto& ex : expected) {
        if (ex.scalar) {
          diffs.push_back("range expectations need a series");
          continue;
        }
        if (ex.values.size() != nsteps) {
          diffs.push_back(ex.labels.ToString() + ": expectation has " +
                          std::to_string(ex.values.size()) + " values for " +
                          std::to_string(nsteps) + " steps");
          continue;
        }
        const SeriesResult* got = FindSeries(r, ex.labels);
        if (!got) {
          diffs.push_back("missing " + ex.labels.ToString());
          continue;
        }
        std::map<int64_t, double> pts;
        for (const auto& p : got->samples) pts[p.timestamp_ms] = p.value;
        for (size_t k = 0; k < nsteps; ++k) {
          const int64_t ts = start + static_cast<int64_t>(k) * step;
          auto it = pts.find(ts);
          if (ex.values[k].missing) {
            if (it != pts.end()) {
              diffs.push_back(ex.labels.ToString() + " @" + std::to_string(ts) + ": got " +
                              FormatDouble(it->second) + ", want no sample");
            }
          } else if (it == pts.end()) {
            diffs.push_back(ex.labels.ToString() + " @" + std::to_string(ts) +
                            ": no sample, want " + FormatDouble(ex.values[k].v));
          } else if (!AlmostEqual(it->second, ex.values[k].v)) {
            diffs.push_back(ex.labels.ToString() + " @" + std::to_string(ts) + ": got " +
                            FormatDouble(it->second) + ", want " + FormatDouble(ex.values[k].v));
          }
        }
        if (pts.size() > nsteps) diffs.push_back("points outside the steps");
      }
      for (const auto& s : r.series) {
        if (!IsExpected(expected, s.labels)) {
          diffs.push_back("unexpected series " + s.labels.ToString());
        }
      }
    }
    if (diffs.empty()) {
      ++report.passed;
    } else {
      std::string msg = ctx + ":";
      for (const auto& d : diffs) msg += "\n    " + d;
      fail(lineno, msg);
    }
  }
  return report;
}

}  // namespace mm::query::testing
