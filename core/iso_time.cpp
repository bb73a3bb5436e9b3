#include "core/iso_time.h"

#include <fmt/format.h>

#include <charconv>

namespace assay {
namespace {

using namespace std::chrono;

struct Parts {
  year_month_day date;
  hh_mm_ss<milliseconds> time;
};

// Civil UTC fields from the calendar types of <chrono>: pure arithmetic, so nothing
// shared (unlike gmtime) and correct before 1970 (floor, not truncation).
Parts split(system_clock::time_point t) {
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  return {year_month_day{day}, hh_mm_ss<milliseconds>{ms - day}};
}

// Reads exactly `width` digits at `pos`.
bool digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  const char* first = text.data() + pos;
  for (std::size_t i = 0; i < width; ++i)
    if (first[i] < '0' || first[i] > '9') return false;
  return std::from_chars(first, first + width, out).ec == std::errc{};
}

bool literal(std::string_view text, std::size_t pos, char c) { return pos < text.size() && text[pos] == c; }

}  // namespace

std::string iso_utc(system_clock::time_point t) {
  const auto [date, time] = split(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

std::string compact_utc(system_clock::time_point t) {
  const auto [date, time] = split(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}{:02}{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

namespace {

// ISO-8601 date and time; `lenient` also takes a space for the 'T' and a UTC offset
// (+08:00, -0500) for the 'Z', as meters and PDUs write them.
std::optional<system_clock::time_point> parse_iso(std::string_view text, bool lenient) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const bool separator = literal(text, 10, 'T') || (lenient && literal(text, 10, ' '));
  if (!digits(text, 0, 4, y) || !literal(text, 4, '-') || !digits(text, 5, 2, mo) || !literal(text, 7, '-') ||
      !digits(text, 8, 2, d) || !separator || !digits(text, 11, 2, h) ||
      !literal(text, 13, ':') || !digits(text, 14, 2, mi) || !literal(text, 16, ':') ||
      !digits(text, 17, 2, s))
    return std::nullopt;
  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (literal(text, pos, '.')) {
    ++pos;
    const std::size_t first = pos;
    long long value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - first < 9) value = value * 10 + (text[pos] - '0');
      ++pos;
    }
    const std::size_t count = pos - first;
    if (count == 0) return std::nullopt;
    for (std::size_t i = count; i < 9; ++i) value *= 10;
    fraction = nanoseconds{value};
  }
  minutes offset{0};
  if (literal(text, pos, 'Z') && pos + 1 == text.size()) {
    // UTC
  } else if (lenient && (literal(text, pos, '+') || literal(text, pos, '-'))) {
    const int sign = text[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    const bool colon = literal(text, pos + 3, ':');
    const std::size_t minutes_at = pos + (colon ? 4 : 3);
    if (!digits(text, pos + 1, 2, oh) || !digits(text, minutes_at, 2, om) || minutes_at + 2 != text.size() ||
        oh > 23 || om > 59)
      return std::nullopt;
    offset = sign * (hours{oh} + minutes{om});
  } else {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  // Local time = UTC + offset, so UTC = local time - offset.
  const auto since_epoch =
      sys_days{date}.time_since_epoch() + hours{h} + minutes{mi} + seconds{s} + fraction - offset;
  return system_clock::time_point{duration_cast<system_clock::duration>(since_epoch)};
}

}  // namespace

std::optional<system_clock::time_point> parse_iso_utc(std::string_view text) { return parse_iso(text, false); }

std::optional<system_clock::time_point> parse_iso8601(std::string_view text) { return parse_iso(text, true); }

}  // namespace assay
