#include "query/parser.h"

#include <re2/re2.h>

#include <cmath>
#include <limits>

#include "query/functions.h"
#include "query/lexer.h"

namespace mm::query {

namespace {

using storage::LabelMatcher;
using storage::MatchType;

// Binary operator precedence, lowest first (Prometheus' %left/%right declarations).
int Precedence(TokenType t) {
  switch (t) {
    case TokenType::kOr:
      return 1;
    case TokenType::kAnd:
    case TokenType::kUnless:
      return 2;
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLss:
    case TokenType::kGtr:
    case TokenType::kLte:
    case TokenType::kGte:
      return 3;
    case TokenType::kAdd:
    case TokenType::kSub:
      return 4;
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kMod:
    case TokenType::kAtan2:
      return 5;
    case TokenType::kPow:
      return 6;
    default:
      return 0;
  }
}
constexpr int kUnaryOperandPrecedence = 6;  // unary minus binds like '*': '-a^b' is '-(a^b)'

BinaryOp ToBinaryOp(TokenType t) {
  switch (t) {
    case TokenType::kAdd:
      return BinaryOp::kAdd;
    case TokenType::kSub:
      return BinaryOp::kSub;
    case TokenType::kMul:
      return BinaryOp::kMul;
    case TokenType::kDiv:
      return BinaryOp::kDiv;
    case TokenType::kMod:
      return BinaryOp::kMod;
    case TokenType::kPow:
      return BinaryOp::kPow;
    case TokenType::kAtan2:
      return BinaryOp::kAtan2;
    case TokenType::kEqlc:
      return BinaryOp::kEqlc;
    case TokenType::kNeq:
      return BinaryOp::kNeq;
    case TokenType::kGtr:
      return BinaryOp::kGtr;
    case TokenType::kLss:
      return BinaryOp::kLss;
    case TokenType::kGte:
      return BinaryOp::kGte;
    case TokenType::kLte:
      return BinaryOp::kLte;
    case TokenType::kAnd:
      return BinaryOp::kAnd;
    case TokenType::kOr:
      return BinaryOp::kOr;
    default:
      return BinaryOp::kUnless;
  }
}

AggregateOp ToAggregateOp(TokenType t) {
  switch (t) {
    case TokenType::kSum:
      return AggregateOp::kSum;
    case TokenType::kAvg:
      return AggregateOp::kAvg;
    case TokenType::kCount:
      return AggregateOp::kCount;
    case TokenType::kMin:
      return AggregateOp::kMin;
    case TokenType::kMax:
      return AggregateOp::kMax;
    case TokenType::kGroup:
      return AggregateOp::kGroup;
    case TokenType::kStddev:
      return AggregateOp::kStddev;
    case TokenType::kStdvar:
      return AggregateOp::kStdvar;
    case TokenType::kTopk:
      return AggregateOp::kTopk;
    case TokenType::kBottomk:
      return AggregateOp::kBottomk;
    case TokenType::kCountValues:
      return AggregateOp::kCountValues;
    default:
      return AggregateOp::kQuantile;
  }
}

bool IsValidLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view input, std::vector<Token> tokens)
      : in_(input), toks_(std::move(tokens)) {}

  Result<ExprPtr> Run() {
    MM_ASSIGN_OR_RETURN(ExprPtr e, ParseBinary(1));
    if (Peek().type != TokenType::kEof) return Unexpected(Peek(), "");
    MM_RETURN_IF_ERROR(Check(*e));
    return e;
  }

 private:
  const Token& Peek(size_t k = 0) const {
    size_t i = std::min(idx_ + k, toks_.size() - 1);
    return toks_[i];
  }
  const Token& Advance() {
    const Token& t = toks_[idx_];
    if (idx_ + 1 < toks_.size()) ++idx_;
    return t;
  }
  uint32_t PrevEnd() const {
    if (idx_ == 0) return 0;
    const Token& t = toks_[idx_ - 1];
    return t.pos + static_cast<uint32_t>(t.raw.size());
  }

