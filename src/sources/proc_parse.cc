#include "sources/proc_parse.h"

namespace mm::proc {

std::optional<std::string_view> LineReader::Next() {
  if (rest_.empty()) return std::nullopt;
  size_t nl = rest_.find('\n');
  std::string_view line = rest_.substr(0, nl);
  rest_ = nl == std::string_view::npos ? std::string_view() : rest_.substr(nl + 1);
  ++line_;
  return line;
}

std::string_view Tokens::Next() {
  size_t i = 0;
  while (i < rest_.size() && IsSpace(rest_[i])) ++i;
  size_t j = i;
  while (j < rest_.size() && !IsSpace(rest_[j])) ++j;
  std::string_view tok = rest_.substr(i, j - i);
  rest_ = rest_.substr(j);
  return tok;
}

std::string_view Tokens::Rest() {
  size_t i = 0;
  while (i < rest_.size() && IsSpace(rest_[i])) ++i;
  rest_ = rest_.substr(i);
  return rest_;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

Status ParseError(std::string_view file, int line, std::string_view what, std::string_view got) {
  std::string m;
  m.reserve(file.size() + what.size() + got.size() + 24);
  m.append(file).append(":").append(std::to_string(line)).append(": ").append(what);
  m.append(", got '").append(got.substr(0, 80)).append("'");
  return Status::Corruption(std::move(m));
}

void UnescapeMountField(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 3 < in.size() && in[i + 1] >= '0' && in[i + 1] <= '3' &&
        in[i + 2] >= '0' && in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
      out.push_back(
          static_cast<char>((in[i + 1] - '0') * 64 + (in[i + 2] - '0') * 8 + (in[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(in[i]);
    }
  }
}

}  // namespace mm::proc
