#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace assay {

/// "2026-11-22T01:02:03.456Z" (UTC, milliseconds).
std::string iso_utc(std::chrono::system_clock::time_point t);
/// "2026-11-22T010203Z", for directory names.
std::string compact_utc(std::chrono::system_clock::time_point t);
/// Parses what iso_utc() writes (milliseconds optional).
std::optional<std::chrono::system_clock::time_point> parse_iso_utc(std::string_view text);
/// ISO-8601 as meters and PDUs write it: 'T' or a space between date and time, any
/// number of fraction digits, and 'Z' or a UTC offset (+08:00, -0500).
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace assay
