#include "core/units.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace assay {
namespace {

// Which prefixes a unit takes. Sub-unit prefixes (m, u, n) make sense only for
// durations: "mB" is almost always a typo for "MB", and milliwatts never appear in
// acceptance figures. Binary prefixes belong to bytes only (memories and files are
// sized in powers of two; link and compute rates never are).
struct PrefixRules {
  bool large = true;       // k M G T P E
  bool small = false;      // m u n
  bool binary = false;     // Ki Mi Gi Ti Pi Ei
  bool none_only = false;  // "min", "h": no prefix at all
};

enum class Quirk {
  none,
  bits,        // a rate in bits: divide by 8
  bit_size,    // a size in bits: always an error (sizes are bytes)
  flop_count,  // "FLOP"/"FLOPs": a count, not a rate
};

struct UnitSpelling {
  std::string_view text;
  Unit unit;
  double scale;  // multiplies the number into the base unit
  PrefixRules prefixes;
  Quirk quirk = Quirk::none;
};

constexpr PrefixRules kLarge{};
constexpr PrefixRules kBytes{true, false, true, false};
constexpr PrefixRules kSeconds{false, true, false, false};
constexpr PrefixRules kNoPrefix{false, false, false, true};

// A spelling comes before every shorter one it ends with, so that "IOPS" wins over
// "OPS", "FLOPS" over "OPS" and "Wh" over "h".
constexpr std::array kSpellings{
    // Efficiencies first: "GFLOP/s/W" ends with "W" and "FLOP/s", which must not win.
    UnitSpelling{"FLOP/s/W", Unit::flop_per_joule, 1, kLarge},
    UnitSpelling{"FLOPS/W", Unit::flop_per_joule, 1, kLarge},
    UnitSpelling{"FLOP/J", Unit::flop_per_joule, 1, kLarge},
    UnitSpelling{"op/s/W", Unit::op_per_joule, 1, kLarge},
    UnitSpelling{"OPS/W", Unit::op_per_joule, 1, kLarge},
    UnitSpelling{"OP/J", Unit::op_per_joule, 1, kLarge},
    UnitSpelling{"op/J", Unit::op_per_joule, 1, kLarge},
    UnitSpelling{"B/s/W", Unit::byte_per_joule, 1, kBytes},
    UnitSpelling{"B/J", Unit::byte_per_joule, 1, kBytes},
    UnitSpelling{"FLOP/sec", Unit::flop_per_s, 1, kLarge},
    UnitSpelling{"FLOP/s", Unit::flop_per_s, 1, kLarge},
    UnitSpelling{"Flop/s", Unit::flop_per_s, 1, kLarge},
    UnitSpelling{"flop/s", Unit::flop_per_s, 1, kLarge},
    UnitSpelling{"FLOPS", Unit::flop_per_s, 1, kLarge},
    UnitSpelling{"Flops", Unit::flop_per_s, 1, kLarge},
    UnitSpelling{"flops", Unit::flop_per_s, 1, kLarge},
    UnitSpelling{"FLOPs", Unit::flop_per_s, 1, kLarge, Quirk::flop_count},
    UnitSpelling{"FLOP", Unit::flop_per_s, 1, kLarge, Quirk::flop_count},
    UnitSpelling{"bytes/s", Unit::byte_per_s, 1, kBytes},
    UnitSpelling{"bits/s", Unit::byte_per_s, 0.125, kLarge, Quirk::bits},
    UnitSpelling{"bit/s", Unit::byte_per_s, 0.125, kLarge, Quirk::bits},
    UnitSpelling{"IOP/s", Unit::op_per_s, 1, kLarge},
    UnitSpelling{"ops/s", Unit::op_per_s, 1, kLarge},
    UnitSpelling{"IOPS", Unit::op_per_s, 1, kLarge},
    UnitSpelling{"OP/s", Unit::op_per_s, 1, kLarge},
    UnitSpelling{"op/s", Unit::op_per_s, 1, kLarge},
    UnitSpelling{"bytes", Unit::byte, 1, kBytes},
    UnitSpelling{"bits", Unit::byte, 0.125, kLarge, Quirk::bit_size},
    UnitSpelling{"byte", Unit::byte, 1, kBytes},
    UnitSpelling{"B/s", Unit::byte_per_s, 1, kBytes},
    UnitSpelling{"b/s", Unit::byte_per_s, 0.125, kLarge, Quirk::bits},
    UnitSpelling{"bps", Unit::byte_per_s, 0.125, kLarge, Quirk::bits},
    UnitSpelling{"OPS", Unit::op_per_s, 1, kLarge},
    UnitSpelling{"ops", Unit::op_per_s, 1, kLarge},
    UnitSpelling{"bit", Unit::byte, 0.125, kLarge, Quirk::bit_size},
    UnitSpelling{"sec", Unit::second, 1, kSeconds},
    UnitSpelling{"min", Unit::second, 60, kNoPrefix},
    UnitSpelling{"Hz", Unit::hertz, 1, kLarge},
    UnitSpelling{"Wh", Unit::joule, 3600, kLarge},
    UnitSpelling{"B", Unit::byte, 1, kBytes},
    UnitSpelling{"b", Unit::byte, 0.125, kLarge, Quirk::bit_size},
    UnitSpelling{"s", Unit::second, 1, kSeconds},
    UnitSpelling{"h", Unit::second, 3600, kNoPrefix},
    UnitSpelling{"W", Unit::watt, 1, kLarge},
    UnitSpelling{"J", Unit::joule, 1, kLarge},
    // No prefix: "kK" and "mK" never describe hardware, and "K" alone is the unit here.
    UnitSpelling{"K", Unit::kelvin, 1, kNoPrefix},
};

enum class PrefixKind { none, large, small, binary, ambiguous_k };

struct Prefix {
  std::string_view text;
  double factor;
  PrefixKind kind;
};

constexpr std::array kPrefixes{
    Prefix{"", 1, PrefixKind::none},
    Prefix{"k", 1e3, PrefixKind::large},
    Prefix{"K", 1e3, PrefixKind::ambiguous_k},
    Prefix{"M", 1e6, PrefixKind::large},
    Prefix{"G", 1e9, PrefixKind::large},
    Prefix{"T", 1e12, PrefixKind::large},
    Prefix{"P", 1e15, PrefixKind::large},
    Prefix{"E", 1e18, PrefixKind::large},
    Prefix{"m", 1e-3, PrefixKind::small},
    Prefix{"u", 1e-6, PrefixKind::small},
    Prefix{"\xC2\xB5", 1e-6, PrefixKind::small},  // U+00B5 MICRO SIGN
    Prefix{"\xCE\xBC", 1e-6, PrefixKind::small},  // U+03BC GREEK SMALL LETTER MU
    Prefix{"n", 1e-9, PrefixKind::small},
    Prefix{"Ki", 0x1p10, PrefixKind::binary},
    Prefix{"Mi", 0x1p20, PrefixKind::binary},
    Prefix{"Gi", 0x1p30, PrefixKind::binary},
    Prefix{"Ti", 0x1p40, PrefixKind::binary},
    Prefix{"Pi", 0x1p50, PrefixKind::binary},
    Prefix{"Ei", 0x1p60, PrefixKind::binary},
};

const Prefix* find_prefix(std::string_view text) {
  for (const auto& p : kPrefixes)
    if (p.text == text) return &p;
  return nullptr;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// A no-break space (U+00A0) sneaks in when figures are copied from datasheets.
constexpr std::string_view kNoBreakSpace = "\xC2\xA0";

std::string_view trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && is_space(s.front()))
      s.remove_prefix(1);
    else if (!s.empty() && is_space(s.back()))
      s.remove_suffix(1);
    else if (s.starts_with(kNoBreakSpace))
      s.remove_prefix(kNoBreakSpace.size());
    else if (s.ends_with(kNoBreakSpace))
      s.remove_suffix(kNoBreakSpace.size());
    else
      return s;
  }
}

