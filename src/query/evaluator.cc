#include "query/evaluator.h"

#include <re2/re2.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>
#include <unordered_map>

#include "query/functions.h"
#include "query/lexer.h"

namespace mm::query {

namespace {

using storage::Sample;

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
// Prometheus' default subquery resolution: the global evaluation interval (1m by default).
constexpr int64_t kDefaultSubqueryStepMs = 60 * 1000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char kDuplicateLabelset[] = "vector cannot contain metrics with the same labelset";

struct LabelsHash {
  size_t operator()(const Labels& l) const { return static_cast<size_t>(l.Hash()); }
};

Labels DropMetricName(const Labels& l) {
  if (!l.Has(kMetricNameLabel)) return l;
  return l.Without(kMetricNameLabel);
}

bool IsValidLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Collects output points by label set; points of one label set at one time are an error.
class OutputBuilder {
 public:
  int SeriesFor(Labels labels) {
    auto [it, inserted] = index_.try_emplace(std::move(labels), static_cast<int>(out_.size()));
    if (inserted) out_.push_back(EvalSeries{it->first, {}});
    return it->second;
  }
  Status Add(int series, int64_t t, double v) {
    auto& pts = out_[static_cast<size_t>(series)].points;
    if (!pts.empty()) {
      if (pts.back().t == t) return Status::Internal(kDuplicateLabelset);
      if (pts.back().t > t) unsorted_ = true;
    }
    pts.push_back({t, v});
    return Status::Ok();
  }
  Result<EvalMatrix> Take() {
    EvalMatrix out;
    out.reserve(out_.size());
    for (auto& s : out_) {
      if (s.points.empty()) continue;
      if (unsorted_) {
        std::stable_sort(s.points.begin(), s.points.end(),
                         [](const EvalPoint& a, const EvalPoint& b) { return a.t < b.t; });
        for (size_t i = 1; i < s.points.size(); ++i) {
          if (s.points[i].t == s.points[i - 1].t) return Status::Internal(kDuplicateLabelset);
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  std::unordered_map<Labels, int, LabelsHash> index_;
  EvalMatrix out_;
  bool unsorted_ = false;
};

// The points of a matrix regrouped by step: for step i, (series index, value) in series order.
class StepIndex {
 public:
  struct Entry {
    uint32_t series;
    double v;
  };
  StepIndex(const EvalMatrix& m, const Steps& steps) : offsets_(steps.Count() + 1, 0) {
    for (const auto& s : m) {
      for (const auto& p : s.points) ++offsets_[steps.IndexOf(p.t) + 1];
    }
    for (size_t i = 1; i < offsets_.size(); ++i) offsets_[i] += offsets_[i - 1];
    entries_.resize(offsets_.back());
    std::vector<size_t> fill(offsets_.begin(), offsets_.end() - 1);
    for (size_t si = 0; si < m.size(); ++si) {
      for (const auto& p : m[si].points) {
        entries_[fill[steps.IndexOf(p.t)]++] = {static_cast<uint32_t>(si), p.v};
      }
    }
  }
  std::span<const Entry> At(size_t step) const {
    return {entries_.data() + offsets_[step], offsets_[step + 1] - offsets_[step]};
  }

 private:
  std::vector<size_t> offsets_;
  std::vector<Entry> entries_;
};

// The matching signature of a series: the labels listed in on(...), or all but those listed
// in ignoring(...) and the metric name.
std::string Signature(const Labels& l, bool on, const std::vector<std::string>& names) {
  std::string sig;
  for (const auto& lab : l) {
    const bool listed = std::find(names.begin(), names.end(), lab.name) != names.end();
    if (on ? !listed : (listed || lab.name == kMetricNameLabel)) continue;
    sig += lab.name;
    sig += '\xff';
    sig += lab.value;
    sig += '\xff';
  }
  return sig;
}

bool DropsMetricName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
    case BinaryOp::kPow:
      return true;
    default:
      return false;
  }
}

// Value and whether the element is kept (comparisons filter).
inline std::pair<double, bool> ElemBinop(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd:
      return {l + r, true};
    case BinaryOp::kSub:
      return {l - r, true};
    case BinaryOp::kMul:
      return {l * r, true};
    case BinaryOp::kDiv:
      return {l / r, true};
    case BinaryOp::kMod:
      return {std::fmod(l, r), true};
    case BinaryOp::kPow:
      return {std::pow(l, r), true};
    case BinaryOp::kAtan2:
      return {std::atan2(l, r), true};
    case BinaryOp::kEqlc:
      return {l, l == r};
    case BinaryOp::kNeq:
      return {l, l != r};
    case BinaryOp::kGtr:
      return {l, l > r};
    case BinaryOp::kLss:
      return {l, l < r};
    case BinaryOp::kGte:
      return {l, l >= r};
    case BinaryOp::kLte:
      return {l, l <= r};
    default:
      return {kNaN, false};
  }
}

// Labels of absent()/absent_over_time() output: the equality matchers of a plain selector.
Labels AbsentLabels(const Expr& arg) {
  const VectorSelector* vs = nullptr;
  if (arg.kind == Expr::Kind::kVectorSelector) {
    vs = &static_cast<const VectorSelector&>(arg);
  } else if (arg.kind == Expr::Kind::kMatrixSelector) {
    vs = static_cast<const MatrixSelector&>(arg).selector.get();
  }
  if (vs == nullptr) return {};
  std::vector<Label> set;
  std::vector<std::string> removed;
  for (const auto& m : vs->matchers) {
    if (m.name() == kMetricNameLabel) continue;
    const bool have =
        std::any_of(set.begin(), set.end(), [&](const Label& l) { return l.name == m.name(); });
    if (m.type() == storage::MatchType::kEqual && !have) {
      set.push_back({m.name(), m.value()});
    } else {
      removed.push_back(m.name());
    }
  }
  std::erase_if(set, [&](const Label& l) {
    return std::find(removed.begin(), removed.end(), l.name) != removed.end();
  });
  return Labels::FromUnsorted(std::move(set));
}

// UTC civil date of a Unix time in seconds.
struct CivilTime {
  int64_t year;
  int month, day, hour, minute, weekday, yday;
};
CivilTime ToCivil(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  CivilTime c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  // Howard Hinnant's days -> civil algorithm.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  static constexpr int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  c.yday = kCum[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}
int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Go's regexp Expand: $1, ${1}, $name, ${name}; $$ is a literal $.
std::string ExpandTemplate(std::string_view tmpl, const RE2& re,
                           const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const auto& named = re.NamedCapturingGroups();
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 >= tmpl.size()) {
      out += tmpl[i];
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string_view name;
    size_t next;
    if (tmpl[i + 1] == '{') {
      size_t close = tmpl.find('}', i + 2);
      if (close == std::string_view::npos) {
        out += tmpl[i];
        continue;
      }
      name = tmpl.substr(i + 2, close - i - 2);
      next = close + 1;
    } else {
      size_t j = i + 1;
      while (j < tmpl.size() &&
             (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_')) {
        ++j;
      }
      name = tmpl.substr(i + 1, j - i - 1);
      next = j;
    }
    bool valid = !name.empty();
    for (char ch : name) {
      valid &= std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
    }
    if (!valid) {  // not a reference: keep the '$' literally
      out += tmpl[i];
      continue;
    }
    int idx = -1;
    if (std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      if (name.size() < 9) idx = std::stoi(std::string(name));
    } else {
      auto it = named.find(std::string(name));
      if (it != named.end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < groups.size() && groups[idx].data() != nullptr) {
      out.append(groups[idx].data(), groups[idx].size());
    }
    i = next - 1;
  }
  return out;
}

}  // namespace

bool IsStaleMarker(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

Evaluator::Evaluator(storage::Storage& storage, const EngineOptions& options,
                     int64_t query_start_ms, int64_t query_end_ms)
    : storage_(storage),
      options_(options),
      query_start_ms_(query_start_ms),
      query_end_ms_(query_end_ms) {}

int64_t Evaluator::ResolveAt(const AtModifier& at) const {
  switch (at.kind) {
    case AtModifier::Kind::kStart:
      return query_start_ms_;
    case AtModifier::Kind::kEnd:
      return query_end_ms_;
    default:
      return at.timestamp_ms;
  }
}

Status Evaluator::CountSamples(size_t n) {
  samples_loaded_ += static_cast<int64_t>(n);
  if (samples_loaded_ > options_.max_samples) {
    return Status::ResourceExhausted(
        "query processing would load too many samples into memory in query execution");
  }
  return Status::Ok();
}

Result<std::vector<storage::SeriesSamples>> Evaluator::Fetch(const VectorSelector& vs,
                                                             int64_t min_t, int64_t max_t) {
  storage::SelectOptions opts;
  opts.min_t = min_t;
  opts.max_t = max_t;
  auto r = storage_.Select(vs.matchers, opts);
  if (!r.ok()) return Status::Internal("storage: " + r.status().message());
  size_t n = 0;
  for (const auto& s : *r) n += s.samples.size();
  MM_RETURN_IF_ERROR(CountSamples(n));
  return r;
}

Result<EvalValue> Evaluator::Eval(const Expr& e, const Steps& steps) {
  const size_t n = steps.Count();
  switch (e.kind) {
    case Expr::Kind::kNumber: {
      EvalValue v;
      v.type = ValueType::kScalar;
      v.scalars.assign(n, static_cast<const NumberLiteral&>(e).value);
      return v;
    }
    case Expr::Kind::kString: {
      EvalValue v;
      v.type = ValueType::kString;
      v.str = static_cast<const StringLiteral&>(e).value;
      return v;
    }
    case Expr::Kind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr, steps);
    case Expr::Kind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e), steps, false);
    case Expr::Kind::kMatrixSelector:
    case Expr::Kind::kSubquery:
      return EvalMatrixAtInstant(e, steps);
    case Expr::Kind::kUnary:
      return EvalUnary(static_cast<const UnaryExpr&>(e), steps);
    case Expr::Kind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e), steps);
    case Expr::Kind::kCall:
      return EvalCall(static_cast<const Call&>(e), steps);
    case Expr::Kind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e), steps);
  }
  return Status::Internal("unknown expression");
}

