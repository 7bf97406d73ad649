// Request parameters: the decoded pairs of a URL query string and of an
// application/x-www-form-urlencoded body, with Go's net/http precedence (body values first), as
// Prometheus reads them. Value type; not synchronized.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mm::server {

// Decodes %XX escapes and, when `plus_is_space`, '+' as ' '. A malformed escape is an error.
Result<std::string> PercentDecode(std::string_view s, bool plus_is_space);

class Params {
 public:
  // Appends the pairs of "a=1&b=2" (keys without '=' get an empty value).
  Status AddEncoded(std::string_view encoded);

  // The first value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace mm::server
