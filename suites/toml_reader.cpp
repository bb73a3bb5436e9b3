#include "suites/toml_reader.h"

#include <algorithm>
#include <cstdio>

#include "core/text_match.h"

namespace assay {
namespace {

constexpr std::size_t max_messages = 20;

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

}  // namespace

std::string toml_position(const toml::source_region& region, std::string_view file) {
  std::string text(file);
  if (region.begin.line == 0) return text;
  return text + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column);
}

std::string_view toml_type_phrase(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number with a fraction";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string toml_key_text(std::string_view key) {
  bool bare = !key.empty();
  for (const char c : key) bare = bare && is_bare_key_char(c);
  return bare ? std::string(key) : toml_quote(key);
}

std::string toml_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned char>(c));
          out += escape;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

Expected<toml::table> parse_toml(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& e) {
    return bad_input(toml_position(e.source(), file) +
                     ": TOML syntax error: " + std::string(e.description()));
  }
}

void TomlIssues::add(const toml::source_region& where, std::string_view message) {
  messages_.push_back({where.begin.line, where.begin.column,
                       toml_position(where, file_) + ": " + std::string(message)});
}

void TomlIssues::add(std::string_view message) {
  messages_.push_back({0, 0, file_ + ": " + std::string(message)});
}

Error TomlIssues::error(ErrorKind kind) const {
  // Problems are found section by section; people read them in file order.
  std::vector<Message> sorted = messages_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Message& a, const Message& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string text;
  for (std::size_t i = 0; i < sorted.size() && i < max_messages; ++i) {
    if (i > 0) text += '\n';
    text += sorted[i].text;
  }
  if (sorted.size() > max_messages) {
    text += "\n" + file_ + ": ... and " + std::to_string(sorted.size() - max_messages) +
            " more problems";
  }
  return {kind, text};
}

std::optional<std::string> read_string(const toml::node& node, std::string_view what,
                                       TomlIssues& issues, bool allow_empty) {
  const auto* value = node.as_string();
  if (!value) {
    issues.add(node.source(), std::string(what) + ": expected a string, got " +
                                  std::string(toml_type_phrase(node)));
    return std::nullopt;
  }
  if (!allow_empty && value->get().empty()) {
    issues.add(node.source(), std::string(what) + ": expected a non-empty string");
    return std::nullopt;
  }
  return value->get();
}

std::optional<std::int64_t> read_integer(const toml::node& node, std::string_view what,
                                         TomlIssues& issues, std::int64_t min_value) {
  const auto* value = node.as_integer();
  if (!value) {
    issues.add(node.source(), std::string(what) + ": expected an integer >= " +
                                  std::to_string(min_value) + ", got " +
                                  std::string(toml_type_phrase(node)));
    return std::nullopt;
  }
  if (value->get() < min_value) {
    issues.add(node.source(), std::string(what) + ": expected an integer >= " +
                                  std::to_string(min_value) + ", got " +
                                  std::to_string(value->get()));
    return std::nullopt;
  }
  return value->get();
}

std::optional<double> read_number(const toml::node& node, std::string_view what,
                                  TomlIssues& issues) {
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  issues.add(node.source(), std::string(what) + ": expected a number, got " +
                                std::string(toml_type_phrase(node)));
  return std::nullopt;
}

std::optional<bool> read_bool(const toml::node& node, std::string_view what, TomlIssues& issues) {
  if (const auto* b = node.as_boolean()) return b->get();
  issues.add(node.source(), std::string(what) + ": expected true or false, got " +
                                std::string(toml_type_phrase(node)));
  return std::nullopt;
}

const toml::table* read_table(const toml::node& node, std::string_view what, TomlIssues& issues) {
  if (const auto* t = node.as_table()) return t;
  issues.add(node.source(), std::string(what) + ": expected a table, got " +
                                std::string(toml_type_phrase(node)));
  return nullptr;
}

std::optional<std::vector<PositionedString>> read_string_array(const toml::node& node,
                                                               std::string_view what,
                                                               TomlIssues& issues) {
  const auto* array = node.as_array();
  if (!array) {
    issues.add(node.source(), std::string(what) + ": expected an array of strings, got " +
                                  std::string(toml_type_phrase(node)));
    return std::nullopt;
  }
  std::vector<PositionedString> out;
  bool ok = true;
  for (const auto& element : *array) {
    const auto text = read_string(element, what, issues);
    if (text) {
      out.push_back({*text, element.source()});
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

void report_unknown_key(const toml::key& key, std::string_view where,
                        std::span<const std::string> known, TomlIssues& issues,
                        std::string_view hint) {
  std::string message = "unknown key '" + std::string(key.str()) + "' in " + std::string(where) +
                        did_you_mean(key.str(), known) + "; expected one of: ";
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (i > 0) message += ", ";
    message += known[i];
  }
  if (!hint.empty()) message += "; " + std::string(hint);
  issues.add(key.source(), message);
}

bool report_unquoted_metric_key(const toml::key& key, const toml::node& node,
                                std::string_view section, std::string_view example,
                                TomlIssues& issues) {
  if (key.str().find('.') != std::string_view::npos || !node.is_table()) return false;
  const auto* table = node.as_table();
  if (table->contains("value") || table->contains("min_fraction") || table->contains("warn_fraction")) {
    return false;
  }
  issues.add(key.source(), std::string(section) + " " + std::string(key.str()) +
                               ": metric keys must be quoted, e.g. " + std::string(example) +
                               "; unquoted dots make nested tables");
  return true;
}

}  // namespace assay
