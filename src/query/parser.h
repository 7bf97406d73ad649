// PromQL parser: the whole grammar of Prometheus 2.42 (operators with their precedence and
// right-associative '^', vector matching, aggregations with parameters and by/without before or
// after, function calls, range selectors, subqueries, offset, @ with start()/end()), followed
// by Prometheus' type checks. Stateless function; thread-safe.
#pragma once

#include <string_view>

#include "core/status.h"
#include "query/ast.h"

namespace mm::query {

// Parses and type-checks `input`. Errors are kInvalidArgument with Prometheus' wording:
// "LINE:COL: parse error: REASON".
Result<ExprPtr> ParseExpr(std::string_view input);

}  // namespace mm::query
