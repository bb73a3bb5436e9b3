#include "suites/bundle_verify_compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace assay::verify_detail {
namespace {

// Enough differences to say what is wrong; a rewritten sample array could give thousands.
constexpr std::size_t kMaxDifferences = 64;

std::string join_path(const std::string& path, const std::string& member) {
  return path.empty() ? member : path + "." + member;
}

void collect(const Json& recorded, const Json& rederived, const std::string& path, std::vector<JsonDifference>& out) {
  if (out.size() >= kMaxDifferences) return;
  if (recorded.is_object() && rederived.is_object()) {
    for (const auto& [key, value] : recorded.items()) {
      const auto other = rederived.find(key);
      if (other == rederived.end()) {
        out.push_back({join_path(path, key), &value, nullptr});
      } else {
        collect(value, *other, join_path(path, key), out);
      }
    }
    for (const auto& [key, value] : rederived.items()) {
      if (!recorded.contains(key)) out.push_back({join_path(path, key), nullptr, &value});
    }
    return;
  }
  if (recorded.is_array() && rederived.is_array()) {
    const std::size_t common = std::min(recorded.size(), rederived.size());
    for (std::size_t i = 0; i < common; ++i) {
      collect(recorded[i], rederived[i], fmt::format("{}[{}]", path, i), out);
    }
    for (std::size_t i = common; i < recorded.size() && out.size() < kMaxDifferences; ++i) {
      out.push_back({fmt::format("{}[{}]", path, i), &recorded[i], nullptr});
    }
    for (std::size_t i = common; i < rederived.size() && out.size() < kMaxDifferences; ++i) {
      out.push_back({fmt::format("{}[{}]", path, i), nullptr, &rederived[i]});
    }
    return;
  }
  if (recorded.is_number() && rederived.is_number()) {
    if (!numbers_agree(recorded.get<double>(), rederived.get<double>())) out.push_back({path, &recorded, &rederived});
    return;
  }
  if (recorded != rederived) out.push_back({path, &recorded, &rederived});
}

// A number with as many digits as it takes to tell it from `other` (6 at least), so
// that a difference in the 9th digit shows as one.
std::string number_text(double value, const Json* other) {
  int precision = 6;
  if (other && other->is_number()) {
    const double b = other->get<double>();
    while (precision < 17 && fmt::format("{:.{}g}", value, precision) == fmt::format("{:.{}g}", b, precision)) {
      ++precision;
    }
  }
  return fmt::format("{:.{}g}", value, precision);
}

std::string value_text(const Json* value, const Json* other) {
  if (!value) return "(absent)";
  if (value->is_number_float()) return number_text(value->get<double>(), other);
  if (value->is_string()) {
    const auto& s = value->get_ref<const std::string&>();
    // Single words (statuses, units, names) read better bare.
    if (!s.empty() && s.find_first_of(" \t\",;") == std::string::npos) return s;
    return value->dump();
  }
  std::string text = value->dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

}  // namespace

bool numbers_agree(double recorded, double rederived) {
  if (recorded == rederived) return true;
  if (!std::isfinite(recorded) || !std::isfinite(rederived)) return false;
  return std::fabs(recorded - rederived) <=
         verify_relative_tolerance * std::max(std::fabs(recorded), std::fabs(rederived));
}

std::vector<JsonDifference> json_differences(const Json& recorded, const Json& rederived) {
  std::vector<JsonDifference> out;
  collect(recorded, rederived, "", out);
  return out;
}

std::string describe_differences(const std::vector<JsonDifference>& differences, const std::string& recorded_label,
                                 const std::string& rederived_label, std::size_t max_shown) {
  std::string text;
  const std::size_t shown = std::min(max_shown, differences.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const JsonDifference& d = differences[i];
    if (!text.empty()) text += "; ";
    if (!d.path.empty()) text += d.path + " ";
    text += fmt::format("{} {}, {} {}", recorded_label, value_text(d.recorded, d.rederived), rederived_label,
                        value_text(d.rederived, d.recorded));
  }
  if (differences.size() > shown) {
    text += fmt::format("; and {}{} more", differences.size() - shown,
                        differences.size() >= kMaxDifferences ? " or" : "");
  }
  return text;
}

void check_recorded_figures(const Json& raw_result, const ProbeResult& derived, const std::string& file,
                            const std::string& where, VerifyReport& report) {
  const auto metrics = raw_result.find("metrics");
  if (metrics == raw_result.end() || !metrics->is_array()) return;
  for (std::size_t i = 0; i < metrics->size() && i < derived.metrics.size(); ++i) {
    const Json& raw = (*metrics)[i];
    const Metric& metric = derived.metrics[i];
    const Json expected = to_json(metric);
    Json recorded_figures = Json::object();
    Json derived_figures = Json::object();
    for (const char* field : {"value", "stats"}) {
      if (raw.contains(field)) recorded_figures[field] = raw[field];
      derived_figures[field] = expected[field];
    }
    ++report.figures_checked;
    const auto differences = json_differences(recorded_figures, derived_figures);
    if (differences.empty()) {
      ++report.figures_agree;
      continue;
    }
    const std::string name = metric.subject.empty() ? metric.key : fmt::format("{} [{}]", metric.key, metric.subject);
    report.findings.push_back({VerifyFindingKind::figure, file,
                               fmt::format("{}: {} {}", where, name,
                                           describe_differences(differences, "recorded",
                                                                "re-derived from its samples"))});
  }
}

std::size_t compare_keyed(const Json& recorded, const Json& rederived,
                          const std::function<std::string(const Json&)>& identity,
                          const std::function<std::string(const Json&)>& describe, const std::string& file,
                          VerifyFindingKind kind, VerifyReport& report) {
  std::map<std::string, std::vector<std::size_t>> unmatched;  // identity -> rederived indices, in order
  for (std::size_t i = 0; i < rederived.size(); ++i) unmatched[identity(rederived[i])].push_back(i);
  std::vector<bool> used(rederived.size(), false);
  std::size_t agree = 0;
  for (const auto& entry : recorded) {
    auto& candidates = unmatched[identity(entry)];
    if (candidates.empty()) {
      report.findings.push_back({kind, file, fmt::format("{}: {} is recorded but not re-derived", file, describe(entry))});
      continue;
    }
    const std::size_t j = candidates.front();
    candidates.erase(candidates.begin());
    used[j] = true;
    const auto differences = json_differences(entry, rederived[j]);
    if (differences.empty()) {
      ++agree;
    } else {
      report.findings.push_back({kind, file,
                                 fmt::format("{}: {}: {}", file, describe(entry),
                                             describe_differences(differences, "recorded", "re-derived"))});
    }
  }
  for (std::size_t j = 0; j < rederived.size(); ++j) {
    if (used[j]) continue;
    report.findings.push_back(
        {kind, file, fmt::format("{}: {} is re-derived but not recorded", file, describe(rederived[j]))});
  }
  return agree;
}

}  // namespace assay::verify_detail
