#pragma once
// A strict, allocation-light reader of one compact JSON text in a layout known in
// advance (summary.json's element lines, docs/scale.md). It accepts only what it fully
// understands: no whitespace, strings of printable ASCII with the short escapes, numbers
// in JSON's grammar. Anything else (a different member order, \u escapes, UTF-8, a
// number out of range) is a refusal, never an error: the caller then parses the text
// with nlohmann, which reads every valid layout and reports every fault in its own
// words. So this reader can be fast without being a second judge of what is valid.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace assay {

class JsonLineScanner {
 public:
  explicit JsonLineScanner(std::string_view text) : text_(text) {}

  /// False once anything was refused; every read after that returns a default.
  bool ok() const { return ok_; }
  /// True when the text was read to its end without a refusal.
  bool done() const { return ok_ && at_ == text_.size(); }
  std::size_t position() const { return at_; }

  /// Consumes `c`, or refuses.
  void expect(char c);
  /// Consumes `c` when it is next; false (not a refusal) otherwise.
  bool accept(char c);
  /// Consumes `"name":`, or refuses.
  void key(std::string_view name);
  /// Whether `,"name":` comes next; consumes it when it does.
  bool next_member_is(std::string_view name);

  std::string string();
  double number();
  /// A number, or nullopt for null.
  std::optional<double> number_or_null();
  bool boolean();
  /// `[n,n,...]`
  std::vector<double> numbers();
  /// Any one value, checked against JSON's grammar and otherwise ignored.
  void skip_value();
  /// Any member name (`"name":`), returned as written; refuses escapes in it.
  std::string_view any_key();

 private:
  void skip_value(int depth);
  std::string_view number_token();
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

  std::string_view text_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace assay
