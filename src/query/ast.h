// PromQL abstract syntax tree, as built by the parser (parser.h) and walked by the evaluator.
// A tree owns its children through unique_ptr; it is immutable after parsing, so one tree may
// be read by several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/storage.h"

namespace mm::query {

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
// "scalar", "instant vector", "range vector", "string" (Prometheus' wording).
std::string_view ValueTypeName(ValueType t);
// "scalar", "vector", "matrix", "string" (Prometheus' ValueType.String()).
std::string_view ValueTypeShortName(ValueType t);

enum class BinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,  // arithmetic
  kEqlc,
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,  // comparison
  kAnd,
  kOr,
  kUnless,  // set
};
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);
std::string_view BinaryOpName(BinaryOp op);  // "+", "==", "and", ...

enum class AggregateOp {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kCountValues,
  kQuantile,
};
std::string_view AggregateOpName(AggregateOp op);

struct FunctionInfo;  // functions.h

// Where `@` pins a selector or subquery: a fixed time, or the query's start()/end().
struct AtModifier {
  enum class Kind { kNone, kTimestamp, kStart, kEnd };
  Kind kind = Kind::kNone;
  int64_t timestamp_ms = 0;  // kTimestamp
  bool set() const { return kind != Kind::kNone; }
};

struct Expr {
  enum class Kind {
    kNumber,
    kString,
    kVectorSelector,
    kMatrixSelector,
    kSubquery,
    kParen,
    kUnary,
    kBinary,
    kCall,
    kAggregate,
  };
  explicit Expr(Kind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  ValueType Type() const;

  const Kind kind;
  uint32_t pos_start = 0;  // byte offsets into the query
  uint32_t pos_end = 0;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral : Expr {
  NumberLiteral() : Expr(Kind::kNumber) {}
  double value = 0;
};

struct StringLiteral : Expr {
  StringLiteral() : Expr(Kind::kString) {}
  std::string value;
};

struct VectorSelector : Expr {
  VectorSelector() : Expr(Kind::kVectorSelector) {}
  std::string name;  // metric name if given before the braces ("" otherwise)
  std::vector<storage::LabelMatcher> matchers;  // includes __name__="name"
  int64_t offset_ms = 0;
  bool offset_set = false;
  AtModifier at;
};

struct MatrixSelector : Expr {
  MatrixSelector() : Expr(Kind::kMatrixSelector) {}
  std::unique_ptr<VectorSelector> selector;  // carries offset and @
  int64_t range_ms = 0;
};

struct SubqueryExpr : Expr {
  SubqueryExpr() : Expr(Kind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the default (query step, or 1m for instant queries)
  int64_t offset_ms = 0;
  bool offset_set = false;
  AtModifier at;
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(Kind::kParen) {}
  ExprPtr expr;
};

struct UnaryExpr : Expr {
  UnaryExpr() : Expr(Kind::kUnary) {}
  bool negate = false;  // '-' (true) or '+'
  ExprPtr expr;
};

struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Card card = Card::kOneToOne;
  bool on = false;  // on(labels) vs ignoring(labels)
  std::vector<std::string> labels;
  std::vector<std::string> include;  // group_left/group_right labels
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(Kind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs, rhs;
  bool return_bool = false;
  VectorMatching matching;  // meaningful only between two instant vectors
};

struct Call : Expr {
  Call() : Expr(Kind::kCall) {}
  const FunctionInfo* func = nullptr;
  std::vector<ExprPtr> args;
};

struct AggregateExpr : Expr {
  AggregateExpr() : Expr(Kind::kAggregate) {}
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile (scalar), count_values (string)
  std::vector<std::string> grouping;
  bool without = false;
};

// Prints the tree with every binary/unary expression in parentheses (for tests and errors).
std::string DebugString(const Expr& e);

// Skips parentheses.
const Expr& Unparen(const Expr& e);

}  // namespace mm::query
