#pragma once
// Probe parameters: what a probe accepts (ParamSpec) and the values a run used
// (ParamList). Values arrive as text from `--set key=value` or as TOML values from a
// plan; both are checked against the spec here, in one place.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/expected.h"

namespace assay {

/// A parameter value. Sizes are integers of bytes and durations are reals of seconds
/// once resolved.
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;

/// What kind of value a parameter takes, and so how its text is read.
enum class ParamKind {
  integer,     ///< "4096", also "1e8" when it is a whole number
  real,        ///< "0.5"
  size_bytes,  ///< "64 GiB", "1 MiB", "4096" (bytes) -> int64 bytes
  seconds,     ///< "2 s", "500 ms", "2" (seconds) -> double seconds
  text,        ///< any string
  flag,        ///< true/false, yes/no, on/off, 1/0
};

/// One parameter a probe accepts.
struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::integer;
  ParamValue default_value;
  std::string help;
  /// Smallest accepted value for numeric kinds (inclusive); sizes and counts are
  /// usually at least 1.
  std::optional<double> min_value;
  /// Largest accepted value for numeric kinds (inclusive).
  std::optional<double> max_value;
  /// For text parameters: the accepted values (empty: any text).
  std::vector<std::string> choices = {};
};

/// A named value as used by a run; order follows the probe's spec list.
struct ParamEntry {
  std::string name;
  ParamValue value;
};
using ParamList = std::vector<ParamEntry>;

/// A value given by the user, before it is checked: text from the command line or a
/// typed value from a plan. `origin` names where it came from for messages
/// ("--set n=abc", "plan.toml:12:5").
struct ParamOverride {
  std::string name;
  ParamValue value;
  std::string origin;
};

/// Reads `text` as a value of `spec` (kind, bounds); the error names the parameter,
/// the text and what was expected.
Expected<ParamValue> parse_param_text(const ParamSpec& spec, std::string_view text);

/// Checks a typed value (from TOML) against `spec`, converting where that is lossless
/// (an integer for a real, a string "64 GiB" for a size).
Expected<ParamValue> coerce_param(const ParamSpec& spec, const ParamValue& value);

/// The full parameter list of a probe: every spec with its default, replaced by the
/// overrides in order. An override naming no spec is an error that lists the accepted
/// names.
Expected<ParamList> resolve_params(std::string_view probe_name, std::span<const ParamSpec> specs,
                                   std::span<const ParamOverride> overrides);

/// Renders a value as text that parse_param_text() reads back to the same value.
std::string param_value_text(const ParamValue& value);

/// Typed access to a resolved list; a missing name or wrong type is an internal error
/// (the list was resolved against the probe's own specs), reported by exception.
std::int64_t param_int(const ParamList& params, std::string_view name);
double param_real(const ParamList& params, std::string_view name);
const std::string& param_text(const ParamList& params, std::string_view name);
bool param_flag(const ParamList& params, std::string_view name);
/// Replaces (or appends) a value, e.g. when a probe reports what "0 = all" became.
void set_param(ParamList& params, std::string_view name, ParamValue value);

}  // namespace assay
