#include "cli/plot.h"

#include <boost/json.hpp>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/time_args.h"
#include "core/clock.h"
#include "core/env.h"
#include "server/testing/http_client.h"
#include "viz/plot_request.h"

namespace mm::cli {

namespace json = boost::json;

namespace {

Result<SamplePoint> DecodeSample(const json::value& pair) {
  if (!pair.is_array() || pair.as_array().size() != 2) {
    return Status::InvalidArgument("unexpected sample shape");
  }
  const json::value& t = pair.as_array()[0];
  const json::value& v = pair.as_array()[1];
  double secs = t.is_double() ? t.as_double() : t.is_int64() ? double(t.as_int64()) : NAN;
  if (!std::isfinite(secs) || !v.is_string()) return Status::InvalidArgument("unexpected sample");
  std::string text(v.as_string());
  double value = 0;
  if (text == "NaN") {
    value = std::nan("");
  } else if (text == "+Inf" || text == "Inf") {
    value = INFINITY;
  } else if (text == "-Inf") {
    value = -INFINITY;
  } else {
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) return Status::InvalidArgument("bad sample value");
  }
  return SamplePoint{static_cast<int64_t>(std::llround(secs * 1000)), value};
}

Result<Labels> DecodeLabels(const json::value& metric) {
  if (!metric.is_object()) return Status::InvalidArgument("unexpected metric shape");
  std::vector<Label> labels;
  for (const auto& kv : metric.as_object()) {
    if (kv.value().is_string()) {
      labels.push_back({std::string(kv.key()), std::string(kv.value().as_string())});
    }
  }
  return Labels::FromUnsorted(std::move(labels));
}

}  // namespace

Result<QueryResult> DecodeQueryResponse(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("the server answered no JSON object");
  const json::object& o = v.as_object();
  const json::value* status = o.if_contains("status");
  if (status == nullptr || *status != "success") {
    const json::value* error = o.if_contains("error");
    return Status::InvalidArgument(error != nullptr && error->is_string()
                                       ? std::string(error->as_string())
                                       : "the server answered no query result");
  }
  const json::value* data = o.if_contains("data");
  if (data == nullptr || !data->is_object()) return Status::InvalidArgument("no data in answer");
  const json::value* type = data->as_object().if_contains("resultType");
  const json::value* result = data->as_object().if_contains("result");
  if (type == nullptr || result == nullptr || !type->is_string()) {
    return Status::InvalidArgument("the server answered no query result");
  }
  QueryResult r;
  std::string_view t = type->as_string();
  if (t == "scalar") {
    r.type = QueryResult::Type::kScalar;
    MM_ASSIGN_OR_RETURN(r.scalar, DecodeSample(*result));
    return r;
  }
  if (t != "matrix" && t != "vector") {
    return Status::InvalidArgument("a " + std::string(t) + " result cannot be plotted");
  }
  r.type = t == "matrix" ? QueryResult::Type::kMatrix : QueryResult::Type::kVector;
  if (!result->is_array()) return Status::InvalidArgument("unexpected result shape");
  for (const json::value& s : result->as_array()) {
    if (!s.is_object()) return Status::InvalidArgument("unexpected series shape");
    SeriesResult series;
    const json::value* metric = s.as_object().if_contains("metric");
    if (metric != nullptr) {
      MM_ASSIGN_OR_RETURN(series.labels, DecodeLabels(*metric));
    }
    if (const json::value* values = s.as_object().if_contains("values")) {
      if (!values->is_array()) return Status::InvalidArgument("unexpected values shape");
      series.samples.reserve(values->as_array().size());
      for (const json::value& p : values->as_array()) {
        MM_ASSIGN_OR_RETURN(SamplePoint sp, DecodeSample(p));
        series.samples.push_back(sp);
      }
    } else if (const json::value* value = s.as_object().if_contains("value")) {
      MM_ASSIGN_OR_RETURN(SamplePoint sp, DecodeSample(*value));
      series.samples.push_back(sp);
    }
    r.series.push_back(std::move(series));
  }
  return r;
}

int PlotCommand(const PlotCommandOptions& o, std::ostream& out, std::ostream& err) {
  // visualize.yaml: --config DIR, else ./config when it has one, else the defaults.
  std::string config_path =
      (std::filesystem::path(o.config_dir.empty() ? "config" : o.config_dir) / "visualize.yaml")
          .string();
  if (!o.config_dir.empty() && !Env::Default()->FileExists(config_path)) {
    err << "error: no visualize.yaml in " << o.config_dir << "\n";
    return 1;
  }
  auto config = viz::LoadVisualizeConfig(*Env::Default(), config_path);
  if (!config.ok()) {
    err << "error: " << config.status().message() << "\n";
    return 1;
  }
  viz::PlotRequest request{.query = o.query.empty() ? o.metric : o.query,
                           .panel = o.panel,
                           .timeframe = o.timeframe,
                           .start = o.start,
                           .end = o.end,
                           .format = o.format,
                           .width = o.width,
                           .height = o.height,
                           .theme = o.theme,
                           .title = o.title,
                           .unit = o.unit,
                           .y_min = o.y_min,
                           .y_max = o.y_max};
  if (o.stacked) request.stacked = true;
  if (o.utc) request.utc = true;
  std::string output = o.output;
  if (output.empty()) {
    output = viz::DefaultOutputName(o.panel.empty() ? request.query : o.panel, viz::Format::kPng);
  }
  if (o.format.empty()) {
    auto f = viz::FormatFromPath(output);
    if (!f.ok()) {
      err << "error: " << f.status().message() << "\n";
      return 1;
    }
    request.format = f.value() == viz::Format::kSvg   ? "svg"
                     : f.value() == viz::Format::kPdf ? "pdf"
                                                      : "png";
  }
  auto plan = viz::PlanPlot(request, *config, Clock::Real()->NowNanos() / 1'000'000);
  if (!plan.ok()) {
    err << "error: " << plan.status().message() << "\n";
    return 1;
  }

  auto url = server::ParseHttpUrl(o.server);
  if (!url.ok()) {
    err << "error: --server: " << url.status().message() << "\n";
    return 1;
  }
  server::HttpClient client(*url);
  std::string form = server::FormEncode({{"query", plan->query},
                                         {"start", UnixSecondsParam(plan->start_ms)},
                                         {"end", UnixSecondsParam(plan->end_ms)},
                                         {"step", UnixSecondsParam(plan->step_ms)}});
  auto r = client.Post(url->base_path + "/api/v1/query_range", form,
                       "application/x-www-form-urlencoded");
  if (!r.ok()) {
    err << "error: cannot reach " << o.server << ": " << r.status().message() << "\n";
    return 1;
  }
  auto result = DecodeQueryResponse(r->body);
  if (!result.ok()) {
    err << "error: " << (r->status != 200 ? "server answered " + std::to_string(r->status) + ": "
                                          : std::string())
        << result.status().message() << "\n";
    return 1;
  }
  auto image = viz::RenderChart(*result, plan->chart);
  if (!image.ok()) {
    err << "error: " << image.status().message() << "\n";
    return 1;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  if (file) file.write(image->data(), static_cast<std::streamsize>(image->size()));
  if (file) file.close();
  if (!file) {
    err << "error: cannot write " << output << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  size_t series = result->type == QueryResult::Type::kScalar ? 1 : result->series.size();
  out << "wrote " << output << " (" << plan->chart.width << "x" << plan->chart.height << ", "
      << series << " series, step " << plan->step_ms / 1000 << "s)\n";
  return 0;
}

}  // namespace mm::cli