  Status ErrorAt(uint32_t pos, std::string_view msg) const {
    return Status::InvalidArgument(FormatParseError(in_, pos, msg));
  }
  Status Unexpected(const Token& t, std::string_view context, std::string_view expected = "") {
    std::string msg = "unexpected " + DescribeToken(t);
    if (!context.empty()) msg += " in " + std::string(context);
    if (!expected.empty()) msg += ", expected " + std::string(expected);
    return ErrorAt(t.pos, msg);
  }
  Status Expect(TokenType type, std::string_view context, std::string_view expected) {
    if (Peek().type != type) return Unexpected(Peek(), context, expected);
    Advance();
    return Status::Ok();
  }

  // ---- Expressions.

  Result<ExprPtr> ParseBinary(int min_prec) {
    MM_ASSIGN_OR_RETURN(ExprPtr lhs, ParseUnary());
    while (true) {
      const Token& op_tok = Peek();
      int prec = Precedence(op_tok.type);
      if (prec == 0 || prec < min_prec) break;
      Advance();
      auto bin = std::make_unique<BinaryExpr>();
      bin->op = ToBinaryOp(op_tok.type);
      bin->pos_start = lhs->pos_start;
      MM_RETURN_IF_ERROR(ParseBinaryModifiers(*bin));
      const bool right_assoc = op_tok.type == TokenType::kPow;
      MM_ASSIGN_OR_RETURN(ExprPtr rhs, ParseBinary(right_assoc ? prec : prec + 1));
      bin->pos_end = rhs->pos_end;
      bin->lhs = std::move(lhs);
      bin->rhs = std::move(rhs);
      if (IsSetOperator(bin->op) && bin->matching.card == VectorMatching::Card::kOneToOne) {
        bin->matching.card = VectorMatching::Card::kManyToMany;
      }
      lhs = std::move(bin);
    }
    return lhs;
  }

  Status ParseBinaryModifiers(BinaryExpr& bin) {
    if (Peek().type == TokenType::kBool) {
      Advance();
      bin.return_bool = true;
    }
    if (Peek().type == TokenType::kOn || Peek().type == TokenType::kIgnoring) {
      bin.matching.on = Advance().type == TokenType::kOn;
      MM_ASSIGN_OR_RETURN(bin.matching.labels, ParseGroupingLabels());
      if (Peek().type == TokenType::kGroupLeft || Peek().type == TokenType::kGroupRight) {
        bin.matching.card = Advance().type == TokenType::kGroupLeft
                                ? VectorMatching::Card::kManyToOne
                                : VectorMatching::Card::kOneToMany;
        if (Peek().type == TokenType::kLeftParen) {
          MM_ASSIGN_OR_RETURN(bin.matching.include, ParseGroupingLabels());
        }
      }
    }
    return Status::Ok();
  }

  // '(' [label {',' label} [',']] ')'
  Result<std::vector<std::string>> ParseGroupingLabels() {
    std::vector<std::string> out;
    MM_RETURN_IF_ERROR(Expect(TokenType::kLeftParen, "grouping opts", "\"(\""));
    while (Peek().type != TokenType::kRightParen) {
      const Token& t = Peek();
      if (t.type != TokenType::kIdentifier && !IsKeyword(t.type)) {
        return Unexpected(t, "grouping opts", "label");
      }
      if (!IsValidLabelName(t.raw)) {
        return ErrorAt(t.pos, "invalid label name for grouping: \"" + std::string(t.raw) + "\"");
      }
      out.emplace_back(t.raw);
      Advance();
      if (Peek().type == TokenType::kComma) {
        Advance();
      } else if (Peek().type != TokenType::kRightParen) {
        return Unexpected(Peek(), "grouping opts", "\",\" or \")\"");
      }
    }
    Advance();
    return out;
  }