// ---- Selectors.

Result<EvalValue> Evaluator::EvalVectorSelector(const VectorSelector& vs, const Steps& steps,
                                                bool sample_time_as_value) {
  const bool has_at = vs.at.set();
  const int64_t at = has_at ? ResolveAt(vs.at) : 0;
  auto ref = [&](int64_t ts) { return (has_at ? at : ts) - vs.offset_ms; };
  const int64_t lookback = options_.lookback_delta_ms;
  MM_ASSIGN_OR_RETURN(auto fetched, Fetch(vs, ref(steps.start) - lookback, ref(steps.end)));
  EvalValue out;
  out.type = ValueType::kVector;
  const size_t n = steps.Count();
  size_t points = 0;
  for (auto& s : fetched) {
    EvalSeries es;
    const auto& smp = s.samples;
    size_t cur = 0;  // first sample with t > ref
    for (size_t i = 0; i < n; ++i) {
      const int64_t ts = steps.At(i);
      const int64_t r = ref(ts);
      while (cur < smp.size() && smp[cur].t <= r) ++cur;
      if (cur == 0) continue;
      const Sample& last = smp[cur - 1];
      // Prometheus 2.x: the lookback window is closed on both ends, [r - lookback, r].
      if (last.t < r - lookback || IsStaleMarker(last.v)) continue;
      es.points.push_back({ts, sample_time_as_value ? static_cast<double>(last.t) / 1000 : last.v});
    }
    if (es.points.empty()) continue;
    points += es.points.size();
    es.labels = std::move(s.labels);
    out.matrix.push_back(std::move(es));
  }
  MM_RETURN_IF_ERROR(CountSamples(points));
  return out;
}

Result<EvalValue> Evaluator::EvalSubqueryInner(const SubqueryExpr& sq, const Steps& steps) {
  const bool has_at = sq.at.set();
  const int64_t at = has_at ? ResolveAt(sq.at) : 0;
  Steps inner;
  inner.interval = sq.step_ms > 0 ? sq.step_ms : kDefaultSubqueryStepMs;
  const int64_t first = (has_at ? at : steps.start) - sq.offset_ms - sq.range_ms;
  // The first multiple of the step at or after the earliest window start.
  inner.start = inner.interval * (first / inner.interval);
  if (inner.start < first) inner.start += inner.interval;
  inner.end = (has_at ? at : steps.end) - sq.offset_ms;
  if (inner.end < inner.start) {
    EvalValue empty;
    empty.type = ValueType::kVector;
    return empty;
  }
  MM_ASSIGN_OR_RETURN(EvalValue v, Eval(*sq.expr, inner));
  if (v.type == ValueType::kScalar) {  // not reachable after type checks; kept total
    return Status::Internal("subquery over a scalar");
  }
  return v;
}

