#pragma once
// "Did you mean ...?" for commands, probes, catalog ids and plan keys.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace assay {

/// Levenshtein distance between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Up to `max` candidates close to `name` (distance at most a third of its length,
/// at least 2), nearest first.
std::vector<std::string> closest_names(std::string_view name, std::span<const std::string> candidates,
                                       std::size_t max = 3);

/// " (did you mean 'x' or 'y'?)" or empty.
std::string did_you_mean(std::string_view name, std::span<const std::string> candidates);

}  // namespace assay