// "k IOPS" -> "kIOPS": a prefix written apart from its unit still belongs to it.
std::string without_spaces(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    if (s.starts_with(kNoBreakSpace)) {
      s.remove_prefix(kNoBreakSpace.size());
      continue;
    }
    if (!is_space(s.front())) out += s.front();
    s.remove_prefix(1);
  }
  return out;
}

std::string_view unit_noun(Unit unit) {
  switch (unit) {
    case Unit::flop_per_s: return "a compute rate";
    case Unit::op_per_s: return "an operation rate";
    case Unit::byte_per_s: return "a bandwidth";
    case Unit::byte: return "a size";
    case Unit::second: return "a duration";
    case Unit::hertz: return "a frequency";
    case Unit::watt: return "a power";
    case Unit::joule: return "an energy";
    case Unit::flop_per_joule: return "a compute efficiency";
    case Unit::op_per_joule: return "an operation efficiency";
    case Unit::byte_per_joule: return "a data-movement efficiency";
    case Unit::kelvin: return "a temperature";
    case Unit::ratio: return "a ratio";
  }
  return "a figure";
}

// 'text', cut short when it is clearly not a figure (a sentence pasted by mistake).
// Built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) on "'" + std::string.
std::string quoted(std::string_view text) {
  constexpr std::size_t kLongest = 48;
  const bool cut = text.size() > kLongest;
  std::string out;
  out.reserve(std::min(text.size(), kLongest) + 5);
  out += '\'';
  out += cut ? trim(text.substr(0, kLongest - 3)) : text;
  if (cut) out += "...";
  out += '\'';
  return out;
}

