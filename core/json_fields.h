#pragma once
// Typed, path-aware reads of JSON objects, so a bad bundle is reported as
// "summary.json: results[3].metrics[0]: 'samples' must be an array of numbers".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"

namespace assay {

class JsonFields {
 public:
  using Json = nlohmann::ordered_json;
  /// `where` names the object for messages, e.g. "journal.jsonl line 3".
  JsonFields(const Json& object, std::string where);

  /// The first problem met, if any; reads after a problem return defaults.
  bool ok() const { return !error_; }
  Error error() const { return bad_input(*error_); }

  std::string text(std::string_view name);
  std::string optional_text(std::string_view name);
  double number(std::string_view name);
  std::optional<double> optional_number(std::string_view name);
  std::int64_t integer(std::string_view name);
  bool flag(std::string_view name);
  bool optional_flag(std::string_view name, bool fallback);
  std::vector<double> numbers(std::string_view name);
  std::vector<std::string> optional_texts(std::string_view name);
  /// The member, or nullptr after recording a problem when it is missing or not `type`.
  const Json* member(std::string_view name, Json::value_t type);
  const Json* optional_member(std::string_view name);
  /// "<where>.name" for nested objects.
  std::string path(std::string_view name) const;
  void fail(std::string message);

 private:
  const Json& object_;
  std::string where_;
  std::optional<std::string> error_;
};

}  // namespace assay
