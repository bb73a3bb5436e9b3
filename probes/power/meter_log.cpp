#include "probes/power/meter_log.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/iso_time.h"

namespace assay {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::size_t kBadRowsListed = 10;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    const auto comma = line.find(',');
    fields.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

struct Column {
  MeterQuantity quantity;
  double scale;  // into W or J
};

std::optional<Column> column_named(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "watts" || lower == "w" || lower == "power_w") return Column{MeterQuantity::power, 1.0};
  if (lower == "kw" || lower == "power_kw") return Column{MeterQuantity::power, 1e3};
  if (lower == "j" || lower == "energy_j") return Column{MeterQuantity::cumulative_energy, 1.0};
  if (lower == "wh" || lower == "energy_wh") return Column{MeterQuantity::cumulative_energy, 3600.0};
  if (lower == "kwh" || lower == "energy_kwh") return Column{MeterQuantity::cumulative_energy, 3.6e6};
  return std::nullopt;
}

std::optional<double> number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string period_text(const MeterLog& log) {
  return fmt::format("{} .. {}", iso_utc(log.rows.front().at), iso_utc(log.rows.back().at));
}

// The log's value at `t` (inside its period), linear between the rows around it.
double value_at(const MeterLog& log, Clock::time_point t) {
  const auto after = std::lower_bound(log.rows.begin(), log.rows.end(), t,
                                      [](const MeterRow& row, Clock::time_point at) { return row.at < at; });
  if (after == log.rows.begin()) return after->value;
  if (after == log.rows.end()) return log.rows.back().value;
  const auto before = after - 1;
  const double span = seconds_between(before->at, after->at);
  const double f = span > 0 ? seconds_between(before->at, t) / span : 0.0;
  return before->value + f * (after->value - before->value);
}

}  // namespace

Expected<MeterLog> read_meter_log(const std::string& path, BadRowPolicy policy) {
  std::ifstream in(path);
  if (!in) {
    return bad_input(fmt::format("cannot read meter log {}: {}; expected a CSV of timestamp,watts rows", path,
                                 std::strerror(errno)));
  }
  MeterLog log;
  log.file = path;
  Column column{MeterQuantity::power, 1.0};
  std::vector<std::string> bad;
  std::string line;
  bool seen_content = false;
  for (std::size_t number_of_line = 1; std::getline(in, line); ++number_of_line) {
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const auto where = fmt::format("{}:{}", path, number_of_line);
    const auto fields = split_commas(text);
    const bool first = !seen_content;
    seen_content = true;
    if (fields.size() != 2) {
      bad.push_back(fmt::format("{}: {} columns; expected 2 (timestamp,value)", where, fields.size()));
      continue;
    }
    const auto at = parse_iso8601(fields[0]);
    if (!at && first && !number(fields[1])) {
      // A header: its second column says what the values are.
      const auto named = column_named(fields[1]);
      if (!named) {
        return bad_input(fmt::format("{}: unknown value column '{}'; expected watts, W, kW (power) or J, Wh, kWh "
                                     "(cumulative energy)",
                                     where, fields[1]));
      }
      column = *named;
      continue;
    }
    if (!at) {
      bad.push_back(fmt::format("{}: timestamp '{}' is not ISO-8601 with a zone (e.g. 2026-11-22T01:02:03Z or "
                                "2026-11-22 09:02:03+08:00)",
                                where, fields[0]));
      continue;
    }
    const auto value = number(fields[1]);
    if (!value || !std::isfinite(*value) || *value < 0) {
      bad.push_back(fmt::format("{}: value '{}' is not a non-negative number", where, fields[1]));
      continue;
    }
    MeterRow row{*at, *value * column.scale, number_of_line};
    if (!log.rows.empty() && row.at <= log.rows.back().at) {
      bad.push_back(fmt::format("{}: time {} is not after line {}'s", where, fields[0], log.rows.back().line));
      continue;
    }
    if (column.quantity == MeterQuantity::cumulative_energy && !log.rows.empty() && row.value < log.rows.back().value) {
      bad.push_back(fmt::format("{}: the energy counter went down from line {}'s (a meter reset? split the log there)",
                                where, log.rows.back().line));
      continue;
    }
    log.rows.push_back(row);
  }
  log.quantity = column.quantity;
  if (!bad.empty() && policy == BadRowPolicy::refuse) {
    std::string listed;
    for (std::size_t i = 0; i < std::min(bad.size(), kBadRowsListed); ++i) listed += "\n  " + bad[i];
    if (bad.size() > kBadRowsListed) listed += fmt::format("\n  and {} more", bad.size() - kBadRowsListed);
    return bad_input(fmt::format("meter log {}: {} bad row(s) (bad_rows=skip leaves them out):{}", path, bad.size(),
                                 listed));
  }
  log.bad_rows = std::move(bad);
  if (log.rows.size() < 2) {
    return bad_input(fmt::format("meter log {}: {} good row(s); expected at least two timestamp,value rows", path,
                                 log.rows.size()));
  }
  return log;
}