// The parsed pieces before the caller decides which unit a bare number has.
struct RawFigure {
  double number = 0;
  std::optional<Unit> unit;  // nullopt: a bare number
  double scale = 1;
};

// `expected` completes "expected ... but": "a size (e.g. '64 GiB')".
Expected<double> parse_number(std::string_view whole, std::string_view& rest, std::string_view expected) {
  std::string_view s = rest;
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  // from_chars also reads "inf" and "nan"; a figure is always a finite number.
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '.'))
    return bad_input("expected " + std::string(expected) + " but " + quoted(whole) +
                     " does not start with a number");
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range)
    return bad_input("the number in " + quoted(whole) + " is out of range");
  if (ec != std::errc{} || !std::isfinite(value))
    return bad_input("expected " + std::string(expected) + " but " + quoted(whole) +
                     " does not start with a number");
  rest = s.substr(static_cast<std::size_t>(end - s.data()));
  if (!rest.empty() && (rest.front() == ',' || rest.front() == '_'))
    return bad_input(quoted(whole) +
                     " has a digit separator; write the number without ',' or '_' "
                     "(e.g. '1200 GB/s' or '1.2 TB/s')");
  return negative ? -value : value;
}

// `unit_text` has no white space ("kIOPS"); `unit_written` is as written, for messages.
Expected<RawFigure> parse_unit(std::string_view whole, std::string_view unit_text,
                               std::string_view unit_written) {
  RawFigure raw;
  if (unit_text.empty()) return raw;
  if (unit_text == "%") {
    raw.unit = Unit::ratio;
    raw.scale = 0.01;
    return raw;
  }
  // Celsius is kelvin shifted, not scaled, so it cannot be a spelling; say how to write it.
  if (unit_text == "C" || unit_text == "\xC2\xB0" "C" || unit_text == "degC" || unit_text == "\xE2\x84\x83")
    return bad_input("unit " + quoted(unit_written) + " in " + quoted(whole) +
                     ": temperatures are written in kelvin (K = degrees Celsius + 273.15, e.g. '358 K' for 85 "
                     "\xC2\xB0" "C)");
  if (unit_text == "MT/s" || unit_text == "GT/s" || unit_text == "T/s")
    return bad_input("unit " + quoted(unit_text) + " in " + quoted(whole) +
                     " counts transfers, not bytes: write the bandwidth in B/s (e.g. '51.2 GB/s')");
  for (const auto& spelling : kSpellings) {
    if (unit_text.size() < spelling.text.size() || !unit_text.ends_with(spelling.text)) continue;
    const std::string_view prefix_text = unit_text.substr(0, unit_text.size() - spelling.text.size());
    const Prefix* prefix = find_prefix(prefix_text);
    if (prefix == nullptr) continue;  // e.g. "furlongs" ends in "s" but "furlong" is no prefix
    const std::string where = " in " + quoted(whole);
    const std::string unit_name = quoted(unit_text);
    if (spelling.quirk == Quirk::flop_count)
      return bad_input(unit_name + where + " is a count of operations, not a rate: write " +
                       std::string(prefix_text) + "FLOP/s or " + std::string(prefix_text) + "FLOPS");
    if (spelling.quirk == Quirk::bit_size)
      return bad_input(unit_name + where +
                       " is a size in bits; sizes are written in bytes (e.g. '64 GiB' or '80 GB'), "
                       "and bits only in link rates (e.g. '400 Gb/s')");
    const std::string spelled(spelling.text);
    const std::string no_prefix = unit_name + where + ": " + quoted(spelling.text) + " takes no prefix";
    switch (prefix->kind) {
      case PrefixKind::none: break;
      case PrefixKind::ambiguous_k:
        if (spelling.prefixes.binary || spelling.quirk == Quirk::bits)
          return bad_input(unit_name + where + " is ambiguous: write k" + spelled + " for 1000" +
                           (spelling.prefixes.binary ? " or Ki" + spelled + " for 1024" : ""));
        if (!spelling.prefixes.large) return bad_input(no_prefix);
        break;
      case PrefixKind::large:
        if (!spelling.prefixes.large) return bad_input(no_prefix);
        break;
      case PrefixKind::small:
        if (spelling.prefixes.none_only) return bad_input(no_prefix);
        if (!spelling.prefixes.small) {
          if (prefix_text == "m" && spelling.prefixes.binary)
            return bad_input(unit_name + where + " would be milli" +
                             (spelling.unit == Unit::byte ? "bytes; write MB for 1e6 bytes or MiB for 2^20"
                                                          : "bytes per second; write MB/s for 1e6 B/s"));
          return bad_input(unit_name + where + ": prefix '" + std::string(prefix_text) +
                           "' (a fraction) is accepted only for durations (ms, us, ns); write the "
                           "figure in " +
                           spelled + " or with k, M, G, T, P, E");
        }
        break;
      case PrefixKind::binary:
        if (spelling.prefixes.none_only) return bad_input(no_prefix);
        if (!spelling.prefixes.binary) {
          const std::string decimal = std::string(prefix_text.substr(0, 1)) + spelled;
          if (spelling.quirk == Quirk::bits)
            return bad_input(unit_name + where +
                             ": binary prefixes are not used for rates of bits; "
                             "write '" +
                             decimal + "' (decimal, as links are rated)");
          return bad_input(unit_name + where + ": binary prefix '" + std::string(prefix_text) +
                           "' applies only to bytes (B, B/s); write '" + decimal +
                           "' for the decimal multiple");
        }
        break;
    }
    raw.unit = spelling.unit;
    raw.scale = prefix->factor * spelling.scale;
    return raw;
  }
  return bad_input("unknown unit " + quoted(unit_written) + " in " + quoted(whole) +
                   "; expected FLOP/s (FLOPS), op/s (OPS, IOPS), B/s, b/s (bits), B, s, Hz, W, J, "
                   "Wh, K or % with a prefix such as k M G T P (Ki Mi Gi Ti for bytes, m u n for seconds)");
}

