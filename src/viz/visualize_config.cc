#include "viz/visualize_config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "core/duration.h"
#include "viz/canvas.h"
#include "viz/timeframe.h"

namespace mm::viz {
namespace {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Status Bad(const YAML::Node& node, const std::string& key, const std::string& why) const {
    std::string s = file_;
    if (node.Mark().line >= 0) s += ":" + std::to_string(node.Mark().line + 1);
    return Status::InvalidArgument(s + ": key \"" + key + "\": " + why);
  }

  Result<std::string> String(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) return Bad(n, key, "expected a string");
    return n.Scalar();
  }
  Result<double> Number(const YAML::Node& n, const std::string& key) const {
    try {
      if (n.IsScalar()) return n.as<double>();
    } catch (const YAML::Exception&) {
    }
    return Bad(n, key, "expected a number");
  }
  Result<int> Int(const YAML::Node& n, const std::string& key, int lo, int hi) const {
    int v = 0;
    try {
      if (!n.IsScalar()) return Bad(n, key, "expected an integer");
      v = n.as<int>();
    } catch (const YAML::Exception&) {
      return Bad(n, key, "expected an integer");
    }
    if (v < lo || v > hi) {
      return Bad(n, key, "out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    return v;
  }
  Result<bool> Bool(const YAML::Node& n, const std::string& key) const {
    try {
      if (n.IsScalar()) return n.as<bool>();
    } catch (const YAML::Exception&) {
    }
    return Bad(n, key, "expected true or false");
  }
  Status Timeframe(const YAML::Node& n, const std::string& key, std::string& out) const {
    MM_ASSIGN_OR_RETURN(out, String(n, key));
    auto r = ParseTimeframe(out, 0);
    if (!r.ok()) return Bad(n, key, r.status().message());
    return Status::Ok();
  }

  Status Panel(const YAML::Node& node, size_t index, PanelConfig& p) const {
    std::string at = "panels[" + std::to_string(index) + "]";
    if (!node.IsMap()) return Bad(node, at, "expected a mapping (name, title, query, ...)");
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      const std::string key = at + "." + k;
      if (k == "name") {
        MM_ASSIGN_OR_RETURN(p.name, String(v, key));
      } else if (k == "title") {
        MM_ASSIGN_OR_RETURN(p.title, String(v, key));
      } else if (k == "query") {
        MM_ASSIGN_OR_RETURN(p.query, String(v, key));
      } else if (k == "unit") {
        MM_ASSIGN_OR_RETURN(p.unit, String(v, key));
      } else if (k == "y_min") {
        MM_ASSIGN_OR_RETURN(p.y_min, Number(v, key));
      } else if (k == "y_max") {
        MM_ASSIGN_OR_RETURN(p.y_max, Number(v, key));
      } else if (k == "stacked") {
        MM_ASSIGN_OR_RETURN(p.stacked, Bool(v, key));
      } else if (k == "timeframe") {
        MM_RETURN_IF_ERROR(Timeframe(v, key, p.timeframe));
      } else {
        return Bad(kv.first, key,
                   "unknown key (known: name, title, query, unit, y_min, y_max, stacked, "
                   "timeframe)");
      }
    }
    if (p.query.empty()) return Bad(node, at + ".query", "every panel needs a query");
    if (p.name.empty()) p.name = p.title.empty() ? p.query : p.title;
    if (p.title.empty()) p.title = p.name;
    if (p.y_min && p.y_max && !(*p.y_min < *p.y_max)) {
      return Bad(node, at + ".y_min", "must be below y_max");
    }
    return Status::Ok();
  }

 private:
  std::string file_;
};

}  // namespace

const PanelConfig* VisualizeConfig::FindPanel(std::string_view name) const {
  for (const PanelConfig& p : panels) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

ChartOptions VisualizeConfig::ToChartOptions(const PanelConfig* panel) const {
  ChartOptions o;
  o.width = width;
  o.height = height;
  o.theme = theme;
  o.line_width = line_width;
  o.colors = colors;
  o.utc = utc;
  if (panel != nullptr) {
    o.title = panel->title;
    o.unit = panel->unit;
    o.y_min = panel->y_min;
    o.y_max = panel->y_max;
    o.stacked = panel->stacked;
    o.series_label = panel->query;
  }
  return o;
}

Result<VisualizeConfig> ParseVisualizeConfig(const std::string& text,
                                             const std::string& file_name) {
  VisualizeConfig c;
  Reader r(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file_name + ":" + std::to_string(e.mark.line + 1) + ": " +
                                   e.msg);
  }
  if (root.IsNull()) return c;
  if (!root.IsMap()) return Status::InvalidArgument(file_name + ": expected a mapping");
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (k == "theme") {
      MM_ASSIGN_OR_RETURN(std::string s, r.String(v, k));
      auto t = ParseTheme(s);
      if (!t.ok()) return r.Bad(v, k, t.status().message());
      c.theme = *t;
    } else if (k == "width") {
      MM_ASSIGN_OR_RETURN(c.width, r.Int(v, k, kMinSize, kMaxSize));
    } else if (k == "height") {
      MM_ASSIGN_OR_RETURN(c.height, r.Int(v, k, kMinSize, kMaxSize));
    } else if (k == "line_width") {
      MM_ASSIGN_OR_RETURN(c.line_width, r.Number(v, k));
      if (!(c.line_width > 0 && c.line_width <= 20)) return r.Bad(v, k, "out of range (0, 20]");
    } else if (k == "colors") {
      if (!v.IsSequence()) return r.Bad(v, k, "expected a list of \"#rrggbb\" colours");
      for (size_t i = 0; i < v.size(); ++i) {
        std::string key = k + "[" + std::to_string(i) + "]";
        MM_ASSIGN_OR_RETURN(std::string s, r.String(v[i], key));
        auto col = ParseColor(s);
        if (!col.ok()) return r.Bad(v[i], key, col.status().message());
        c.colors.push_back(s);
      }
    } else if (k == "timeframe") {
      MM_RETURN_IF_ERROR(r.Timeframe(v, k, c.timeframe));
    } else if (k == "utc") {
      MM_ASSIGN_OR_RETURN(c.utc, r.Bool(v, k));
    } else if (k == "refresh") {
      MM_ASSIGN_OR_RETURN(std::string s, r.String(v, k));
      auto d = ParseDurationOrSecondsMillis(s);
      if (!d.ok() || *d <= 0) return r.Bad(v, k, "expected a positive duration such as 5s");
      c.refresh_ms = *d;
    } else if (k == "panels") {
      if (!v.IsSequence()) return r.Bad(v, k, "expected a list of panels");
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        PanelConfig p;
        MM_RETURN_IF_ERROR(r.Panel(v[i], i, p));
        if (!seen.insert(p.name).second) {
          return r.Bad(v[i], "panels[" + std::to_string(i) + "].name",
                       "duplicate panel name \"" + p.name + "\"");
        }
        c.panels.push_back(std::move(p));
      }
    } else {
      return r.Bad(kv.first, k,
                   "unknown key (known: theme, width, height, line_width, colors, timeframe, "
                   "utc, refresh, panels)");
    }
  }
  return c;
}

Result<VisualizeConfig> LoadVisualizeConfig(Env& env, const std::string& path) {
  if (!env.FileExists(path)) return VisualizeConfig{};
  MM_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  return ParseVisualizeConfig(text, path);
}

}  // namespace mm::viz
