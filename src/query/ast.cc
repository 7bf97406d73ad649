#include "query/ast.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "query/functions.h"

namespace mm::query {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string_view ValueTypeShortName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

bool IsComparison(BinaryOp op) { return op >= BinaryOp::kEqlc && op <= BinaryOp::kLte; }
bool IsSetOperator(BinaryOp op) { return op >= BinaryOp::kAnd; }

std::string_view BinaryOpName(BinaryOp op) {
  static constexpr std::string_view kNames[] = {"+",     "-",   "*",  "/",     "%", "^",
                                                "atan2", "==",  "!=", ">",     "<", ">=",
                                                "<=",    "and", "or", "unless"};
  return kNames[static_cast<int>(op)];
}

std::string_view AggregateOpName(AggregateOp op) {
  static constexpr std::string_view kNames[] = {"sum",  "avg",     "count",        "min",
                                                "max",  "group",   "stddev",       "stdvar",
                                                "topk", "bottomk", "count_values", "quantile"};
  return kNames[static_cast<int>(op)];
}

ValueType Expr::Type() const {
  switch (kind) {
    case Kind::kNumber:
      return ValueType::kScalar;
    case Kind::kString:
      return ValueType::kString;
    case Kind::kVectorSelector:
      return ValueType::kVector;
    case Kind::kMatrixSelector:
      return ValueType::kMatrix;
    case Kind::kSubquery:
      return ValueType::kMatrix;
    case Kind::kParen:
      return static_cast<const ParenExpr*>(this)->expr->Type();
    case Kind::kUnary:
      return static_cast<const UnaryExpr*>(this)->expr->Type();
    case Kind::kBinary: {
      const auto* b = static_cast<const BinaryExpr*>(this);
      if (b->lhs->Type() == ValueType::kScalar && b->rhs->Type() == ValueType::kScalar) {
        return ValueType::kScalar;
      }
      return ValueType::kVector;
    }
    case Kind::kCall:
      return static_cast<const Call*>(this)->func->return_type;
    case Kind::kAggregate:
      return ValueType::kVector;
  }
  return ValueType::kNone;
}

const Expr& Unparen(const Expr& e) {
  const Expr* p = &e;
  while (p->kind == Expr::Kind::kParen) p = static_cast<const ParenExpr*>(p)->expr.get();
  return *p;
}

namespace {

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  static constexpr struct {
    const char* unit;
    int64_t ms;
  } kUnits[] = {{"y", 365LL * 86400000},
                {"w", 7LL * 86400000},
                {"d", 86400000},
                {"h", 3600000},
                {"m", 60000},
                {"s", 1000},
                {"ms", 1}};
  for (const auto& u : kUnits) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + u.unit;
      ms %= u.ms;
    }
  }
  return out;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest that reads back
  return ec == std::errc() ? std::string(buf, p) : "NaN";
}

std::string Modifiers(int64_t offset_ms, bool offset_set, const AtModifier& at) {
  std::string out;
  if (at.kind == AtModifier::Kind::kTimestamp) {
    out += " @ " + FormatNumber(static_cast<double>(at.timestamp_ms) / 1000);
  } else if (at.kind == AtModifier::Kind::kStart) {
    out += " @ start()";
  } else if (at.kind == AtModifier::Kind::kEnd) {
    out += " @ end()";
  }
  if (offset_set) out += " offset " + FormatDuration(offset_ms);
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out;
}

std::string SelectorString(const VectorSelector& vs) {
  std::string out = vs.name;
  std::string inner;
  for (const auto& m : vs.matchers) {
    if (!vs.name.empty() && m.name() == kMetricNameLabel &&
        m.type() == storage::MatchType::kEqual && m.value() == vs.name) {
      continue;
    }
    if (!inner.empty()) inner += ", ";
    inner += m.ToString();
  }
  if (!inner.empty() || vs.name.empty()) out += "{" + inner + "}";
  return out;
}

}  // namespace

std::string DebugString(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kNumber:
      return FormatNumber(static_cast<const NumberLiteral&>(e).value);
    case Expr::Kind::kString: {
      std::string out = "\"";
      for (char c : static_cast<const StringLiteral&>(e).value) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
          out += "\\n";
          continue;
        }
        out += c;
      }
      return out + "\"";
    }
    case Expr::Kind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      return SelectorString(vs) + Modifiers(vs.offset_ms, vs.offset_set, vs.at);
    }
    case Expr::Kind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      const auto& vs = *ms.selector;
      return SelectorString(vs) + "[" + FormatDuration(ms.range_ms) + "]" +
             Modifiers(vs.offset_ms, vs.offset_set, vs.at);
    }
    case Expr::Kind::kSubquery: {
      const auto& sq = static_cast<const SubqueryExpr&>(e);
      return DebugString(*sq.expr) + "[" + FormatDuration(sq.range_ms) + ":" +
             (sq.step_ms ? FormatDuration(sq.step_ms) : "") + "]" +
             Modifiers(sq.offset_ms, sq.offset_set, sq.at);
    }
    case Expr::Kind::kParen:
      return DebugString(*static_cast<const ParenExpr&>(e).expr);
    case Expr::Kind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      return std::string("(") + (u.negate ? "-" : "+") + DebugString(*u.expr) + ")";
    }
    case Expr::Kind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      std::string op(BinaryOpName(b.op));
      if (b.return_bool) op += " bool";
      const auto& m = b.matching;
      if (m.on || !m.labels.empty()) {
        op += (m.on ? " on(" : " ignoring(") + Join(m.labels) + ")";
      }
      if (m.card == VectorMatching::Card::kManyToOne) op += " group_left(" + Join(m.include) + ")";
      if (m.card == VectorMatching::Card::kOneToMany) op += " group_right(" + Join(m.include) + ")";
      return "(" + DebugString(*b.lhs) + " " + op + " " + DebugString(*b.rhs) + ")";
    }
    case Expr::Kind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      std::string out(c.func->name);
      out += "(";
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i) out += ", ";
        out += DebugString(*c.args[i]);
      }
      return out + ")";
    }
    case Expr::Kind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      std::string out(AggregateOpName(a.op));
      if (!a.grouping.empty() || a.without) {
        out += (a.without ? " without(" : " by(") + Join(a.grouping) + ")";
      }
      out += " (";
      if (a.param) out += DebugString(*a.param) + ", ";
      return out + DebugString(*a.expr) + ")";
    }
  }
  return "";
}

}  // namespace mm::query
