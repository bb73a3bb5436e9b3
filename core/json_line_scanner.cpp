#include "core/json_line_scanner.h"

#include <charconv>

namespace assay {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Deeper than any element assay writes; deeper text is refused, not an error.
constexpr int kMaxDepth = 16;

}  // namespace

void JsonLineScanner::expect(char c) {
  if (ok_ && peek() == c) {
    ++at_;
  } else {
    ok_ = false;
  }
}

bool JsonLineScanner::accept(char c) {
  if (!ok_ || peek() != c) return false;
  ++at_;
  return true;
}

void JsonLineScanner::key(std::string_view name) {
  if (!ok_ || text_.size() - at_ < name.size() + 3 || text_[at_] != '"' || text_.substr(at_ + 1, name.size()) != name ||
      text_[at_ + 1 + name.size()] != '"' || text_[at_ + 2 + name.size()] != ':') {
    ok_ = false;
    return;
  }
  at_ += name.size() + 3;
}

bool JsonLineScanner::next_member_is(std::string_view name) {
  if (!ok_ || text_.size() - at_ < name.size() + 4 || text_[at_] != ',' || text_[at_ + 1] != '"' ||
      text_.substr(at_ + 2, name.size()) != name || text_[at_ + 2 + name.size()] != '"' ||
      text_[at_ + 3 + name.size()] != ':') {
    return false;
  }
  at_ += name.size() + 4;
  return true;
}

std::string_view JsonLineScanner::any_key() {
  expect('"');
  const std::size_t begin = at_;
  while (ok_ && at_ < text_.size() && text_[at_] != '"') {
    const auto c = static_cast<unsigned char>(text_[at_]);
    if (c < 0x20 || c >= 0x7f || c == '\\') ok_ = false;
    ++at_;
  }
  const std::string_view name = ok_ ? text_.substr(begin, at_ - begin) : std::string_view{};
  expect('"');
  expect(':');
  return ok_ ? name : std::string_view{};
}

std::string JsonLineScanner::string() {
  expect('"');
  std::string out;
  while (ok_) {
    if (at_ >= text_.size()) {
      ok_ = false;
      break;
    }
    // The common case: a run of plain characters copied at once.
    std::size_t run = at_;
    while (run < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[run]);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
      ++run;
    }
    out.append(text_, at_, run - at_);
    at_ = run;
    const char c = peek();
    if (c == '"') {
      ++at_;
      return out;
    }
    if (c != '\\' || at_ + 1 >= text_.size()) {  // control character, UTF-8 or the end
      ok_ = false;
      break;
    }
    switch (text_[at_ + 1]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      default: ok_ = false; break;  // \u (surrogates, validation) is left to nlohmann
    }
    at_ += 2;
  }
  return {};
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
std::string_view JsonLineScanner::number_token() {
  if (!ok_) return {};
  const std::size_t begin = at_;
  std::size_t i = at_;
  const auto digits = [&] {
    const std::size_t first = i;
    while (i < text_.size() && is_digit(text_[i])) ++i;
    return i > first;
  };
  if (i < text_.size() && text_[i] == '-') ++i;
  if (i < text_.size() && text_[i] == '0') {
    ++i;
  } else if (!digits()) {
    ok_ = false;
    return {};
  }
  bool valid = true;
  if (i < text_.size() && text_[i] == '.') {
    ++i;
    valid = digits();
  }
  if (valid && i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
    ++i;
    if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
    valid = digits();
  }
  if (!valid) {
    ok_ = false;
    return {};
  }
  at_ = i;
  return text_.substr(begin, i - begin);
}

double JsonLineScanner::number() {
  const std::string_view token = number_token();
  if (!ok_) return 0;
  double value = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc{} || end != token.data() + token.size()) {  // e.g. out of range: nlohmann decides
    ok_ = false;
    return 0;
  }
  // nlohmann reads "-0" as the integer 0, which is +0.0 as a double.
  if (value == 0 && token.find_first_of(".eE") == std::string_view::npos) value = 0;
  return value;
}

std::optional<double> JsonLineScanner::number_or_null() {
  if (ok_ && text_.substr(at_, 4) == "null") {
    at_ += 4;
    return std::nullopt;
  }
  return number();
}

bool JsonLineScanner::boolean() {
  if (ok_ && text_.substr(at_, 4) == "true") {
    at_ += 4;
    return true;
  }
  if (ok_ && text_.substr(at_, 5) == "false") {
    at_ += 5;
    return false;
  }
  ok_ = false;
  return false;
}

std::vector<double> JsonLineScanner::numbers() {
  std::vector<double> out;
  expect('[');
  if (accept(']')) return out;
  do {
    out.push_back(number());
  } while (accept(','));
  expect(']');
  if (!ok_) out.clear();
  return out;
}

void JsonLineScanner::skip_value() { skip_value(0); }

void JsonLineScanner::skip_value(int depth) {
  if (!ok_) return;
  if (depth > kMaxDepth) {
    ok_ = false;
    return;
  }
  switch (peek()) {
    case '{':
      ++at_;
      if (accept('}')) return;
      do {
        string();
        expect(':');
        skip_value(depth + 1);
      } while (accept(','));
      expect('}');
      return;
    case '[':
      ++at_;
      if (accept(']')) return;
      do {
        skip_value(depth + 1);
      } while (accept(','));
      expect(']');
      return;
    case '"':
      string();
      return;
    case 't':
    case 'f':
      boolean();
      return;
    case 'n':
      number_or_null();
      return;
    default:
      number();
      return;
  }
}

}  // namespace assay
