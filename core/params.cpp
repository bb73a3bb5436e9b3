// GCC 12 with -fsanitize=address (the asan preset) reports -Wmaybe-uninitialized inside
// std::variant's move of a ParamValue into Expected, reading the std::string alternative
// that is not the active one: a false positive of GCC 12's middle end, common with
// std::variant. Silenced for this file only; it must come before the includes because
// the warning is placed in <bits/basic_string.h>.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "core/params.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/text_match.h"
#include "core/units.h"

namespace assay {
namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view kind_expectation(ParamKind kind) {
  switch (kind) {
    case ParamKind::integer: return "an integer (e.g. '4096' or '1e8')";
    case ParamKind::real: return "a number (e.g. '0.5' or '50%')";
    case ParamKind::size_bytes: return "a size in bytes (e.g. '64 GiB', '1 MiB' or '4096')";
    case ParamKind::seconds: return "a duration (e.g. '2 s', '500 ms' or '2' for seconds)";
    case ParamKind::text: return "text";
    case ParamKind::flag: return "true or false (also yes/no, on/off, 1/0)";
  }
  return "a value";
}

std::string_view value_type_name(const ParamValue& value) {
  switch (value.index()) {
    case 0: return "a boolean";
    case 1: return "an integer";
    case 2: return "a real number";
    default: return "a string";
  }
}

Error bad_text(const ParamSpec& spec, std::string_view text, std::string_view why = {}) {
  std::string message = "parameter '" + spec.name + "' expects " + std::string(kind_expectation(spec.kind)) +
                        ", got '" + std::string(text) + "'";
  if (!why.empty()) message += ": " + std::string(why);
  return bad_input(std::move(message));
}

// 2^63 as a double: the first value that no longer fits an int64.
constexpr double kInt64Limit = 9223372036854775808.0;

std::optional<std::int64_t> whole_to_int(double value) {
  if (!std::isfinite(value) || value != std::floor(value)) return std::nullopt;
  if (value >= kInt64Limit || value < -kInt64Limit) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

Expected<ParamValue> parse_integer(const ParamSpec& spec, std::string_view text) {
  std::string_view s = trim_spaces(text);
  if (s.size() > 1 && s.front() == '+' && std::isdigit(static_cast<unsigned char>(s[1]))) s.remove_prefix(1);
  std::int64_t exact = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), exact);
  if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) return ParamValue{exact};
  if (ec == std::errc::result_out_of_range) return bad_text(spec, text, "out of range of a 64-bit integer");
  // Exponent forms ("1e8") are fine when they name a whole number.
  double real = 0;
  const auto [rend, rec] = std::from_chars(s.data(), s.data() + s.size(), real);
  if (rec != std::errc{} || rend != s.data() + s.size() || s.empty() || !std::isfinite(real) ||
      (s.find_first_of("eE") == std::string_view::npos))
    return bad_text(spec, text);
  const auto whole = whole_to_int(real);
  if (!whole) return bad_text(spec, text, "not a whole number, or out of range of a 64-bit integer");
  return ParamValue{*whole};
}

Expected<ParamValue> parse_flag(const ParamSpec& spec, std::string_view text) {
  const std::string word = lower(trim_spaces(text));
  if (word == "true" || word == "yes" || word == "on" || word == "1") return ParamValue{true};
  if (word == "false" || word == "no" || word == "off" || word == "0") return ParamValue{false};
  return bad_text(spec, text);
}

// Reads a figure of `unit` (a bare number is in the base unit); on failure, the reason
// without repeating what was expected, which the caller says itself.
Expected<double> parse_figure(const ParamSpec& spec, std::string_view text, Unit unit) {
  const std::string_view s = trim_spaces(text);
  const bool starts_numeric = !s.empty() && (std::isdigit(static_cast<unsigned char>(s.front())) ||
                                             s.front() == '.' || s.front() == '+' || s.front() == '-');
  if (!starts_numeric) return bad_text(spec, text);
  const auto q = parse_quantity(s);
  if (!q) return bad_text(spec, text, q.error().message);
  const bool bare = q->unit == Unit::ratio && s.find('%') == std::string_view::npos;
  if (q->unit != unit && !bare) {
    // "a size (e.g. '64 GiB')" -> "a size"
    const std::string_view what = unit_description(q->unit);
    return bad_text(spec, text, fmt::format("'{}' is {}", s, what.substr(0, what.find(" ("))));
  }
  if (q->value < 0 && unit != Unit::ratio) return bad_text(spec, text, "it cannot be negative");
  return q->value;
}

