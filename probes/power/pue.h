#pragma once
// Power usage effectiveness by ISO/IEC 30134-2: PUE = total facility energy / IT
// equipment energy over the same period, from two meter logs. The standard's category
// says where the IT energy was metered (the closer to the IT equipment, the more of the
// distribution losses count against the facility), and a PUE is "annual" only over 12
// months; a shorter period is stated as such.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "probes/power/meter_log.h"

namespace assay {

enum class PueCategory {
  pue1,  ///< IT energy at the UPS output
  pue2,  ///< IT energy at the PDU output
  pue3,  ///< IT energy at the IT equipment's input
};

/// "ups-output" | "pdu-output" | "it-input" (the measurement point), or "pue1" |
/// "pue2" | "pue3"; nullopt for anything else.
std::optional<PueCategory> pue_category_from_text(std::string_view text);
/// "ups-output" etc., as plans write it.
std::string_view pue_category_word(PueCategory category);
/// "category 2 (PUE2, ISO/IEC 30134-2): IT energy metered at the PDU outputs".
std::string pue_category_description(PueCategory category);

struct PueFigure {
  double pue = 0;
  double facility_energy_joules = 0;
  double it_energy_joules = 0;
  std::chrono::system_clock::time_point from{}, to{};
  double period_seconds = 0;
  bool annual = false;  ///< the period covers at least 365 days
  PueCategory category = PueCategory::pue1;
  /// "annual, 2025-11-01 .. 2026-11-01" or "over 30.0 days (2026-10-01 .. 2026-10-31),
  /// not an annual PUE: ISO/IEC 30134-2 reports PUE over 12 months".
  std::string period_text;
};

/// PUE over the period both logs cover. Errors (bad_input, naming the files): logs that
/// do not overlap, an overlap shorter than `shortest` (default one hour: a PUE over
/// minutes says nothing about cooling), a gap in a power log, and a PUE below 1 (the
/// logs are swapped or do not cover the same equipment).
Expected<PueFigure> compute_pue(const MeterLog& facility, const MeterLog& it, PueCategory category,
                                std::chrono::seconds shortest = std::chrono::hours(1),
                                std::chrono::seconds max_gap = std::chrono::hours(1));

}  // namespace assay
