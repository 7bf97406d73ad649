// ParseSeriesSelector: a PromQL series selector (`up`, `up{job="x"}`, `{__name__=~"cpu.*"}`) as
// the match[] parameter of /api/v1/series, /labels and /label/NAME/values takes it, turned into
// storage label matchers. Error messages follow Prometheus' ("1:5: parse error: ..."). Pure.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/storage.h"

namespace mm::server {

// At least one matcher must not match the empty string (as in Prometheus).
Result<std::vector<storage::LabelMatcher>> ParseSeriesSelector(std::string_view input);

// A legacy Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);

}  // namespace mm::server
