#pragma once
// Strict reading of TOML for plans, suite presets and the catalog. Every problem is
// collected with its position ("plan.toml:12:5: ...") so that one load reports all the
// mistakes of a file at once, the way a compiler does, instead of one per attempt.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/expected.h"

namespace assay {

/// "file:line:column" of a TOML node or key; just the file when toml++ has no position.
std::string toml_position(const toml::source_region& region, std::string_view file);

/// "a string", "an integer", "a table", ... for "expected X, got Y" messages.
std::string_view toml_type_phrase(const toml::node& node);

/// A TOML key written as it would appear in a file: bare when it can be, else quoted.
std::string toml_key_text(std::string_view key);

/// A TOML basic string literal with the escapes TOML requires.
std::string toml_quote(std::string_view text);

/// Parses TOML text; a syntax error becomes "file:line:column: TOML syntax error: ...".
Expected<toml::table> parse_toml(std::string_view text, const std::string& file);

/// The problems found in one file. Checking goes on after a problem so all of them are
/// reported; the caller turns them into one Error at the end.
class TomlIssues {
 public:
  explicit TomlIssues(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  /// Records "file:line:column: message".
  void add(const toml::source_region& where, std::string_view message);
  /// Records a problem with no position in the file ("file: message").
  void add(std::string_view message);
  bool any() const { return !messages_.empty(); }
  std::size_t count() const { return messages_.size(); }
  /// All messages in file order, one a line (the first 20 and how many more), as one
  /// Error.
  Error error(ErrorKind kind = ErrorKind::bad_input) const;

 private:
  struct Message {
    std::uint32_t line = 0, column = 0;  // 0: no position; listed first
    std::string text;
  };
  std::string file_;
  std::vector<Message> messages_;
};

/// Typed reads of one value: each records "<what>: expected ..., got ..." and returns
/// nullopt when the value is of the wrong type or out of range. `what` names the key
/// as a reader would look for it, e.g. "[node] gpus".
std::optional<std::string> read_string(const toml::node& node, std::string_view what,
                                       TomlIssues& issues, bool allow_empty = false);
std::optional<std::int64_t> read_integer(const toml::node& node, std::string_view what,
                                         TomlIssues& issues, std::int64_t min_value);
/// An integer or a float, as a double.
std::optional<double> read_number(const toml::node& node, std::string_view what,
                                  TomlIssues& issues);
std::optional<bool> read_bool(const toml::node& node, std::string_view what, TomlIssues& issues);
/// A table (inline or not).
const toml::table* read_table(const toml::node& node, std::string_view what, TomlIssues& issues);

/// A string of an array, with where it was written.
struct PositionedString {
  std::string text;
  toml::source_region where;
};
/// An array of non-empty strings.
std::optional<std::vector<PositionedString>> read_string_array(const toml::node& node,
                                                               std::string_view what,
                                                               TomlIssues& issues);

/// Records "unknown key 'k' in <where> (did you mean ...?); expected one of: ...",
/// then "; <hint>" when a hint is given.
void report_unknown_key(const toml::key& key, std::string_view where,
                        std::span<const std::string> known, TomlIssues& issues,
                        std::string_view hint = {});

/// `cpu.fma.fp64 = ...` without quotes is a nested table in TOML. When `key` (a bare
/// word whose value is a table that is not a figure or rule table) looks like that,
/// records "<section> <key>: metric keys must be quoted, e.g. <example>" and returns true.
bool report_unquoted_metric_key(const toml::key& key, const toml::node& node,
                                std::string_view section, std::string_view example,
                                TomlIssues& issues);

}  // namespace assay