Expected<ParamValue> parse_unconstrained(const ParamSpec& spec, std::string_view text) {
  switch (spec.kind) {
    case ParamKind::integer: return parse_integer(spec, text);
    case ParamKind::real: {
      auto value = parse_figure(spec, text, Unit::ratio);
      if (!value) return value.error();
      return ParamValue{*value};
    }
    case ParamKind::size_bytes: {
      auto value = parse_figure(spec, text, Unit::byte);
      if (!value) return value.error();
      const auto bytes = whole_to_int(*value);
      if (!bytes) return bad_text(spec, text, "not a whole number of bytes, or too large");
      return ParamValue{*bytes};
    }
    case ParamKind::seconds: {
      auto value = parse_figure(spec, text, Unit::second);
      if (!value) return value.error();
      return ParamValue{*value};
    }
    case ParamKind::text: return ParamValue{std::string(text)};
    case ParamKind::flag: return parse_flag(spec, text);
  }
  return bad_text(spec, text);
}

std::string bound_text(const ParamSpec& spec, double bound) {
  switch (spec.kind) {
    case ParamKind::size_bytes:
      return fmt::format("{} ({} bytes)", format_quantity(bound, Unit::byte), bound);
    case ParamKind::seconds: return format_quantity(bound, Unit::second);
    default: return fmt::format("{}", bound);
  }
}

Expected<ParamValue> check_bounds(const ParamSpec& spec, ParamValue value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    if (spec.choices.empty() ||
        std::find(spec.choices.begin(), spec.choices.end(), *text) != spec.choices.end()) {
      return value;
    }
    std::string accepted;
    for (const auto& c : spec.choices) accepted += (accepted.empty() ? "" : ", ") + c;
    return bad_input("parameter '" + spec.name + "' must be one of " + accepted + ", got '" + *text + "'" +
                     did_you_mean(*text, spec.choices));
  }
  double number = 0;
  if (const auto* i = std::get_if<std::int64_t>(&value))
    number = static_cast<double>(*i);
  else if (const auto* d = std::get_if<double>(&value))
    number = *d;
  else
    return value;
  const std::string shown = spec.kind == ParamKind::size_bytes || spec.kind == ParamKind::seconds
                                ? bound_text(spec, number)
                                : param_value_text(value);
  if (spec.min_value && number < *spec.min_value)
    return bad_input("parameter '" + spec.name + "' must be at least " + bound_text(spec, *spec.min_value) +
                     ", got " + shown);
  if (spec.max_value && number > *spec.max_value)
    return bad_input("parameter '" + spec.name + "' must be at most " + bound_text(spec, *spec.max_value) +
                     ", got " + shown);
  return value;
}

Error wrong_type(const ParamSpec& spec, const ParamValue& value) {
  return bad_input("parameter '" + spec.name + "' expects " + std::string(kind_expectation(spec.kind)) +
                   ", got " + std::string(value_type_name(value)) + " (" + param_value_text(value) + ")");
}

Expected<ParamValue> coerce_unconstrained(const ParamSpec& spec, const ParamValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return parse_unconstrained(spec, *text);
  const auto* integer = std::get_if<std::int64_t>(&value);
  const auto* real = std::get_if<double>(&value);
  const auto* flag = std::get_if<bool>(&value);
  switch (spec.kind) {
    case ParamKind::integer:
    case ParamKind::size_bytes:
      if (integer) {
        if (spec.kind == ParamKind::size_bytes && *integer < 0)
          return bad_input("parameter '" + spec.name + "' is a size and cannot be negative, got " +
                           std::to_string(*integer));
        return value;
      }
      if (real) {
        if (spec.kind == ParamKind::size_bytes && *real < 0)
          return bad_input("parameter '" + spec.name + "' is a size and cannot be negative, got " +
                           param_value_text(value));
        if (auto whole = whole_to_int(*real)) return ParamValue{*whole};
        return bad_input("parameter '" + spec.name + "' expects " + std::string(kind_expectation(spec.kind)) +
                         ", got " + param_value_text(value) + " which is not a whole number");
      }
      break;
    case ParamKind::real:
    case ParamKind::seconds:
      if (real) {
        if (!std::isfinite(*real)) break;
        if (spec.kind == ParamKind::seconds && *real < 0)
          return bad_input("parameter '" + spec.name + "' is a duration and cannot be negative, got " +
                           param_value_text(value));
        return value;
      }
      if (integer) {
        if (spec.kind == ParamKind::seconds && *integer < 0)
          return bad_input("parameter '" + spec.name + "' is a duration and cannot be negative, got " +
                           std::to_string(*integer));
        return ParamValue{static_cast<double>(*integer)};
      }
      break;
    case ParamKind::text: break;
    case ParamKind::flag:
      if (flag) return value;
      if (integer && (*integer == 0 || *integer == 1)) return ParamValue{*integer == 1};
      break;
  }
  return wrong_type(spec, value);
}

