#include "probes/power/pue.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/iso_time.h"

namespace assay {
namespace {

using Clock = std::chrono::system_clock;

constexpr double kSecondsPerDay = 86400.0;
constexpr double kAnnualDays = 365.0;

std::string span_text(Clock::time_point from, Clock::time_point to) {
  return fmt::format("{} .. {}", iso_utc(from), iso_utc(to));
}

}  // namespace

std::optional<PueCategory> pue_category_from_text(std::string_view text) {
  if (text == "ups-output" || text == "pue1") return PueCategory::pue1;
  if (text == "pdu-output" || text == "pue2") return PueCategory::pue2;
  if (text == "it-input" || text == "pue3") return PueCategory::pue3;
  return std::nullopt;
}

std::string_view pue_category_word(PueCategory category) {
  switch (category) {
    case PueCategory::pue1: return "ups-output";
    case PueCategory::pue2: return "pdu-output";
    case PueCategory::pue3: return "it-input";
  }
  return "ups-output";
}

std::string pue_category_description(PueCategory category) {
  switch (category) {
    case PueCategory::pue1: return "category 1 (PUE1, ISO/IEC 30134-2): IT energy metered at the UPS outputs";
    case PueCategory::pue2: return "category 2 (PUE2, ISO/IEC 30134-2): IT energy metered at the PDU outputs";
    case PueCategory::pue3: return "category 3 (PUE3, ISO/IEC 30134-2): IT energy metered at the IT equipment's inputs";
  }
  return {};
}

Expected<PueFigure> compute_pue(const MeterLog& facility, const MeterLog& it, PueCategory category,
                                std::chrono::seconds shortest, std::chrono::seconds max_gap) {
  if (facility.rows.size() < 2 || it.rows.size() < 2) return bad_input("PUE: each meter log needs two rows or more");
  const auto from = std::max(facility.rows.front().at, it.rows.front().at);
  const auto to = std::min(facility.rows.back().at, it.rows.back().at);
  const auto periods = fmt::format("{} covers {}, {} covers {}", facility.file,
                                   span_text(facility.rows.front().at, facility.rows.back().at), it.file,
                                   span_text(it.rows.front().at, it.rows.back().at));
  if (!(from < to)) return bad_input("PUE: the facility and IT meter logs do not overlap: " + periods);
  if (to - from < shortest) {
    return bad_input(fmt::format("PUE: the logs overlap for {:.0f} s only, less than {} s: {}",
                                 std::chrono::duration<double>(to - from).count(), shortest.count(), periods));
  }
  auto facility_window = meter_window(facility, from, to, max_gap);
  if (!facility_window) return bad_input("PUE: " + facility_window.error().message);
  auto it_window = meter_window(it, from, to, max_gap);
  if (!it_window) return bad_input("PUE: " + it_window.error().message);
  if (it_window->energy_joules <= 0) return bad_input(fmt::format("PUE: {} shows no IT energy over {}", it.file, span_text(from, to)));

  PueFigure figure;
  figure.facility_energy_joules = facility_window->energy_joules;
  figure.it_energy_joules = it_window->energy_joules;
  figure.pue = figure.facility_energy_joules / figure.it_energy_joules;
  if (figure.pue < 1.0) {
    return bad_input(fmt::format("PUE: {:.3f} is below 1, which no facility can reach: facility {} ({:.4g} J) and IT "
                                 "{} ({:.4g} J) are probably swapped or cover different equipment",
                                 figure.pue, facility.file, figure.facility_energy_joules, it.file,
                                 figure.it_energy_joules));
  }
  figure.from = from;
  figure.to = to;
  figure.period_seconds = std::chrono::duration<double>(to - from).count();
  figure.category = category;
  const double days = figure.period_seconds / kSecondsPerDay;
  figure.annual = days >= kAnnualDays;
  figure.period_text = figure.annual
      ? fmt::format("annual, {} ({:.1f} days)", span_text(from, to), days)
      : fmt::format("over {:.1f} days ({}), not an annual PUE: ISO/IEC 30134-2 reports PUE over 12 months",
                    days, span_text(from, to));
  return figure;
}

}  // namespace assay
