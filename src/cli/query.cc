#include <boost/json.hpp>

#include <algorithm>

#include "cli/commands.h"
#include "cli/time_args.h"
#include "core/clock.h"
#include "metrics_manager/labels.h"
#include "server/prom_time.h"
#include "server/testing/http_client.h"

namespace mm::cli {

namespace json = boost::json;

namespace {

std::string LabelsText(const json::value& metric) {
  std::vector<Label> labels;
  if (metric.is_object()) {
    for (const auto& kv : metric.as_object()) {
      if (kv.value().is_string()) {
        labels.push_back({std::string(kv.key()), std::string(kv.value().as_string())});
      }
    }
  }
  std::string s = Labels::FromUnsorted(std::move(labels)).ToString();
  return s.empty() ? "{}" : s;
}

// [1700000000.123, "1.5"] → ("2023-11-14T22:13:20.123Z", "1.5").
Result<std::pair<std::string, std::string>> SampleText(const json::value& pair) {
  if (!pair.is_array() || pair.as_array().size() != 2) {
    return Status::InvalidArgument("unexpected sample shape");
  }
  const json::value& t = pair.as_array()[0];
  const json::value& v = pair.as_array()[1];
  double secs = t.is_double() ? t.as_double() : t.is_int64() ? double(t.as_int64()) : 0;
  int64_t ms = static_cast<int64_t>(secs * 1000 + (secs >= 0 ? 0.5 : -0.5));
  std::string value = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
  return std::make_pair(server::FormatRfc3339Millis(ms), value);
}

void AppendPadded(std::string& out, std::string_view s, size_t width) {
  out.append(s);
  if (s.size() < width) out.append(width - s.size(), ' ');
}

}  // namespace

Result<std::string> FormatQueryResponse(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("the server answered no JSON object");
  const json::object& o = v.as_object();
  const json::value* data = o.if_contains("data");
  if (!o.contains("status") || o.at("status") != "success" || data == nullptr ||
      !data->is_object()) {
    return Status::InvalidArgument("the server answered no query result");
  }
  const json::value* type = data->as_object().if_contains("resultType");
  const json::value* result = data->as_object().if_contains("result");
  if (type == nullptr || result == nullptr || !type->is_string()) {
    return Status::InvalidArgument("the server answered no query result");
  }
  std::string out;
  std::string_view t = type->as_string();
  if (t == "scalar" || t == "string") {
    MM_ASSIGN_OR_RETURN(auto s, SampleText(*result));
    out = std::string(t) + "  " + s.first + "  " + s.second + "\n";
    return out;
  }
  if (!result->is_array()) return Status::InvalidArgument("unexpected result shape");
  if (result->as_array().empty()) return std::string("(no data)\n");
  if (t == "vector") {
    struct Row {
      std::string labels, ts, value;
    };
    std::vector<Row> rows;
    size_t w_labels = 6, w_ts = 9;
    for (const auto& e : result->as_array()) {
      if (!e.is_object() || !e.as_object().contains("value")) {
        return Status::InvalidArgument("unexpected vector element");
      }
      MM_ASSIGN_OR_RETURN(auto s, SampleText(e.as_object().at("value")));
      const json::value* metric = e.as_object().if_contains("metric");
      rows.push_back({metric ? LabelsText(*metric) : "{}", s.first, s.second});
      w_labels = std::max(w_labels, rows.back().labels.size());
      w_ts = std::max(w_ts, rows.back().ts.size());
    }
    AppendPadded(out, "SERIES", w_labels + 2);
    AppendPadded(out, "TIMESTAMP", w_ts + 2);
    out.append("VALUE\n");
    for (const Row& r : rows) {
      AppendPadded(out, r.labels, w_labels + 2);
      AppendPadded(out, r.ts, w_ts + 2);
      out.append(r.value).push_back('\n');
    }
    return out;
  }
  if (t == "matrix") {
    bool first = true;
    for (const auto& e : result->as_array()) {
      if (!e.is_object() || !e.as_object().contains("values") ||
          !e.as_object().at("values").is_array()) {
        return Status::InvalidArgument("unexpected matrix element");
      }
      if (!first) out.push_back('\n');
      first = false;
      const json::value* metric = e.as_object().if_contains("metric");
      out.append(metric ? LabelsText(*metric) : "{}").push_back('\n');
      for (const auto& p : e.as_object().at("values").as_array()) {
        MM_ASSIGN_OR_RETURN(auto s, SampleText(p));
        out.append("  ").append(s.first).append("  ").append(s.second).push_back('\n');
      }
    }
    return out;
  }
  return Status::InvalidArgument("unknown resultType \"" + std::string(t) + "\"");
}

int QueryCommand(const QueryOptions& o, std::ostream& out, std::ostream& err) {
  auto url = server::ParseHttpUrl(o.server);
  if (!url.ok()) {
    err << "error: " << url.status().message() << "\n";
    return 1;
  }
  const int64_t now = Clock::Real()->NowNanos() / 1'000'000;
  std::vector<std::pair<std::string, std::string>> form{{"query", o.expr}};
  std::string path;
  bool range = !o.start.empty() || !o.end.empty() || !o.step.empty();
  if (range && !o.time.empty()) {
    err << "error: --time is for instant queries; use --start/--end/--step for a range\n";
    return 1;
  }
  if (range) {
    auto end = ParseCliTime(o.end.empty() ? "now" : o.end, now);
    if (!end.ok()) return err << "error: --end: " << end.status().message() << "\n", 1;
    auto start = o.start.empty() ? Result<int64_t>(*end - 3600'000) : ParseCliTime(o.start, now);
    if (!start.ok()) return err << "error: --start: " << start.status().message() << "\n", 1;
    // Default step: about 250 points, at least a second.
    auto step = o.step.empty() ? Result<int64_t>(std::max<int64_t>(1000, (*end - *start) / 250))
                               : ParseCliDuration(o.step);
    if (!step.ok()) return err << "error: --step: " << step.status().message() << "\n", 1;
    form.emplace_back("start", UnixSecondsParam(*start));
    form.emplace_back("end", UnixSecondsParam(*end));
    form.emplace_back("step", UnixSecondsParam(*step));
    path = "/api/v1/query_range";
  } else {
    if (!o.time.empty()) {
      auto t = ParseCliTime(o.time, now);
      if (!t.ok()) return err << "error: --time: " << t.status().message() << "\n", 1;
      form.emplace_back("time", UnixSecondsParam(*t));
    }
    path = "/api/v1/query";
  }

  server::HttpClient client(*url);
  auto r = client.Post(path, server::FormEncode(form), "application/x-www-form-urlencoded");
  if (!r.ok()) {
    err << "error: " << r.status().message() << "\n";
    return 1;
  }
  if (r->status != 200) {
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (!ec && v.is_object() && v.as_object().contains("error")) {
      const json::object& e = v.as_object();
      std::string type = e.contains("errorType") && e.at("errorType").is_string()
                             ? std::string(e.at("errorType").as_string()) + ": "
                             : "";
      err << "error: " << type << json::value_to<std::string>(e.at("error")) << "\n";
    } else {
      err << "error: HTTP " << r->status << ": " << r->body.substr(0, 500) << "\n";
    }
    return 1;
  }
  if (o.json) {
    out << r->body << "\n";
    return 0;
  }
  auto text = FormatQueryResponse(r->body);
  if (!text.ok()) {
    err << "error: " << text.status().message() << "\n";
    return 1;
  }
  out << *text;
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  if (!ec && v.is_object()) {
    if (const json::value* w = v.as_object().if_contains("warnings"); w && w->is_array()) {
      for (const auto& s : w->as_array()) {
        if (s.is_string()) err << "warning: " << s.as_string().c_str() << "\n";
      }
    }
  }
  return 0;
}

}  // namespace mm::cli