const ParamEntry& find_entry(const ParamList& params, std::string_view name) {
  for (const auto& entry : params)
    if (entry.name == name) return entry;
  throw std::logic_error("internal: parameter '" + std::string(name) +
                         "' is not in the resolved parameter list");
}

[[noreturn]] void wrong_access(std::string_view name, std::string_view wanted, const ParamValue& value) {
  throw std::logic_error("internal: parameter '" + std::string(name) + "' was read as " +
                         std::string(wanted) + " but holds " + std::string(value_type_name(value)));
}

}  // namespace

Expected<ParamValue> parse_param_text(const ParamSpec& spec, std::string_view text) {
  auto value = parse_unconstrained(spec, text);
  if (!value) return value;
  return check_bounds(spec, std::move(*value));
}

Expected<ParamValue> coerce_param(const ParamSpec& spec, const ParamValue& value) {
  auto coerced = coerce_unconstrained(spec, value);
  if (!coerced) return coerced;
  return check_bounds(spec, std::move(*coerced));
}

Expected<ParamList> resolve_params(std::string_view probe_name, std::span<const ParamSpec> specs,
                                   std::span<const ParamOverride> overrides) {
  ParamList list;
  list.reserve(specs.size());
  for (const auto& spec : specs) {
    // Defaults come from the probe itself: a default its own spec rejects is a bug in
    // the probe, not in the user's input.
    auto value = coerce_param(spec, spec.default_value);
    if (!value)
      return internal_error("probe '" + std::string(probe_name) +
                            "' has an invalid default: " + value.error().message);
    list.push_back({spec.name, std::move(*value)});
  }
  for (const auto& over : overrides) {
    const std::string from = over.origin.empty() ? std::string() : " (from " + over.origin + ")";
    const auto it =
        std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == over.name; });
    if (it == specs.end()) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back(s.name);
      std::string accepted;
      for (const auto& n : names) accepted += (accepted.empty() ? "" : ", ") + n;
      return bad_input("probe '" + std::string(probe_name) + "' has no parameter '" + over.name + "'" + from +
                       did_you_mean(over.name, names) +
                       "; it accepts: " + (accepted.empty() ? "no parameters" : accepted));
    }
    auto value = coerce_param(*it, over.value);
    if (!value)
      return bad_input("probe '" + std::string(probe_name) + "'" + from + ": " + value.error().message);
    set_param(list, over.name, std::move(*value));
  }
  return list;
}

std::string param_value_text(const ParamValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) {
    // Shortest text that reads back to the same double.
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *d);
    return ec == std::errc{} ? std::string(buffer, end) : fmt::format("{}", *d);
  }
  return std::get<std::string>(value);
}

std::int64_t param_int(const ParamList& params, std::string_view name) {
  const auto& entry = find_entry(params, name);
  if (const auto* i = std::get_if<std::int64_t>(&entry.value)) return *i;
  wrong_access(name, "an integer", entry.value);
}

double param_real(const ParamList& params, std::string_view name) {
  const auto& entry = find_entry(params, name);
  if (const auto* d = std::get_if<double>(&entry.value)) return *d;
  // An integer is a real without loss here (counts and sizes far below 2^53).
  if (const auto* i = std::get_if<std::int64_t>(&entry.value)) return static_cast<double>(*i);
  wrong_access(name, "a real number", entry.value);
}

const std::string& param_text(const ParamList& params, std::string_view name) {
  const auto& entry = find_entry(params, name);
  if (const auto* s = std::get_if<std::string>(&entry.value)) return *s;
  wrong_access(name, "text", entry.value);
}

bool param_flag(const ParamList& params, std::string_view name) {
  const auto& entry = find_entry(params, name);
  if (const auto* b = std::get_if<bool>(&entry.value)) return *b;
  wrong_access(name, "a flag", entry.value);
}

void set_param(ParamList& params, std::string_view name, ParamValue value) {
  for (auto& entry : params) {
    if (entry.name == name) {
      entry.value = std::move(value);
      return;
    }
  }
  params.push_back({std::string(name), std::move(value)});
}

}  // namespace assay
