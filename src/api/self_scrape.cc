#include "api/self_scrape.h"

#include <charconv>
#include <cmath>

namespace mm::api {

namespace {

// Parses a label value in quotes starting at text[i] == '"'; unescapes \\ \" \n. Advances i past
// the closing quote. False when the quote is not closed.
bool ParseQuoted(std::string_view text, size_t& i, std::string& out) {
  out.clear();
  for (++i; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      ++i;
      return true;
    }
    if (c == '\\' && i + 1 < text.size()) {
      char n = text[++i];
      out.push_back(n == 'n' ? '\n' : n);
    } else {
      out.push_back(c);
    }
  }
  return false;
}

bool ParseValue(std::string_view s, double& v) {
  if (s == "NaN")
    v = std::nan("");
  else if (s == "+Inf")
    v = HUGE_VAL;
  else if (s == "-Inf")
    v = -HUGE_VAL;
  else {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
  }
  return true;
}

}  // namespace

size_t AppendExposition(std::string_view text, int64_t now_ns, PointBatch& out,
                        std::vector<TagRef>& tags) {
  size_t bad = 0;
  std::string value;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty() || line[0] == '#') continue;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    std::string_view name = line.substr(0, i);
    if (name.empty() || name.ends_with("_bucket")) continue;
    tags.clear();
    bool ok = true;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (ok && i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          ok = false;
          break;
        }
        std::string_view key = line.substr(i, eq - i);
        i = eq + 1;
        ok = ParseQuoted(line, i, value);
        if (ok) tags.push_back({out.Intern(key), out.Intern(value)});
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size())
        ok = false;
      else
        ++i;  // '}'
    }
    while (i < line.size() && line[i] == ' ') ++i;
    std::string_view rest = line.substr(i);
    rest = rest.substr(0, rest.find(' '));  // an optional timestamp follows
    FieldRef f;
    f.key = "value";
    f.type = FieldType::kFloat;
    if (!ok || !ParseValue(rest, f.f)) {
      ++bad;
      continue;
    }
    out.Add(out.Intern(name), tags, std::span<const FieldRef>(&f, 1), now_ns);
  }
  return bad;
}

Status SelfScrapeSource::Collect(PointBatch& out, int64_t now_ns) {
  size_t bad = AppendExposition(metrics_.Render(), now_ns, out, tags_);
  if (bad > 0) return Status::Internal("self: " + std::to_string(bad) + " unreadable lines");
  return Status::Ok();
}

}  // namespace mm::api
