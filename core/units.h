#pragma once
// Figures are stored in base SI units only; prefixes exist when parsing what people
// write ("989 TFLOP/s", "400 Gb/s", "64 GiB") and when printing for people.

#include <optional>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace assay {

/// The base unit of a stored figure. Rates of bits do not exist here: "400 Gb/s" is
/// parsed into byte_per_s (5e10 B/s), so bits and bytes can never be mixed up.
enum class Unit {
  flop_per_s,  ///< "FLOP/s" floating-point operations per second
  op_per_s,    ///< "op/s" other operations per second (integer ops, I/O ops, metadata ops)
  byte_per_s,  ///< "B/s" bytes per second (1 GB/s = 1e9 B/s)
  byte,        ///< "B" bytes
  second,      ///< "s"
  hertz,       ///< "Hz"
  watt,        ///< "W"
  joule,       ///< "J"
  flop_per_joule,  ///< "FLOP/J" energy efficiency of compute (= FLOP/s per W)
  op_per_joule,    ///< "op/J" energy efficiency of other operations (= op/s per W)
  byte_per_joule,  ///< "B/J" energy efficiency of data movement (= B/s per W)
  kelvin,      ///< "K" temperature (85 degrees Celsius = 358.15 K)
  ratio,       ///< "1" dimensionless (fractions, PUE, coefficients of variation)
};

/// The symbol stored in results and plans: "FLOP/s", "op/s", "B/s", "B", "s", "Hz",
/// "W", "J", "FLOP/J", "op/J", "B/J", "K", "1".
std::string_view unit_symbol(Unit unit);

/// The inverse of unit_symbol(); nullopt for anything else.
std::optional<Unit> unit_from_symbol(std::string_view symbol);

/// A phrase for messages: "a compute rate (e.g. '989 TFLOP/s')".
std::string_view unit_description(Unit unit);

/// A figure in base SI units.
struct Quantity {
  double value = 0.0;
  Unit unit = Unit::ratio;
};

/// Parses a figure as plans write it: a number, optional white space, an optional
/// prefix and a unit. Decimal prefixes k M G T P E (and m u n for seconds), binary
/// prefixes Ki Mi Gi Ti Pi for bytes. Temperatures are kelvin without a prefix ("358 K");
/// Celsius is refused with the conversion, since it is not a scale of kelvin.
/// "b"/"bit" are bits and become bytes (/8);
/// "FLOPS" is read as FLOP/s, "%" as a ratio. A bare number is a ratio. Ambiguous or
/// unknown units ("KB", "Mb" for memory size, "furlongs") are errors that say why.
Expected<Quantity> parse_quantity(std::string_view text);

/// parse_quantity() that also requires the figure to be of `expected` unit; a bare
/// number is accepted as already being in that base unit.
Expected<Quantity> parse_quantity_as(std::string_view text, Unit expected);

/// Formats for people with an SI prefix and `significant` digits: "989.5 TFLOP/s",
/// "3.35 TB/s", "1.25 us". Sizes in bytes use binary prefixes ("64 GiB") because
/// memories and files are sized that way; rates use decimal ones.
std::string format_quantity(double value, Unit unit, int significant = 4);
inline std::string format_quantity(const Quantity& q, int significant = 4) {
  return format_quantity(q.value, q.unit, significant);
}

}  // namespace assay