constexpr std::string_view kAnyFigure = "a figure (e.g. '989 TFLOP/s', '64 GiB' or '0.9')";

// Number and unit; `expected` phrases the figure wanted for messages about the number.
// Errors about the unit are returned with `unit_error` set, so that a caller expecting
// one dimension can say so first.
Expected<RawFigure> parse_raw(std::string_view text, std::string_view expected, bool& unit_error) {
  unit_error = false;
  const std::string_view whole = trim(text);
  if (whole.empty()) return bad_input("expected " + std::string(expected) + " but the text is empty");
  std::string_view rest = whole;
  auto number = parse_number(whole, rest, expected);
  if (!number) return number.error();
  if (!rest.empty() && (rest.front() == '.' || std::isdigit(static_cast<unsigned char>(rest.front()))))
    return bad_input("expected " + std::string(expected) + " but " + quoted(whole) +
                     " is not one number followed by a unit");
  unit_error = true;
  auto raw = parse_unit(whole, without_spaces(rest), trim(rest));
  if (!raw) return raw.error();
  raw->number = *number;
  return raw;
}

Expected<Quantity> finish(std::string_view text, const RawFigure& raw, Unit unit) {
  const double value = raw.number * raw.scale;
  if (!std::isfinite(value)) return bad_input("figure " + quoted(trim(text)) + " is out of range");
  if (value < 0 && unit != Unit::ratio)
    return bad_input("figure " + quoted(trim(text)) + " is negative; " + std::string(unit_noun(unit)) +
                     " cannot be below zero (only ratios may be)");
  // -0 would print as "-0"; it is zero.
  return Quantity{value == 0 ? 0.0 : value, unit};
}

