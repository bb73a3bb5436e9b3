#include "probes/power/meter_power.h"

#include <filesystem>

namespace assay {
namespace {

double seconds_between(std::chrono::system_clock::time_point a, std::chrono::system_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

Expected<PowerWindow> meter_power_window(const MeterLog& log, std::optional<WallSpan> span) {
  if (log.rows.size() < 2) return bad_input(log.file + ": fewer than two readings");
  const WallSpan whole{log.rows.front().at, log.rows.back().at};
  const WallSpan used = span.value_or(whole);
  auto summary = meter_window(log, used.first, used.second);
  if (!summary) return summary.error();

  DomainWindow d;
  d.source = "meter";
  d.domain = std::filesystem::path(log.file).filename().string();
  d.seconds = seconds_between(used.first, used.second);
  d.energy_joules = summary->energy_joules;
  d.mean_watts = summary->mean_watts;
  d.peak_watts = summary->peak_watts;
  d.from_counter = log.quantity == MeterQuantity::cumulative_energy;
  const MeterRow* previous = nullptr;
  for (const MeterRow& row : log.rows) {
    if (row.at < used.first || row.at > used.second) {
      previous = &row;
      continue;
    }
    const double t = seconds_between(used.first, row.at);
    if (log.quantity == MeterQuantity::power) {
      d.times_s.push_back(t);
      d.watts.push_back(row.value);
    } else if (previous && row.at > previous->at) {
      d.times_s.push_back(t);
      d.watts.push_back((row.value - previous->value) / seconds_between(previous->at, row.at));
    }
    previous = &row;
  }
  PowerWindow window;
  window.seconds = d.seconds;
  window.domains.push_back(std::move(d));
  return window;
}

}  // namespace assay
