#pragma once
// External meter logs: the CSV a PDU or a facility energy meter exports, one reading a
// row, "timestamp,value". The timestamp is ISO-8601 with a zone (Z or an offset). An
// optional header names the columns; its second column's name gives the quantity:
//   watts | W | power_w      power in W          kW | power_kw     power in kW
//   J | energy_j             cumulative energy   Wh | energy_wh    kWh | energy_kwh
// Without a header the values are watts. Blank lines and lines starting with # are
// ignored. docs/probes/power.md "Meter logs".

#include <chrono>
#include <string>
#include <vector>

#include "core/expected.h"

namespace assay {

enum class MeterQuantity {
  power,              ///< each row is the power at that instant (W)
  cumulative_energy,  ///< each row is a counter of energy since some origin (J)
};

struct MeterRow {
  std::chrono::system_clock::time_point at;
  double value = 0;       ///< W or J, base SI
  std::size_t line = 0;   ///< 1-based line in the file
};

struct MeterLog {
  std::string file;
  MeterQuantity quantity = MeterQuantity::power;
  std::vector<MeterRow> rows;         ///< in time order
  std::vector<std::string> bad_rows;  ///< "FILE:LINE: what is wrong" (skip policy)
};

/// What a bad row does: refuse the whole log (bad_input listing the rows), or leave it
/// out and list it in MeterLog::bad_rows.
enum class BadRowPolicy { refuse, skip };

/// Reads a meter log. Bad rows: an unreadable timestamp or value, a negative or
/// non-finite value, a wrong number of columns, a time not after the previous row's,
/// a cumulative counter that goes down. Fewer than two good rows is an error.
Expected<MeterLog> read_meter_log(const std::string& path, BadRowPolicy policy);

/// A meter log over a span of wall time.
struct MeterWindow {
  double energy_joules = 0;
  double mean_watts = 0;  ///< energy / span
  double peak_watts = 0;  ///< the highest reading (power logs) or interval power (counters)
  double covered_seconds = 0;
  std::size_t rows = 0;   ///< rows inside the span
};

/// Power logs: the trapezoid integral over [from, to], readings interpolated linearly
/// at the edges. Energy logs: the counter's interpolated difference. Errors name the
/// file: a span the log does not cover (which end, and the log's period), or, in a
/// power log, a gap between two rows inside the span longer than `max_gap` (naming
/// their lines).
Expected<MeterWindow> meter_window(const MeterLog& log, std::chrono::system_clock::time_point from,
                                   std::chrono::system_clock::time_point to,
                                   std::chrono::seconds max_gap = std::chrono::minutes(15));

}  // namespace assay