Result<Evaluator::RangeArg> Evaluator::EvalRangeArg(const Expr& arg, const Steps& steps) {
  const Expr& e = Unparen(arg);
  RangeArg ra;
  if (e.kind == Expr::Kind::kMatrixSelector) {
    const auto& ms = static_cast<const MatrixSelector&>(e);
    const VectorSelector& vs = *ms.selector;
    ra.range_ms = ms.range_ms;
    ra.offset_ms = vs.offset_ms;
    ra.has_at = vs.at.set();
    ra.at_ms = ra.has_at ? ResolveAt(vs.at) : 0;
    MM_ASSIGN_OR_RETURN(auto fetched,
                        Fetch(vs, ra.RefEnd(steps.start) - ra.range_ms, ra.RefEnd(steps.end)));
    ra.series.reserve(fetched.size());
    for (auto& s : fetched) {
      std::erase_if(s.samples, [](const Sample& x) { return IsStaleMarker(x.v); });
      if (s.samples.empty()) continue;
      ra.series.push_back({std::move(s.labels), std::move(s.samples)});
    }
    return ra;
  }
  if (e.kind == Expr::Kind::kSubquery) {
    const auto& sq = static_cast<const SubqueryExpr&>(e);
    ra.range_ms = sq.range_ms;
    ra.offset_ms = sq.offset_ms;
    ra.has_at = sq.at.set();
    ra.at_ms = ra.has_at ? ResolveAt(sq.at) : 0;
    MM_ASSIGN_OR_RETURN(EvalValue inner, EvalSubqueryInner(sq, steps));
    ra.series.reserve(inner.matrix.size());
    for (auto& s : inner.matrix) {
      RangeSeries rs;
      rs.labels = std::move(s.labels);
      rs.samples.reserve(s.points.size());
      for (const auto& p : s.points) rs.samples.push_back({p.t, p.v});
      ra.series.push_back(std::move(rs));
    }
    return ra;
  }
  return Status::Internal("expected a range vector argument");
}

// A range selector or subquery evaluated on its own (an instant query): the raw samples.
Result<EvalValue> Evaluator::EvalMatrixAtInstant(const Expr& e, const Steps& steps) {
  if (steps.Count() != 1) {
    return Status::InvalidArgument("a range vector can only be evaluated at one instant");
  }
  MM_ASSIGN_OR_RETURN(RangeArg ra, EvalRangeArg(e, steps));
  const int64_t end = ra.RefEnd(steps.start);
  const int64_t start = end - ra.range_ms;
  EvalValue out;
  out.type = ValueType::kMatrix;
  for (auto& s : ra.series) {
    EvalSeries es;
    for (const auto& x : s.samples) {
      if (x.t >= start && x.t <= end) es.points.push_back({x.t, x.v});
    }
    if (es.points.empty()) continue;
    es.labels = std::move(s.labels);
    out.matrix.push_back(std::move(es));
  }
  return out;
}

// ---- Operators.

Result<EvalValue> Evaluator::EvalUnary(const UnaryExpr& u, const Steps& steps) {
  MM_ASSIGN_OR_RETURN(EvalValue v, Eval(*u.expr, steps));
  if (!u.negate) return v;
  if (v.type == ValueType::kScalar) {
    for (double& x : v.scalars) x = -x;
    return v;
  }
  OutputBuilder ob;
  for (auto& s : v.matrix) {
    const int id = ob.SeriesFor(DropMetricName(s.labels));
    for (const auto& p : s.points) MM_RETURN_IF_ERROR(ob.Add(id, p.t, -p.v));
  }
  EvalValue out;
  out.type = ValueType::kVector;
  MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
  return out;
}

Result<EvalValue> Evaluator::EvalBinary(const BinaryExpr& b, const Steps& steps) {
  MM_ASSIGN_OR_RETURN(EvalValue lhs, Eval(*b.lhs, steps));
  MM_ASSIGN_OR_RETURN(EvalValue rhs, Eval(*b.rhs, steps));
  const bool ls = lhs.type == ValueType::kScalar, rs = rhs.type == ValueType::kScalar;
  if (ls && rs) {
    EvalValue out;
    out.type = ValueType::kScalar;
    out.scalars.resize(steps.Count());
    for (size_t i = 0; i < out.scalars.size(); ++i) {
      auto [v, keep] = ElemBinop(b.op, lhs.scalars[i], rhs.scalars[i]);
      out.scalars[i] = IsComparison(b.op) ? (keep ? 1.0 : 0.0) : v;
    }
    return out;
  }
  if (ls || rs) {
    // Vector and scalar: the vector keeps its order; the scalar may be on either side.
    EvalValue& vec = ls ? rhs : lhs;
    const std::vector<double>& sc = ls ? lhs.scalars : rhs.scalars;
    const bool swap = ls;
    const bool drop_name = DropsMetricName(b.op) || b.return_bool;
    OutputBuilder ob;
    for (auto& s : vec.matrix) {
      int id = -1;
      for (const auto& p : s.points) {
        double l = p.v, r = sc[steps.IndexOf(p.t)];
        if (swap) std::swap(l, r);
        auto [v, keep] = ElemBinop(b.op, l, r);
        if (IsComparison(b.op) && swap) v = r;  // a comparison keeps the vector's value
        if (b.return_bool) {
          v = keep ? 1.0 : 0.0;
          keep = true;
        }
        if (!keep) continue;
        if (id < 0) id = ob.SeriesFor(drop_name ? DropMetricName(s.labels) : s.labels);
        MM_RETURN_IF_ERROR(ob.Add(id, p.t, v));
      }
    }
    EvalValue out;
    out.type = ValueType::kVector;
    MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
    return out;
  }
  if (IsSetOperator(b.op)) {
    return EvalSetBinary(b, std::move(lhs.matrix), std::move(rhs.matrix), steps);
  }
  return EvalVectorBinary(b, std::move(lhs.matrix), std::move(rhs.matrix), steps);
}