// Prints `value` with `significant` digits, never in exponent form, without trailing
// zeros: 989.5, 3.35, 64, 0.
std::string plain_number(double value, int significant) {
  if (value == 0) return "0";
  const double magnitude = std::floor(std::log10(std::fabs(value)));
  const int decimals = significant - 1 - static_cast<int>(magnitude);
  if (decimals < 0) {
    // More integer digits than significant ones: 123.4 with 2 digits is 120.
    const double step = std::pow(10.0, -decimals);
    value = std::round(value / step) * step;
  }
  std::string text = fmt::format("{:.{}f}", value, std::max(0, decimals));
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

// The value as plain_number() prints it, to see whether rounding carried it up.
double rounded(double value, int significant) {
  const std::string text = plain_number(value, significant);
  double back = 0;
  std::from_chars(text.data(), text.data() + text.size(), back);
  return back;
}

struct ScaleStep {
  std::string_view prefix;
  double factor;
};

constexpr std::array<ScaleStep, 7> kDecimalSteps{ScaleStep{"", 1}, {"k", 1e3},  {"M", 1e6}, {"G", 1e9},
                                                 {"T", 1e12},      {"P", 1e15}, {"E", 1e18}};
constexpr std::array<ScaleStep, 7> kBinarySteps{ScaleStep{"", 1}, {"Ki", 0x1p10}, {"Mi", 0x1p20},
                                                {"Gi", 0x1p30},   {"Ti", 0x1p40}, {"Pi", 0x1p50},
                                                {"Ei", 0x1p60}};
constexpr std::array<ScaleStep, 4> kSecondSteps{ScaleStep{"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3}, {"", 1}};

template <std::size_t N>
std::string with_steps(double value, std::string_view symbol, int significant,
                       const std::array<ScaleStep, N>& steps, double base) {
  const double magnitude = std::fabs(value);
  // The largest step not above the value; below the first step, the first step.
  std::size_t i = 0;
  while (i + 1 < N && magnitude >= steps[i + 1].factor) ++i;
  // Rounding may carry 999.96 k up to 1000 k: print 1 M instead.
  if (i + 1 < N && std::fabs(rounded(value / steps[i].factor, significant)) >= base) ++i;
  // Zero takes the base unit: "0 B/s", "0 s" (not "0 ns").
  if (magnitude == 0) {
    i = 0;
    while (steps[i].factor != 1) ++i;
  }
  const double scaled = value / steps[i].factor;
  const double scaled_magnitude = std::fabs(scaled);
  // Beyond the prefixes (1e-15 s, 1e30 FLOP/s) an exponent reads better than 20 digits.
  std::string number = scaled_magnitude != 0 && (scaled_magnitude < 1e-3 || scaled_magnitude >= 1e15)
                           ? fmt::format("{:.{}g}", scaled, significant)
                           : plain_number(scaled, significant);
  return number + " " + std::string(steps[i].prefix) + std::string(symbol);
}

}  // namespace

std::string_view unit_symbol(Unit unit) {
  switch (unit) {
    case Unit::flop_per_s: return "FLOP/s";
    case Unit::op_per_s: return "op/s";
    case Unit::byte_per_s: return "B/s";
    case Unit::byte: return "B";
    case Unit::second: return "s";
    case Unit::hertz: return "Hz";
    case Unit::watt: return "W";
    case Unit::joule: return "J";
    case Unit::flop_per_joule: return "FLOP/J";
    case Unit::op_per_joule: return "op/J";
    case Unit::byte_per_joule: return "B/J";
    case Unit::kelvin: return "K";
    case Unit::ratio: return "1";
  }
  return "?";
}

std::optional<Unit> unit_from_symbol(std::string_view symbol) {
  for (Unit u : {Unit::flop_per_s, Unit::op_per_s, Unit::byte_per_s, Unit::byte, Unit::second, Unit::hertz,
                 Unit::watt, Unit::joule, Unit::flop_per_joule, Unit::op_per_joule, Unit::byte_per_joule,
                 Unit::kelvin, Unit::ratio})
    if (unit_symbol(u) == symbol) return u;
  return std::nullopt;
}

std::string_view unit_description(Unit unit) {
  switch (unit) {
    case Unit::flop_per_s: return "a compute rate (e.g. '989 TFLOP/s')";
    case Unit::op_per_s: return "an operation rate (e.g. '1979 TOP/s' or '1.5 MIOPS')";
    case Unit::byte_per_s: return "a bandwidth (e.g. '3.35 TB/s' or '400 Gb/s')";
    case Unit::byte: return "a size (e.g. '64 GiB')";
    case Unit::second: return "a duration (e.g. '500 ms')";
    case Unit::hertz: return "a frequency (e.g. '2.4 GHz')";
    case Unit::watt: return "a power (e.g. '700 W')";
    case Unit::joule: return "an energy (e.g. '3.6 MJ')";
    case Unit::flop_per_joule: return "a compute efficiency (e.g. '50 GFLOP/J', the same as GFLOP/s per W)";
    case Unit::op_per_joule: return "an operation efficiency (e.g. '2 TOP/J')";
    case Unit::byte_per_joule: return "a data-movement efficiency (e.g. '1.5 GB/J')";
    case Unit::kelvin: return "a temperature in kelvin (e.g. '358 K', 85 \xC2\xB0" "C)";
    case Unit::ratio: return "a ratio (e.g. '0.9' or '90%')";
  }
  return "a figure";
}

Expected<Quantity> parse_quantity(std::string_view text) {
  bool unit_error = false;
  auto raw = parse_raw(text, kAnyFigure, unit_error);
  if (!raw) return raw.error();
  return finish(text, *raw, raw->unit.value_or(Unit::ratio));
}

Expected<Quantity> parse_quantity_as(std::string_view text, Unit expected) {
  bool unit_error = false;
  auto raw = parse_raw(text, unit_description(expected), unit_error);
  if (!raw) {
    if (!unit_error) return raw.error();
    return bad_input("expected " + std::string(unit_description(expected)) + ": " + raw.error().message);
  }
  if (raw->unit && *raw->unit != expected)
    return bad_input("expected " + std::string(unit_description(expected)) + " but " + quoted(trim(text)) +
                     " is " + std::string(unit_noun(*raw->unit)));
  return finish(text, *raw, expected);
}

std::string format_quantity(double value, Unit unit, int significant) {
  significant = std::clamp(significant, 1, 17);
  const std::string_view symbol = unit_symbol(unit);
  if (std::isnan(value)) return unit == Unit::ratio ? "NaN" : "NaN " + std::string(symbol);
  if (std::isinf(value)) {
    const std::string inf = value < 0 ? "-inf" : "inf";
    return unit == Unit::ratio ? inf : inf + " " + std::string(symbol);
  }
  switch (unit) {
    case Unit::ratio: {
      const double magnitude = std::fabs(value);
      // Very large or tiny ratios read better in exponent form than as 20 digits.
      if (magnitude != 0 && (magnitude >= 1e15 || magnitude < 1e-6))
        return fmt::format("{:.{}g}", value, significant);
      return plain_number(value, significant);
    }
    case Unit::byte: return with_steps(value, symbol, significant, kBinarySteps, 1024.0);
    // Temperatures take no prefix: "358.1 K", never "0.3581 kK".
    case Unit::kelvin: return plain_number(value, significant) + " K";
    case Unit::second: return with_steps(value, symbol, significant, kSecondSteps, 1000.0);
    default: return with_steps(value, symbol, significant, kDecimalSteps, 1000.0);
  }
}

}  // namespace assay