Expected<MeterWindow> meter_window(const MeterLog& log, Clock::time_point from, Clock::time_point to,
                                   std::chrono::seconds max_gap) {
  if (log.rows.size() < 2) return bad_input(fmt::format("meter log {}: fewer than two rows", log.file));
  if (!(from < to)) {
    return internal_error(fmt::format("meter log {}: empty span {} .. {}", log.file, iso_utc(from), iso_utc(to)));
  }
  if (from < log.rows.front().at || to > log.rows.back().at) {
    const bool early = from < log.rows.front().at;
    return environment_error(fmt::format("meter log {} covers {}; the span {} .. {} {} it", log.file, period_text(log),
                                         iso_utc(from), iso_utc(to), early ? "starts before" : "ends after"));
  }
  // The rows the span needs: the one at or before `from` through the one at or after `to`.
  auto first = std::upper_bound(log.rows.begin(), log.rows.end(), from,
                                [](Clock::time_point at, const MeterRow& row) { return at < row.at; });
  if (first != log.rows.begin()) --first;
  auto last = std::lower_bound(log.rows.begin(), log.rows.end(), to,
                               [](const MeterRow& row, Clock::time_point at) { return row.at < at; });
  // An energy counter's difference is exact however far apart its readings are (a
  // facility meter may be read monthly); power readings are interpolated, so a long
  // gap between them would be a guess.
  for (auto it = first; log.quantity == MeterQuantity::power && it != last; ++it) {
    if ((it + 1)->at - it->at > max_gap) {
      return environment_error(fmt::format("meter log {}: {:.0f} s between lines {} and {}, more than the {} s a "
                                           "reading may be apart",
                                           log.file, seconds_between(it->at, (it + 1)->at), it->line, (it + 1)->line,
                                           max_gap.count()));
    }
  }
  // The span's points: its edges interpolated, the rows strictly inside as they are.
  std::vector<std::pair<double, double>> points{{0.0, value_at(log, from)}};
  MeterWindow w;
  for (auto it = first; it <= last; ++it) {
    if (it->at > from && it->at < to) points.emplace_back(seconds_between(from, it->at), it->value);
    if (it->at >= from && it->at <= to) ++w.rows;
  }
  points.emplace_back(seconds_between(from, to), value_at(log, to));
  w.covered_seconds = points.back().first;
  if (log.quantity == MeterQuantity::power) {
    for (std::size_t i = 1; i < points.size(); ++i) {
      w.energy_joules += 0.5 * (points[i].second + points[i - 1].second) * (points[i].first - points[i - 1].first);
    }
    for (const auto& p : points) w.peak_watts = std::max(w.peak_watts, p.second);
  } else {
    w.energy_joules = points.back().second - points.front().second;
    for (std::size_t i = 1; i < points.size(); ++i) {
      const double dt = points[i].first - points[i - 1].first;
      if (dt > 0) w.peak_watts = std::max(w.peak_watts, (points[i].second - points[i - 1].second) / dt);
    }
  }
  w.mean_watts = w.energy_joules / w.covered_seconds;
  return w;
}

}  // namespace assay
