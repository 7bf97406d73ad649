#include <re2/re2.h>

#include "storage/storage.h"

namespace mm::storage {

struct LabelMatcher::Regex {
  explicit Regex(const std::string& pattern) : re("^(?:" + pattern + ")$", Options()) {}
  static RE2::Options Options() {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_dot_nl(true);  // Prometheus: '.' matches newlines too
    return o;
  }
  RE2 re;
};

Result<LabelMatcher> LabelMatcher::Make(MatchType type, std::string name, std::string value) {
  LabelMatcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    auto re = std::make_shared<const Regex>(m.value_);
    if (!re->re.ok()) {
      return Status::InvalidArgument("invalid regular expression \"" + m.value_ +
                                     "\" in matcher for label " + m.name_ + ": " + re->re.error());
    }
    m.re_ = std::move(re);
  }
  m.matches_empty_ = m.Matches("");
  return m;
}

bool LabelMatcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), re_->re);
    case MatchType::kRegexNoMatch:
      return !RE2::FullMatch(re2::StringPiece(v.data(), v.size()), re_->re);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  static constexpr const char* kOps[] = {"=", "!=", "=~", "!~"};
  return name_ + kOps[static_cast<int>(type_)] + "\"" + value_ + "\"";
}

}  // namespace mm::storage