Result<EvalValue> Evaluator::EvalVectorBinary(const BinaryExpr& b, EvalMatrix lhs, EvalMatrix rhs,
                                              const Steps& steps) {
  const VectorMatching& m = b.matching;
  const bool one_to_many = m.card == VectorMatching::Card::kOneToMany;
  // The "many" side is iterated; the "one" side is looked up by signature.
  const EvalMatrix& many = one_to_many ? rhs : lhs;
  const EvalMatrix& one = one_to_many ? lhs : rhs;

  std::unordered_map<std::string, int> sig_ids;
  auto sig_of = [&](const Labels& l) {
    return sig_ids.try_emplace(Signature(l, m.on, m.labels), static_cast<int>(sig_ids.size()))
        .first->second;
  };
  std::vector<int> many_sig(many.size()), one_sig(one.size());
  for (size_t i = 0; i < many.size(); ++i) many_sig[i] = sig_of(many[i].labels);
  for (size_t i = 0; i < one.size(); ++i) one_sig[i] = sig_of(one[i].labels);

  StepIndex many_idx(many, steps), one_idx(one, steps);
  const size_t nsig = sig_ids.size();
  std::vector<int64_t> one_at_sig(nsig, -1);      // entry index in the step, or -1
  std::vector<size_t> one_stamp(nsig, SIZE_MAX);  // step that filled one_at_sig
  std::vector<size_t> matched_stamp(nsig, SIZE_MAX);
  std::unordered_map<int, std::vector<uint64_t>> inserted;  // many-to-one: output hashes per sig

  OutputBuilder ob;
  std::unordered_map<uint64_t, int> out_cache;  // (many series, one series) -> output series

  auto result_labels = [&](const Labels& many_l, const Labels& one_l) {
    std::vector<Label> items(many_l.begin(), many_l.end());
    if (DropsMetricName(b.op) || b.return_bool) {
      std::erase_if(items, [](const Label& l) { return l.name == kMetricNameLabel; });
    }
    if (m.card == VectorMatching::Card::kOneToOne) {
      std::erase_if(items, [&](const Label& l) {
        const bool listed = std::find(m.labels.begin(), m.labels.end(), l.name) != m.labels.end();
        return m.on ? !listed : listed;
      });
    }
    for (const auto& name : m.include) {
      std::erase_if(items, [&](const Label& l) { return l.name == name; });
      std::string_view v = one_l.Get(name);
      if (!v.empty()) items.push_back({name, std::string(v)});
    }
    return Labels::FromUnsorted(std::move(items));
  };

  for (size_t step = 0; step < steps.Count(); ++step) {
    const int64_t ts = steps.At(step);
    auto ones = one_idx.At(step);
    for (size_t k = 0; k < ones.size(); ++k) {
      const int sig = one_sig[ones[k].series];
      if (one_stamp[sig] == step) {
        const Labels& a = one[ones[k].series].labels;
        const Labels& other = one[ones[one_at_sig[sig]].series].labels;
        std::vector<Label> ml;
        for (const auto& l : a) {
          const bool listed = std::find(m.labels.begin(), m.labels.end(), l.name) != m.labels.end();
          if (m.on ? listed : (!listed && l.name != kMetricNameLabel)) ml.push_back(l);
        }
        return Status::Internal(
            "found duplicate series for the match group " +
            Labels::FromUnsorted(std::move(ml)).ToString() + " on the " +
            (one_to_many ? "left" : "right") + " hand-side of the operation: [" + a.ToString() +
            ", " + other.ToString() +
            "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
      one_stamp[sig] = step;
      one_at_sig[sig] = static_cast<int64_t>(k);
    }
    if (ones.empty()) continue;
    for (const auto& me : many_idx.At(step)) {
      const int sig = many_sig[me.series];
      if (one_stamp[sig] != step) continue;
      const auto& oe = ones[static_cast<size_t>(one_at_sig[sig])];
      double vl = me.v, vr = oe.v;
      if (one_to_many) std::swap(vl, vr);
      auto [v, keep] = ElemBinop(b.op, vl, vr);
      if (b.return_bool) {
        v = keep ? 1.0 : 0.0;
      } else if (!keep) {
        continue;
      }
      const uint64_t key = (static_cast<uint64_t>(me.series) << 32) | oe.series;
      auto it = out_cache.find(key);
      if (it == out_cache.end()) {
        it =
            out_cache
                .emplace(key,
                         ob.SeriesFor(result_labels(many[me.series].labels, one[oe.series].labels)))
                .first;
      }
      if (m.card == VectorMatching::Card::kOneToOne) {
        if (matched_stamp[sig] == step) {
          return Status::Internal(
              "multiple matches for labels: many-to-one matching must be "
              "explicit (group_left/group_right)");
        }
        matched_stamp[sig] = step;
      } else {
        auto& ins = inserted[sig];
        if (matched_stamp[sig] != step) {
          ins.clear();
          matched_stamp[sig] = step;
        }
        const uint64_t h = static_cast<uint64_t>(it->second);
        if (std::find(ins.begin(), ins.end(), h) != ins.end()) {
          return Status::Internal(
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
        ins.push_back(h);
      }
      MM_RETURN_IF_ERROR(ob.Add(it->second, ts, v));
    }
  }
  EvalValue out;
  out.type = ValueType::kVector;
  MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
  return out;
}

Result<EvalValue> Evaluator::EvalSetBinary(const BinaryExpr& b, EvalMatrix lhs, EvalMatrix rhs,
                                           const Steps& steps) {
  const VectorMatching& m = b.matching;
  std::unordered_map<std::string, int> sig_ids;
  auto sig_of = [&](const Labels& l) {
    return sig_ids.try_emplace(Signature(l, m.on, m.labels), static_cast<int>(sig_ids.size()))
        .first->second;
  };
  std::vector<int> lsig(lhs.size()), rsig(rhs.size());
  for (size_t i = 0; i < lhs.size(); ++i) lsig[i] = sig_of(lhs[i].labels);
  for (size_t i = 0; i < rhs.size(); ++i) rsig[i] = sig_of(rhs[i].labels);
  StepIndex lidx(lhs, steps), ridx(rhs, steps);
  std::vector<size_t> stamp(sig_ids.size(), SIZE_MAX);

  OutputBuilder ob;
  std::vector<int> lout(lhs.size(), -1), rout(rhs.size(), -1);
  for (size_t step = 0; step < steps.Count(); ++step) {
    const int64_t ts = steps.At(step);
    auto le = lidx.At(step);
    auto re = ridx.At(step);
    auto emit_l = [&](const StepIndex::Entry& e) -> Status {
      if (lout[e.series] < 0) lout[e.series] = ob.SeriesFor(lhs[e.series].labels);
      return ob.Add(lout[e.series], ts, e.v);
    };
    switch (b.op) {
      case BinaryOp::kAnd:
        if (le.empty() || re.empty()) break;
        for (const auto& e : re) stamp[rsig[e.series]] = step;
        for (const auto& e : le) {
          if (stamp[lsig[e.series]] == step) MM_RETURN_IF_ERROR(emit_l(e));
        }
        break;
      case BinaryOp::kOr:
        for (const auto& e : le) {
          stamp[lsig[e.series]] = step;
          MM_RETURN_IF_ERROR(emit_l(e));
        }
        for (const auto& e : re) {
          if (stamp[rsig[e.series]] == step) continue;
          if (rout[e.series] < 0) rout[e.series] = ob.SeriesFor(rhs[e.series].labels);
          MM_RETURN_IF_ERROR(ob.Add(rout[e.series], ts, e.v));
        }
        break;
      default:  // unless
        for (const auto& e : re) stamp[rsig[e.series]] = step;
        for (const auto& e : le) {
          if (stamp[lsig[e.series]] != step) MM_RETURN_IF_ERROR(emit_l(e));
        }
        break;
    }
  }
  EvalValue out;
  out.type = ValueType::kVector;
  MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
  return out;
}

// ---- Aggregation.

Result<EvalValue> Evaluator::EvalAggregate(const AggregateExpr& a, const Steps& steps) {
  const size_t n = steps.Count();
  std::vector<double> param(n, 0);
  std::string value_label;
  if (a.param) {
    MM_ASSIGN_OR_RETURN(EvalValue p, Eval(*a.param, steps));
    if (p.type == ValueType::kString) {
      value_label = p.str;
    } else {
      param = std::move(p.scalars);
    }
  }
  std::vector<std::string> grouping = a.grouping;
  if (a.op == AggregateOp::kCountValues) {
    if (!IsValidLabelName(value_label)) {
      return Status::Internal("invalid label name \"" + value_label + "\"");
    }
    if (!a.without) grouping.push_back(value_label);
  }
  MM_ASSIGN_OR_RETURN(EvalValue in, Eval(*a.expr, steps));
  const EvalMatrix& m = in.matrix;

  auto group_labels = [&](const Labels& l) {
    std::vector<Label> items;
    for (const auto& lab : l) {
      const bool listed = std::find(grouping.begin(), grouping.end(), lab.name) != grouping.end();
      if (a.without ? (!listed && lab.name != kMetricNameLabel) : listed) items.push_back(lab);
    }
    return Labels::FromUnsorted(std::move(items));
  };

  // Group of each input series (count_values: per value, below).
  std::unordered_map<Labels, int, LabelsHash> group_ids;
  std::vector<Labels> group_labels_of;
  auto group_id = [&](Labels gl) {
    auto [it, inserted] = group_ids.try_emplace(std::move(gl), static_cast<int>(group_ids.size()));
    if (inserted) group_labels_of.push_back(it->first);
    return it->second;
  };
  std::vector<int> series_group(m.size(), -1);
  if (a.op != AggregateOp::kCountValues) {
    for (size_t i = 0; i < m.size(); ++i) series_group[i] = group_id(group_labels(m[i].labels));
  }

  struct Acc {
    size_t stamp = SIZE_MAX;
    double value = 0, mean = 0, count = 0;
    std::vector<std::pair<double, uint32_t>> heap;  // topk/bottomk/quantile
  };
  std::vector<Acc> accs;
  std::vector<int> touched;
  StepIndex idx(m, steps);
  OutputBuilder ob;
  std::vector<int> group_out;  // group -> output series
  std::vector<int> series_out(m.size(), -1);
  EvalValue out;
  out.type = ValueType::kVector;

  // Heap orders of Prometheus' vectorByValueHeap (NaN lowest) and the reverse heap.
  auto top_less = [](const std::pair<double, uint32_t>& x, const std::pair<double, uint32_t>& y) {
    if (std::isnan(x.first)) return true;
    return x.first < y.first;
  };
  auto bottom_less = [](const std::pair<double, uint32_t>& x,
                        const std::pair<double, uint32_t>& y) {
    if (std::isnan(x.first)) return true;
    return x.first > y.first;
  };
  // std heaps put the max first; Go's container/heap puts the min first.
  auto top_cmp = [&](const auto& x, const auto& y) { return top_less(y, x); };
  auto bottom_cmp = [&](const auto& x, const auto& y) { return bottom_less(y, x); };

  for (size_t step = 0; step < n; ++step) {
    const int64_t ts = steps.At(step);
    int64_t k = 0;
    if (a.op == AggregateOp::kTopk || a.op == AggregateOp::kBottomk) {
      const double f = param[step];
      if (!(f >= -9.223372036854775e18 && f <= 9.223372036854775e18)) {
        return Status::Internal("Scalar value " + FormatValueForLabel(f) + " overflows int64");
      }
      k = static_cast<int64_t>(f);
      if (k < 1) continue;
    }
    touched.clear();
    for (const auto& e : idx.At(step)) {
      int g = series_group[e.series];
      if (a.op == AggregateOp::kCountValues) {
        Labels with = m[e.series].labels.With(value_label, FormatValueForLabel(e.v));
        g = group_id(group_labels(with));
      }
      if (static_cast<size_t>(g) >= accs.size()) accs.resize(static_cast<size_t>(g) + 1);
      Acc& acc = accs[static_cast<size_t>(g)];
      const double v = e.v;
      if (acc.stamp != step) {
        acc.stamp = step;
        touched.push_back(g);
        acc.value = v;
        acc.mean = v;
        acc.count = 1;
        acc.heap.clear();
        switch (a.op) {
          case AggregateOp::kStddev:
          case AggregateOp::kStdvar:
            acc.value = 0;
            break;
          case AggregateOp::kTopk:
          case AggregateOp::kBottomk:
          case AggregateOp::kQuantile:
            acc.heap.push_back({v, e.series});
            break;
          case AggregateOp::kGroup:
            acc.value = 1;
            break;
          default:
            break;
        }
        continue;
      }
      switch (a.op) {
        case AggregateOp::kSum:
          acc.value += v;
          break;
        case AggregateOp::kAvg:
          acc.count += 1;
          if (std::isinf(acc.mean)) {
            if (std::isinf(v) && (acc.mean > 0) == (v > 0)) break;
            if (!std::isinf(v) && !std::isnan(v)) break;
          }
          acc.mean += v / acc.count - acc.mean / acc.count;
          break;
        case AggregateOp::kGroup:
          break;
        case AggregateOp::kMax:
          if (acc.value < v || std::isnan(acc.value)) acc.value = v;
          break;
        case AggregateOp::kMin:
          if (acc.value > v || std::isnan(acc.value)) acc.value = v;
          break;
        case AggregateOp::kCount:
        case AggregateOp::kCountValues:
          acc.count += 1;
          break;
        case AggregateOp::kStddev:
        case AggregateOp::kStdvar: {
          acc.count += 1;
          const double delta = v - acc.mean;
          acc.mean += delta / acc.count;
          acc.value += delta * (v - acc.mean);
          break;
        }
        case AggregateOp::kTopk:
        case AggregateOp::kBottomk: {
          const bool top = a.op == AggregateOp::kTopk;
          auto& h = acc.heap;
          const double head = h.front().first;
          const bool better = top ? head < v : head > v;
          if (static_cast<int64_t>(h.size()) < k || better || std::isnan(head)) {
            if (static_cast<int64_t>(h.size()) == k) {
              if (k == 1) {
                h[0] = {v, e.series};
                break;
              }
              if (top)
                std::pop_heap(h.begin(), h.end(), top_cmp);
              else
                std::pop_heap(h.begin(), h.end(), bottom_cmp);
              h.pop_back();
            }
            h.push_back({v, e.series});
            if (top)
              std::push_heap(h.begin(), h.end(), top_cmp);
            else
              std::push_heap(h.begin(), h.end(), bottom_cmp);
          }
          break;
        }
        case AggregateOp::kQuantile:
          acc.heap.push_back({v, e.series});
          break;
      }
    }
    for (int g : touched) {
      Acc& acc = accs[static_cast<size_t>(g)];
      double v = acc.value;
      switch (a.op) {
        case AggregateOp::kAvg:
          v = acc.mean;
          break;
        case AggregateOp::kCount:
        case AggregateOp::kCountValues:
          v = acc.count;
          break;
        case AggregateOp::kStdvar:
          v = acc.value / acc.count;
          break;
        case AggregateOp::kStddev:
          v = std::sqrt(acc.value / acc.count);
          break;
        case AggregateOp::kQuantile: {
          std::vector<double> vals;
          vals.reserve(acc.heap.size());
          for (const auto& [x, si] : acc.heap) vals.push_back(x);
          v = Quantile(param[step], vals);
          break;
        }
        case AggregateOp::kTopk:
        case AggregateOp::kBottomk: {
          auto& h = acc.heap;
          // Best first: topk descending, bottomk ascending (NaN last).
          const bool top = a.op == AggregateOp::kTopk;
          std::stable_sort(h.begin(), h.end(), [&](const auto& x, const auto& y) {
            return top ? top_less(y, x) : bottom_less(y, x);
          });
          for (const auto& [x, si] : h) {
            if (series_out[si] < 0) series_out[si] = ob.SeriesFor(m[si].labels);
            MM_RETURN_IF_ERROR(ob.Add(series_out[si], ts, x));
          }
          continue;
        }
        default:
          break;
      }
      if (static_cast<size_t>(g) >= group_out.size())
        group_out.resize(static_cast<size_t>(g) + 1, -1);
      if (group_out[g] < 0) group_out[g] = ob.SeriesFor(group_labels_of[static_cast<size_t>(g)]);
      MM_RETURN_IF_ERROR(ob.Add(group_out[g], ts, v));
    }
  }
  MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
  if ((a.op == AggregateOp::kTopk || a.op == AggregateOp::kBottomk) && n == 1) {
    // Instant topk/bottomk: groups in order of appearance, each best first (as Prometheus).
    out.ordered = true;
  }
  return out;
}

// ---- Functions.

Result<EvalValue> Evaluator::EvalCall(const Call& c, const Steps& steps) {
  const FunctionId id = c.func->id;
  const size_t n = steps.Count();
  for (const auto& arg : c.args) {
    if (arg->Type() == ValueType::kMatrix) return EvalRangeFunction(c, steps);
  }
  switch (id) {
    case FunctionId::kHistogramCount:
    case FunctionId::kHistogramSum:
    case FunctionId::kHistogramFraction:
      return Status::Internal("function " + std::string(c.func->name) +
                              " is not supported yet (native histograms)");
    case FunctionId::kLabelReplace:
    case FunctionId::kLabelJoin:
      return EvalLabelFunction(c, steps);
    case FunctionId::kHistogramQuantile:
      return EvalHistogramQuantile(c, steps);
    default:
      break;
  }
  EvalValue out;
  switch (id) {
    case FunctionId::kTime:
      out.type = ValueType::kScalar;
      out.scalars.resize(n);
      for (size_t i = 0; i < n; ++i) out.scalars[i] = static_cast<double>(steps.At(i)) / 1000;
      return out;
    case FunctionId::kPi:
      out.type = ValueType::kScalar;
      out.scalars.assign(n, std::numbers::pi);
      return out;
    case FunctionId::kVector: {
      MM_ASSIGN_OR_RETURN(EvalValue s, Eval(*c.args[0], steps));
      out.type = ValueType::kVector;
      EvalSeries es;
      for (size_t i = 0; i < n; ++i) es.points.push_back({steps.At(i), s.scalars[i]});
      out.matrix.push_back(std::move(es));
      return out;
    }
    case FunctionId::kScalar: {
      MM_ASSIGN_OR_RETURN(EvalValue v, Eval(*c.args[0], steps));
      out.type = ValueType::kScalar;
      out.scalars.assign(n, kNaN);
      std::vector<int> count(n, 0);
      for (const auto& s : v.matrix) {
        for (const auto& p : s.points) {
          const size_t i = steps.IndexOf(p.t);
          out.scalars[i] = ++count[i] == 1 ? p.v : kNaN;
        }
      }
      return out;
    }
    case FunctionId::kAbsent: {
      MM_ASSIGN_OR_RETURN(EvalValue v, Eval(*c.args[0], steps));
      std::vector<bool> present(n, false);
      for (const auto& s : v.matrix) {
        for (const auto& p : s.points) present[steps.IndexOf(p.t)] = true;
      }
      out.type = ValueType::kVector;
      EvalSeries es;
      es.labels = AbsentLabels(*c.args[0]);
      for (size_t i = 0; i < n; ++i) {
        if (!present[i]) es.points.push_back({steps.At(i), 1});
      }
      if (!es.points.empty()) out.matrix.push_back(std::move(es));
      return out;
    }
    default:
      break;
  }

  // Per-sample functions of an instant vector (plus scalar parameters).
  EvalValue in;
  const bool date_fn = id == FunctionId::kDaysInMonth || id == FunctionId::kDayOfMonth ||
                       id == FunctionId::kDayOfWeek || id == FunctionId::kDayOfYear ||
                       id == FunctionId::kHour || id == FunctionId::kMinute ||
                       id == FunctionId::kMonth || id == FunctionId::kYear;
  bool sample_time = false;
  if (c.args.empty()) {
    // Date functions default to vector(time()).
    in.type = ValueType::kVector;
    EvalSeries es;
    for (size_t i = 0; i < n; ++i) {
      es.points.push_back({steps.At(i), static_cast<double>(steps.At(i) / 1000)});
    }
    in.matrix.push_back(std::move(es));
  } else if (id == FunctionId::kTimestamp &&
             Unparen(*c.args[0]).kind == Expr::Kind::kVectorSelector) {
    // timestamp() of a selector answers the samples' own times, not the step times.
    MM_ASSIGN_OR_RETURN(
        in,
        EvalVectorSelector(static_cast<const VectorSelector&>(Unparen(*c.args[0])), steps, true));
    sample_time = true;
  } else {
    MM_ASSIGN_OR_RETURN(in, Eval(*c.args[0], steps));
  }
  std::vector<std::vector<double>> params;
  for (size_t i = 1; i < c.args.size(); ++i) {
    MM_ASSIGN_OR_RETURN(EvalValue p, Eval(*c.args[i], steps));
    params.push_back(std::move(p.scalars));
  }

  if (id == FunctionId::kSort || id == FunctionId::kSortDesc) {
    // Values and labels unchanged; instant queries keep this order.
    if (n == 1) {
      const bool desc = id == FunctionId::kSortDesc;
      std::stable_sort(in.matrix.begin(), in.matrix.end(),
                       [&](const EvalSeries& x, const EvalSeries& y) {
                         const double a1 = x.points[0].v, b1 = y.points[0].v;
                         if (std::isnan(a1) || std::isnan(b1)) {
                           return !std::isnan(a1) && std::isnan(b1);
                         }
                         return desc ? a1 > b1 : a1 < b1;
                       });
      in.ordered = true;
    }
    return in;
  }

  auto apply = [&](double v, size_t step, int64_t ts) -> std::optional<double> {
    switch (id) {
      case FunctionId::kAbs:
        return std::fabs(v);
      case FunctionId::kCeil:
        return std::ceil(v);
      case FunctionId::kFloor:
        return std::floor(v);
      case FunctionId::kExp:
        return std::exp(v);
      case FunctionId::kSqrt:
        return std::sqrt(v);
      case FunctionId::kLn:
        return std::log(v);
      case FunctionId::kLog2:
        return std::log2(v);
      case FunctionId::kLog10:
        return std::log10(v);
      case FunctionId::kSin:
        return std::sin(v);
      case FunctionId::kCos:
        return std::cos(v);
      case FunctionId::kTan:
        return std::tan(v);
      case FunctionId::kAsin:
        return std::asin(v);
      case FunctionId::kAcos:
        return std::acos(v);
      case FunctionId::kAtan:
        return std::atan(v);
      case FunctionId::kSinh:
        return std::sinh(v);
      case FunctionId::kCosh:
        return std::cosh(v);
      case FunctionId::kTanh:
        return std::tanh(v);
      case FunctionId::kAsinh:
        return std::asinh(v);
      case FunctionId::kAcosh:
        return std::acosh(v);
      case FunctionId::kAtanh:
        return std::atanh(v);
      case FunctionId::kDeg:
        return v * 180 / std::numbers::pi;
      case FunctionId::kRad:
        return v * std::numbers::pi / 180;
      case FunctionId::kSgn:
        return v < 0 ? -1.0 : v > 0 ? 1.0 : v;
      case FunctionId::kTimestamp:
        return sample_time ? v : static_cast<double>(ts) / 1000;
      case FunctionId::kRound: {
        const double to_nearest = params.empty() ? 1.0 : params[0][step];
        const double inv = 1.0 / to_nearest;
        return std::floor(v * inv + 0.5) / inv;
      }
      case FunctionId::kClamp: {
        const double lo = params[0][step], hi = params[1][step];
        if (hi < lo) return std::nullopt;
        return GoMax(lo, GoMin(hi, v));
      }
      case FunctionId::kClampMax:
        return GoMin(params[0][step], v);
      case FunctionId::kClampMin:
        return GoMax(params[0][step], v);
      default:
        break;
    }
    if (date_fn) {
      const CivilTime t = ToCivil(static_cast<int64_t>(v));
      switch (id) {
        case FunctionId::kDaysInMonth:
          return DaysInMonth(t.year, t.month);
        case FunctionId::kDayOfMonth:
          return t.day;
        case FunctionId::kDayOfWeek:
          return t.weekday;
        case FunctionId::kDayOfYear:
          return t.yday;
        case FunctionId::kHour:
          return t.hour;
        case FunctionId::kMinute:
          return t.minute;
        case FunctionId::kMonth:
          return t.month;
        case FunctionId::kYear:
          return static_cast<double>(t.year);
        default:
          break;
      }
    }
    return kNaN;
  };
  OutputBuilder ob;
  for (auto& s : in.matrix) {
    int sid = -1;
    for (const auto& p : s.points) {
      const size_t step = steps.IndexOf(p.t);
      auto v = apply(p.v, step, p.t);
      if (!v) continue;
      if (sid < 0) sid = ob.SeriesFor(DropMetricName(s.labels));
      MM_RETURN_IF_ERROR(ob.Add(sid, p.t, *v));
    }
  }
  out.type = ValueType::kVector;
  MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
  return out;
}

Result<EvalValue> Evaluator::EvalRangeFunction(const Call& c, const Steps& steps) {
  const FunctionId id = c.func->id;
  const size_t n = steps.Count();
  size_t matrix_arg = 0;
  std::vector<std::vector<double>> scalars(c.args.size());
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (c.args[i]->Type() == ValueType::kMatrix) {
      matrix_arg = i;
    } else {
      MM_ASSIGN_OR_RETURN(EvalValue p, Eval(*c.args[i], steps));
      scalars[i] = std::move(p.scalars);
    }
  }
  MM_ASSIGN_OR_RETURN(RangeArg ra, EvalRangeArg(*c.args[matrix_arg], steps));
  EvalValue out;
  out.type = ValueType::kVector;

  if (id == FunctionId::kAbsentOverTime) {
    std::vector<bool> present(n, false);
    for (const auto& s : ra.series) {
      size_t lo = 0, hi = 0;
      for (size_t i = 0; i < n; ++i) {
        const int64_t end = ra.RefEnd(steps.At(i)), start = end - ra.range_ms;
        while (lo < s.samples.size() && s.samples[lo].t < start) ++lo;
        hi = std::max(hi, lo);
        while (hi < s.samples.size() && s.samples[hi].t <= end) ++hi;
        if (hi > lo) present[i] = true;
      }
    }
    EvalSeries es;
    es.labels = AbsentLabels(Unparen(*c.args[matrix_arg]));
    for (size_t i = 0; i < n; ++i) {
      if (!present[i]) es.points.push_back({steps.At(i), 1});
    }
    if (!es.points.empty()) out.matrix.push_back(std::move(es));
    return out;
  }

  std::vector<double> scratch;
  const bool at_unsafe = id == FunctionId::kPredictLinear;
  for (auto& s : ra.series) {
    EvalSeries es;
    const auto& smp = s.samples;
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; ++i) {
      const int64_t ts = steps.At(i);
      int64_t end = ra.RefEnd(ts);
      if (at_unsafe && ra.has_at) {
        // Prometheus 2.42 turns @ into an offset relative to the evaluation start; for
        // functions it does not treat as step-invariant (predict_linear) the window then moves
        // with the step, over the samples loaded for the @ time only. Reproduced as is.
        end += ts - steps.start;
      }
      const int64_t start = end - ra.range_ms;
      // Prometheus 2.x range selectors are closed on both ends: [start, end].
      while (lo < smp.size() && smp[lo].t < start) ++lo;
      hi = std::max(hi, lo);
      while (hi < smp.size() && smp[hi].t <= end) ++hi;
      if (hi == lo) continue;
      std::span<const Sample> w(smp.data() + lo, hi - lo);
      std::optional<double> v;
      switch (id) {
        case FunctionId::kRate:
          v = ExtrapolatedRate(w, start, end, true, true);
          break;
        case FunctionId::kIncrease:
          v = ExtrapolatedRate(w, start, end, true, false);
          break;
        case FunctionId::kDelta:
          v = ExtrapolatedRate(w, start, end, false, false);
          break;
        case FunctionId::kIrate:
          v = InstantValue(w, true);
          break;
        case FunctionId::kIdelta:
          v = InstantValue(w, false);
          break;
        case FunctionId::kDeriv:
          if (w.size() >= 2) v = LinearRegression(w, w.front().t).slope;
          break;
        case FunctionId::kPredictLinear:
          if (w.size() >= 2) {
            const Regression r = LinearRegression(w, ts);
            v = r.slope * scalars[1][i] + r.intercept;
          }
          break;
        case FunctionId::kHoltWinters: {
          const double sf = scalars[1][i], tf = scalars[2][i];
          if (sf <= 0 || sf >= 1) {
            return Status::Internal("invalid smoothing factor. Expected: 0 < sf < 1, got: " +
                                    std::to_string(sf));
          }
          if (tf <= 0 || tf >= 1) {
            return Status::Internal("invalid trend factor. Expected: 0 < tf < 1, got: " +
                                    std::to_string(tf));
          }
          if (w.size() < 2) break;
          double s0 = 0, s1 = w[0].v, b = w[1].v - w[0].v;
          for (size_t j = 1; j < w.size(); ++j) {
            const double x = sf * w[j].v;
            if (j > 1) b = tf * (s1 - s0) + (1 - tf) * b;  // the trend at this point
            const double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
          }
          v = s1;
          break;
        }
        case FunctionId::kChanges:
        case FunctionId::kResets: {
          double count = 0, prev = w[0].v;
          for (size_t j = 1; j < w.size(); ++j) {
            const double cur = w[j].v;
            if (id == FunctionId::kChanges) {
              if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) count += 1;
            } else if (cur < prev) {
              count += 1;
            }
            prev = cur;
          }
          v = count;
          break;
        }
        case FunctionId::kAvgOverTime:
          v = AvgOverTime(w);
          break;
        case FunctionId::kSumOverTime:
          v = KahanSum(w);
          break;
        case FunctionId::kMinOverTime:
          v = MinOverTime(w);
          break;
        case FunctionId::kMaxOverTime:
          v = MaxOverTime(w);
          break;
        case FunctionId::kCountOverTime:
          v = static_cast<double>(w.size());
          break;
        case FunctionId::kLastOverTime:
          v = w.back().v;
          break;
        case FunctionId::kPresentOverTime:
          v = 1;
          break;
        case FunctionId::kStdvarOverTime:
          v = StdvarOverTime(w);
          break;
        case FunctionId::kStddevOverTime:
          v = std::sqrt(StdvarOverTime(w));
          break;
        case FunctionId::kQuantileOverTime:
          scratch.clear();
          for (const auto& x : w) scratch.push_back(x.v);
          v = Quantile(scalars[0][i], scratch);
          break;
        default:
          return Status::Internal("function " + std::string(c.func->name) +
                                  " is not supported yet");
      }
      if (v) es.points.push_back({ts, *v});
    }
    if (es.points.empty()) continue;
    es.labels = id == FunctionId::kLastOverTime ? std::move(s.labels) : DropMetricName(s.labels);
    out.matrix.push_back(std::move(es));
  }
  // As Prometheus: two output series with one label set are an error, at any steps.
  if (out.matrix.size() > 1) {
    std::vector<const Labels*> ls;
    for (const auto& s : out.matrix) ls.push_back(&s.labels);
    std::sort(ls.begin(), ls.end(), [](const Labels* x, const Labels* y) { return *x < *y; });
    for (size_t i = 1; i < ls.size(); ++i) {
      if (*ls[i] == *ls[i - 1]) return Status::Internal(kDuplicateLabelset);
    }
  }
  return out;
}

Result<EvalValue> Evaluator::EvalLabelFunction(const Call& c, const Steps& steps) {
  std::vector<std::string> strs;
  for (size_t i = 1; i < c.args.size(); ++i) {
    MM_ASSIGN_OR_RETURN(EvalValue s, Eval(*c.args[i], steps));
    strs.push_back(std::move(s.str));
  }
  const bool replace = c.func->id == FunctionId::kLabelReplace;
  std::unique_ptr<RE2> re;
  if (replace) {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_dot_nl(false);
    re = std::make_unique<RE2>("^(?:" + strs[3] + ")$", o);
    if (!re->ok()) {
      return Status::Internal("invalid regular expression in label_replace(): " + strs[3]);
    }
    if (!IsValidLabelName(strs[0])) {
      return Status::Internal("invalid destination label name in label_replace(): " + strs[0]);
    }
  } else {
    for (size_t i = 2; i < strs.size(); ++i) {
      if (!IsValidLabelName(strs[i])) {
        return Status::Internal("invalid source label name in label_join(): " + strs[i]);
      }
    }
    if (!IsValidLabelName(strs[0])) {
      return Status::Internal("invalid destination label name in label_join(): " + strs[0]);
    }
  }
  MM_ASSIGN_OR_RETURN(EvalValue in, Eval(*c.args[0], steps));
  OutputBuilder ob;
  for (auto& s : in.matrix) {
    Labels out_labels;
    if (replace) {
      std::string src(s.labels.Get(strs[2]));
      std::vector<re2::StringPiece> groups(static_cast<size_t>(re->NumberOfCapturingGroups()) + 1);
      if (re->Match(src, 0, src.size(), RE2::UNANCHORED, groups.data(),
                    static_cast<int>(groups.size()))) {
        const std::string res = ExpandTemplate(strs[1], *re, groups);
        out_labels = s.labels.Without(strs[0]);
        if (!res.empty()) out_labels = out_labels.With(strs[0], res);
      } else {
        out_labels = s.labels;
      }
    } else {
      std::string joined;
      for (size_t i = 2; i < strs.size(); ++i) {
        if (i > 2) joined += strs[1];
        joined += s.labels.Get(strs[i]);
      }
      out_labels = s.labels.With(strs[0], joined);
    }
    const int id = ob.SeriesFor(std::move(out_labels));
    for (const auto& p : s.points) MM_RETURN_IF_ERROR(ob.Add(id, p.t, p.v));
  }
  EvalValue out;
  out.type = ValueType::kVector;
  MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
  return out;
}

Result<EvalValue> Evaluator::EvalHistogramQuantile(const Call& c, const Steps& steps) {
  MM_ASSIGN_OR_RETURN(EvalValue q, Eval(*c.args[0], steps));
  MM_ASSIGN_OR_RETURN(EvalValue in, Eval(*c.args[1], steps));
  // Series of one histogram share all labels but "le" (the metric name included).
  std::unordered_map<Labels, int, LabelsHash> hist_ids;
  std::vector<int> series_hist(in.matrix.size(), -1);
  std::vector<double> upper(in.matrix.size(), 0);
  std::vector<Labels> hist_out_labels;
  for (size_t i = 0; i < in.matrix.size(); ++i) {
    const Labels& l = in.matrix[i].labels;
    auto ub = ParseGoFloat(l.Get("le"));
    if (!ub) continue;  // no bucket label or a malformed one: skipped, as Prometheus does
    upper[i] = *ub;
    auto [it, inserted] = hist_ids.try_emplace(l.Without("le"), static_cast<int>(hist_ids.size()));
    if (inserted) hist_out_labels.push_back(DropMetricName(it->first));
    series_hist[i] = it->second;
  }
  StepIndex idx(in.matrix, steps);
  std::vector<std::vector<Bucket>> buckets(hist_ids.size());
  std::vector<int> touched;
  OutputBuilder ob;
  std::vector<int> out_ids(hist_ids.size(), -1);
  for (size_t step = 0; step < steps.Count(); ++step) {
    touched.clear();
    for (const auto& e : idx.At(step)) {
      const int h = series_hist[e.series];
      if (h < 0) continue;
      if (buckets[h].empty()) touched.push_back(h);
      buckets[h].push_back({upper[e.series], e.v});
    }
    for (int h : touched) {
      const double v = BucketQuantile(q.scalars[step], buckets[h]);
      buckets[h].clear();
      if (out_ids[h] < 0) out_ids[h] = ob.SeriesFor(hist_out_labels[h]);
      MM_RETURN_IF_ERROR(ob.Add(out_ids[h], steps.At(step), v));
    }
  }
  EvalValue out;
  out.type = ValueType::kVector;
  MM_ASSIGN_OR_RETURN(out.matrix, ob.Take());
  return out;
}

}  // namespace mm::query