  Result<ExprPtr> ParseUnary() {
    const Token& t = Peek();
    if (t.type == TokenType::kSub || t.type == TokenType::kAdd) {
      const uint32_t start = t.pos;
      const bool negate = Advance().type == TokenType::kSub;
      MM_ASSIGN_OR_RETURN(ExprPtr operand, ParseBinary(kUnaryOperandPrecedence));
      if (operand->kind == Expr::Kind::kNumber) {
        // Prometheus folds a sign into a number literal.
        auto& nl = static_cast<NumberLiteral&>(*operand);
        if (negate) nl.value = -nl.value;
        nl.pos_start = start;
        return operand;
      }
      auto u = std::make_unique<UnaryExpr>();
      u->negate = negate;
      u->pos_start = start;
      u->pos_end = operand->pos_end;
      u->expr = std::move(operand);
      return ExprPtr(std::move(u));
    }
    MM_ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
    return ParsePostfix(std::move(e));
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.type) {
      case TokenType::kNumber: {
        auto n = std::make_unique<NumberLiteral>();
        n->value = t.number;
        n->pos_start = t.pos;
        n->pos_end = t.pos + static_cast<uint32_t>(t.raw.size());
        Advance();
        return ExprPtr(std::move(n));
      }
      case TokenType::kString: {
        auto s = std::make_unique<StringLiteral>();
        s->value = t.text;
        s->pos_start = t.pos;
        s->pos_end = t.pos + static_cast<uint32_t>(t.raw.size());
        Advance();
        return ExprPtr(std::move(s));
      }
      case TokenType::kLeftParen: {
        auto p = std::make_unique<ParenExpr>();
        p->pos_start = t.pos;
        Advance();
        MM_ASSIGN_OR_RETURN(p->expr, ParseBinary(1));
        MM_RETURN_IF_ERROR(Expect(TokenType::kRightParen, "paren expression", "\")\""));
        p->pos_end = PrevEnd();
        return ExprPtr(std::move(p));
      }
      case TokenType::kLeftBrace:
        return ParseVectorSelector("", t.pos);
      case TokenType::kIdentifier:
        if (Peek(1).type == TokenType::kLeftParen) return ParseCall();
        break;
      default:
        break;
    }
    if (IsAggregator(t.type)) {
      const TokenType next = Peek(1).type;
      if (next == TokenType::kLeftParen || next == TokenType::kBy || next == TokenType::kWithout) {
        return ParseAggregate();
      }
    }
    // Prometheus' metric_identifier: identifiers and some keywords ("sum", "by", "offset",
    // "and", ...) can name a metric.
    switch (t.type) {
      case TokenType::kIdentifier:
      case TokenType::kMetricIdentifier:
      case TokenType::kBy:
      case TokenType::kWithout:
      case TokenType::kAnd:
      case TokenType::kOr:
      case TokenType::kUnless:
      case TokenType::kOffset:
      case TokenType::kStart:
      case TokenType::kEnd: {
        std::string name(t.raw);
        const uint32_t pos = t.pos;
        Advance();
        return ParseVectorSelector(name, pos);
      }
      default:
        break;
    }
    if (IsAggregator(t.type)) {
      std::string name(t.raw);
      const uint32_t pos = t.pos;
      Advance();
      return ParseVectorSelector(name, pos);
    }
    return Unexpected(t, "");
  }

  Result<ExprPtr> ParseCall() {
    const Token& name_tok = Advance();
    const FunctionInfo* fi = LookupFunction(name_tok.raw);
    if (fi == nullptr) {
      return ErrorAt(name_tok.pos,
                     "unknown function with name \"" + std::string(name_tok.raw) + "\"");
    }
    auto call = std::make_unique<Call>();
    call->func = fi;
    call->pos_start = name_tok.pos;
    MM_ASSIGN_OR_RETURN(call->args, ParseArgs("function call"));
    call->pos_end = PrevEnd();
    return ExprPtr(std::move(call));
  }

  // '(' [expr {',' expr}] ')'
  Result<std::vector<ExprPtr>> ParseArgs(std::string_view context) {
    std::vector<ExprPtr> args;
    MM_RETURN_IF_ERROR(Expect(TokenType::kLeftParen, context, "\"(\""));
    if (Peek().type == TokenType::kRightParen) {
      Advance();
      return args;
    }
    while (true) {
      MM_ASSIGN_OR_RETURN(ExprPtr a, ParseBinary(1));
      args.push_back(std::move(a));
      if (Peek().type == TokenType::kComma) {
        Advance();
        continue;
      }
      if (Peek().type == TokenType::kRightParen) {
        Advance();
        return args;
      }
      return Unexpected(Peek(), context, "\",\" or \")\"");
    }
  }

  Result<ExprPtr> ParseAggregate() {
    const Token& op_tok = Advance();
    auto agg = std::make_unique<AggregateExpr>();
    agg->op = ToAggregateOp(op_tok.type);
    agg->pos_start = op_tok.pos;
    bool have_grouping = false;
    auto parse_modifier = [&]() -> Status {
      agg->without = Advance().type == TokenType::kWithout;
      MM_ASSIGN_OR_RETURN(agg->grouping, ParseGroupingLabels());
      have_grouping = true;
      return Status::Ok();
    };
    if (Peek().type == TokenType::kBy || Peek().type == TokenType::kWithout) {
      MM_RETURN_IF_ERROR(parse_modifier());
    }
    if (Peek().type != TokenType::kLeftParen) {
      return Unexpected(Peek(), "aggregation", "\"(\"");
    }
    MM_ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArgs("aggregation"));
    if (!have_grouping && (Peek().type == TokenType::kBy || Peek().type == TokenType::kWithout)) {
      MM_RETURN_IF_ERROR(parse_modifier());
    }
    agg->pos_end = PrevEnd();
    const bool has_param = agg->op == AggregateOp::kTopk || agg->op == AggregateOp::kBottomk ||
                           agg->op == AggregateOp::kQuantile ||
                           agg->op == AggregateOp::kCountValues;
    const size_t want = has_param ? 2 : 1;
    if (args.empty()) {
      return ErrorAt(agg->pos_start, "no arguments for aggregate expression provided");
    }
    if (args.size() != want) {
      return ErrorAt(agg->pos_start,
                     "wrong number of arguments for aggregate expression provided, "
                     "expected " +
                         std::to_string(want) + ", got " + std::to_string(args.size()));
    }
    if (has_param) agg->param = std::move(args[0]);
    agg->expr = std::move(args.back());
    return ExprPtr(std::move(agg));
  }

  Result<ExprPtr> ParseVectorSelector(std::string name, uint32_t start) {
    auto vs = std::make_unique<VectorSelector>();
    vs->pos_start = start;
    vs->name = name;
    std::vector<std::pair<uint32_t, LabelMatcher>> matchers;
    if (Peek().type == TokenType::kLeftBrace) {
      Advance();
      while (Peek().type != TokenType::kRightBrace) {
        const Token& lt = Peek();
        if (lt.type != TokenType::kIdentifier) {
          return Unexpected(lt, "label matching", "identifier or \"}\"");
        }
        std::string label(lt.raw);
        Advance();
        const Token& op = Peek();
        MatchType mt;
        switch (op.type) {
          case TokenType::kAssign:
            mt = MatchType::kEqual;
            break;
          case TokenType::kNeq:
            mt = MatchType::kNotEqual;
            break;
          case TokenType::kEqlRegex:
            mt = MatchType::kRegexMatch;
            break;
          case TokenType::kNeqRegex:
            mt = MatchType::kRegexNoMatch;
            break;
          default:
            return Unexpected(op, "label matching", "label matching operator");
        }
        Advance();
        const Token& val = Peek();
        if (val.type != TokenType::kString) {
          return Unexpected(val, "label matching", "string");
        }
        if (mt == MatchType::kRegexMatch || mt == MatchType::kRegexNoMatch) {
          RE2::Options o;
          o.set_log_errors(false);
          RE2 re("^(?:" + val.text + ")$", o);
          if (!re.ok()) return ErrorAt(lt.pos, "error parsing regexp: " + re.error());
        }
        auto m = LabelMatcher::Make(mt, label, val.text);
        if (!m.ok()) return ErrorAt(lt.pos, m.status().message());
        matchers.emplace_back(lt.pos, std::move(*m));
        Advance();
        if (Peek().type == TokenType::kComma) {
          Advance();
        } else if (Peek().type != TokenType::kRightBrace) {
          return Unexpected(Peek(), "label matching", "\",\" or \"}\"");
        }
      }
      Advance();
    }
    vs->pos_end = PrevEnd();
    if (!name.empty()) {
      for (const auto& [pos, m] : matchers) {
        if (m.name() == kMetricNameLabel) {
          return ErrorAt(start, "metric name must not be set twice: \"" + name + "\" or \"" +
                                    m.value() + "\"");
        }
      }
      auto m = LabelMatcher::Make(MatchType::kEqual, std::string(kMetricNameLabel), name);
      if (!m.ok()) return ErrorAt(start, m.status().message());
      vs->matchers.push_back(std::move(*m));
    }
    for (auto& [pos, m] : matchers) vs->matchers.push_back(std::move(m));
    bool non_empty = false;
    for (const auto& m : vs->matchers) non_empty |= !m.MatchesEmpty();
    if (!non_empty) {
      return ErrorAt(start, "vector selector must contain at least one non-empty matcher");
    }
    return ExprPtr(std::move(vs));
  }

  // Range selectors, subqueries, offset and @ bind tighter than every operator.
  Result<ExprPtr> ParsePostfix(ExprPtr e) {
    while (true) {
      const Token& t = Peek();
      if (t.type == TokenType::kLeftBracket) {
        MM_ASSIGN_OR_RETURN(e, ParseRangeOrSubquery(std::move(e)));
      } else if (t.type == TokenType::kOffset) {
        MM_RETURN_IF_ERROR(ParseOffset(*e));
      } else if (t.type == TokenType::kAt) {
        MM_RETURN_IF_ERROR(ParseAt(*e));
      } else {
        return e;
      }
    }
  }

  Result<ExprPtr> ParseRangeOrSubquery(ExprPtr e) {
    const Token& open = Advance();
    const Token& d = Peek();
    if (d.type != TokenType::kDuration) {
      return Unexpected(d, "range/subquery", "duration");
    }
    const int64_t range = d.duration_ms;
    Advance();
    if (Peek().type == TokenType::kColon) {
      Advance();
      int64_t step = 0;
      if (Peek().type == TokenType::kDuration) {
        step = Advance().duration_ms;
      }
      MM_RETURN_IF_ERROR(
          Expect(TokenType::kRightBracket, "subquery selector", "duration or \"]\""));
      auto sq = std::make_unique<SubqueryExpr>();
      sq->pos_start = e->pos_start;
      sq->pos_end = PrevEnd();
      sq->range_ms = range;
      sq->step_ms = step;
      sq->expr = std::move(e);
      return ExprPtr(std::move(sq));
    }
    MM_RETURN_IF_ERROR(Expect(TokenType::kRightBracket, "matrix selector", "\"]\""));
    if (e->kind != Expr::Kind::kVectorSelector) {
      return ErrorAt(open.pos, "ranges only allowed for vector selectors");
    }
    auto* vs = static_cast<VectorSelector*>(e.get());
    if (vs->offset_set || vs->at.set()) {
      return ErrorAt(open.pos, "no offset modifiers allowed before range");
    }
    auto ms = std::make_unique<MatrixSelector>();
    ms->pos_start = e->pos_start;
    ms->pos_end = PrevEnd();
    ms->range_ms = range;
    ms->selector.reset(static_cast<VectorSelector*>(e.release()));
    return ExprPtr(std::move(ms));
  }

  // The offset/@ fields of the selector or subquery `e` modifies, or nullptr.
  struct Modifiable {
    int64_t* offset_ms;
    bool* offset_set;
    AtModifier* at;
  };
  static std::optional<Modifiable> ModifiableOf(Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kVectorSelector: {
        auto& vs = static_cast<VectorSelector&>(e);
        return Modifiable{&vs.offset_ms, &vs.offset_set, &vs.at};
      }
      case Expr::Kind::kMatrixSelector: {
        auto& vs = *static_cast<MatrixSelector&>(e).selector;
        return Modifiable{&vs.offset_ms, &vs.offset_set, &vs.at};
      }
      case Expr::Kind::kSubquery: {
        auto& sq = static_cast<SubqueryExpr&>(e);
        return Modifiable{&sq.offset_ms, &sq.offset_set, &sq.at};
      }
      default:
        return std::nullopt;
    }
  }

  Status ParseOffset(Expr& e) {
    Advance();  // offset
    bool negative = false;
    if (Peek().type == TokenType::kSub || Peek().type == TokenType::kAdd) {
      negative = Advance().type == TokenType::kSub;
    }
    const Token& d = Peek();
    if (d.type != TokenType::kDuration) return Unexpected(d, "offset", "duration");
    Advance();
    auto m = ModifiableOf(e);
    if (!m) {
      return ErrorAt(e.pos_start,
                     "offset modifier must be preceded by an instant vector selector "
                     "or range vector selector or a subquery");
    }
    if (*m->offset_set) return ErrorAt(e.pos_start, "offset may not be set multiple times");
    *m->offset_ms = negative ? -d.duration_ms : d.duration_ms;
    *m->offset_set = true;
    e.pos_end = PrevEnd();
    return Status::Ok();
  }

  Status ParseAt(Expr& e) {
    Advance();  // @
    AtModifier mod;
    const Token& t = Peek();
    if (t.type == TokenType::kStart || t.type == TokenType::kEnd) {
      mod.kind = t.type == TokenType::kStart ? AtModifier::Kind::kStart : AtModifier::Kind::kEnd;
      Advance();
      MM_RETURN_IF_ERROR(Expect(TokenType::kLeftParen, "@", "timestamp"));
      MM_RETURN_IF_ERROR(Expect(TokenType::kRightParen, "@", "\")\""));
    } else {
      bool negative = false;
      if (Peek().type == TokenType::kSub || Peek().type == TokenType::kAdd) {
        negative = Advance().type == TokenType::kSub;
      }
      const Token& n = Peek();
      if (n.type != TokenType::kNumber) return Unexpected(n, "@", "timestamp");
      Advance();
      double ts = negative ? -n.number : n.number;
      if (std::isinf(ts) || std::isnan(ts) ||
          ts >= static_cast<double>(std::numeric_limits<int64_t>::max()) / 1000 ||
          ts <= static_cast<double>(std::numeric_limits<int64_t>::min()) / 1000) {
        char buf[400];
        if (std::isnan(ts)) {
          snprintf(buf, sizeof(buf), "NaN");
        } else if (std::isinf(ts)) {
          snprintf(buf, sizeof(buf), "%s", ts > 0 ? "+Inf" : "-Inf");
        } else {
          snprintf(buf, sizeof(buf), "%f", ts);
        }
        return ErrorAt(e.pos_start, std::string("timestamp out of bounds for @ modifier: ") + buf);
      }
      mod.kind = AtModifier::Kind::kTimestamp;
      mod.timestamp_ms = static_cast<int64_t>(std::round(ts * 1000));
    }
    auto m = ModifiableOf(e);
    if (!m) {
      return ErrorAt(e.pos_start,
                     "@ modifier must be preceded by an instant vector selector or "
                     "range vector selector or a subquery");
    }
    if (m->at->set()) return ErrorAt(e.pos_start, "@ <timestamp> may not be set multiple times");
    *m->at = mod;
    e.pos_end = PrevEnd();
    return Status::Ok();
  }

  // ---- Type checks (Prometheus' checkAST), children first.

  Status ExpectType(const Expr& e, ValueType want, std::string_view context) {
    MM_RETURN_IF_ERROR(Check(e));
    if (e.Type() != want) {
      return ErrorAt(e.pos_start, "expected type " + std::string(ValueTypeName(want)) + " in " +
                                      std::string(context) + ", got " +
                                      std::string(ValueTypeName(e.Type())));
    }
    return Status::Ok();
  }

  Status Check(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kNumber:
      case Expr::Kind::kString:
      case Expr::Kind::kVectorSelector:
      case Expr::Kind::kMatrixSelector:
        return Status::Ok();
      case Expr::Kind::kParen:
        return Check(*static_cast<const ParenExpr&>(e).expr);
      case Expr::Kind::kSubquery: {
        const auto& sq = static_cast<const SubqueryExpr&>(e);
        MM_RETURN_IF_ERROR(Check(*sq.expr));
        if (sq.expr->Type() != ValueType::kVector) {
          return ErrorAt(e.pos_start, "subquery is only allowed on instant vector, got " +
                                          std::string(ValueTypeShortName(sq.expr->Type())) +
                                          " instead");
        }
        return Status::Ok();
      }
      case Expr::Kind::kUnary: {
        const auto& u = static_cast<const UnaryExpr&>(e);
        MM_RETURN_IF_ERROR(Check(*u.expr));
        ValueType t = u.expr->Type();
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          return ErrorAt(e.pos_start,
                         "unary expression only allowed on expressions of type "
                         "scalar or instant vector, got \"" +
                             std::string(ValueTypeName(t)) + "\"");
        }
        return Status::Ok();
      }
      case Expr::Kind::kCall:
        return CheckCall(static_cast<const Call&>(e));
      case Expr::Kind::kAggregate: {
        const auto& a = static_cast<const AggregateExpr&>(e);
        MM_RETURN_IF_ERROR(ExpectType(*a.expr, ValueType::kVector, "aggregation expression"));
        if (a.op == AggregateOp::kTopk || a.op == AggregateOp::kBottomk ||
            a.op == AggregateOp::kQuantile) {
          MM_RETURN_IF_ERROR(ExpectType(*a.param, ValueType::kScalar, "aggregation parameter"));
        }
        if (a.op == AggregateOp::kCountValues) {
          MM_RETURN_IF_ERROR(ExpectType(*a.param, ValueType::kString, "aggregation parameter"));
        }
        return Status::Ok();
      }
      case Expr::Kind::kBinary:
        return CheckBinary(static_cast<const BinaryExpr&>(e));
    }
    return Status::Ok();
  }

  Status CheckCall(const Call& c) {
    const FunctionInfo& f = *c.func;
    const size_t nargs = f.arg_types.size();
    const std::string name(f.name);
    if (f.variadic == 0) {
      if (nargs != c.args.size()) {
        return ErrorAt(c.pos_start, "expected " + std::to_string(nargs) +
                                        " argument(s) in call to \"" + name + "\", got " +
                                        std::to_string(c.args.size()));
      }
    } else {
      const size_t na = nargs - 1;
      if (na > c.args.size()) {
        return ErrorAt(c.pos_start, "expected at least " + std::to_string(na) +
                                        " argument(s) in call to \"" + name + "\", got " +
                                        std::to_string(c.args.size()));
      }
      const size_t max = na + static_cast<size_t>(f.variadic);
      if (f.variadic > 0 && max < c.args.size()) {
        return ErrorAt(c.pos_start, "expected at most " + std::to_string(max) +
                                        " argument(s) in call to \"" + name + "\", got " +
                                        std::to_string(c.args.size()));
      }
    }
    for (size_t i = 0; i < c.args.size(); ++i) {
      size_t ti = i;
      if (ti >= nargs) {
        if (f.variadic != -1) break;
        ti = nargs - 1;
      }
      MM_RETURN_IF_ERROR(
          ExpectType(*c.args[i], f.arg_types[ti], "call to function \"" + name + "\""));
    }
    return Status::Ok();
  }

  Status CheckBinary(const BinaryExpr& b) {
    MM_RETURN_IF_ERROR(Check(*b.lhs));
    MM_RETURN_IF_ERROR(Check(*b.rhs));
    const ValueType lt = b.lhs->Type(), rt = b.rhs->Type();
    // The operator's position: the first non-space after the left operand.
    uint32_t op_pos = b.lhs->pos_end;
    while (op_pos < in_.size() && (in_[op_pos] == ' ' || in_[op_pos] == '\t' ||
                                   in_[op_pos] == '\n' || in_[op_pos] == '\r')) {
      ++op_pos;
    }
    if (b.return_bool && !IsComparison(b.op)) {
      return ErrorAt(op_pos, "bool modifier can only be used on comparison operators");
    }
    if (IsComparison(b.op) && !b.return_bool && lt == ValueType::kScalar &&
        rt == ValueType::kScalar) {
      return ErrorAt(op_pos, "comparisons between scalars must use BOOL modifier");
    }
    if (b.matching.on) {
      for (const auto& l1 : b.matching.labels) {
        for (const auto& l2 : b.matching.include) {
          if (l1 == l2) {
            return ErrorAt(op_pos, "label \"" + l1 +
                                       "\" must not occur in ON and GROUP clause "
                                       "at once");
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      return ErrorAt(b.lhs->pos_start,
                     "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      return ErrorAt(b.rhs->pos_start,
                     "binary expression must contain only scalar and instant vector types");
    }
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (!b.matching.labels.empty()) {
        return ErrorAt(b.pos_start, "vector matching only allowed between instant vectors");
      }
    } else if (IsSetOperator(b.op)) {
      if (b.matching.card == VectorMatching::Card::kOneToMany ||
          b.matching.card == VectorMatching::Card::kManyToOne) {
        return ErrorAt(b.pos_start, "no grouping allowed for \"" + std::string(BinaryOpName(b.op)) +
                                        "\" operation");
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(b.op)) {
      return ErrorAt(b.pos_start, "set operator \"" + std::string(BinaryOpName(b.op)) +
                                      "\" not allowed in binary scalar expression");
    }
    return Status::Ok();
  }

  std::string_view in_;
  std::vector<Token> toks_;
  size_t idx_ = 0;
};

}  // namespace

Result<ExprPtr> ParseExpr(std::string_view input) {
  MM_ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(input));
  return Parser(input, std::move(toks)).Run();
}

}  // namespace mm::query
