#include "suites/plan_criteria.h"

#include <algorithm>
#include <climits>
#include <optional>

#include "core/params.h"
#include "core/text_match.h"

namespace assay {
namespace {

const std::vector<std::string> criteria_keys = {"min_fraction", "warn_fraction", "fleet_max_cv",
                                                "fleet_outlier_mads"};
const std::vector<std::string> rule_keys = {"min_fraction", "warn_fraction", "fleet_max_cv",
                                            "fleet_outlier_mads"};

constexpr std::string_view max_cv_expected = "a coefficient of variation in (0, 1], e.g. 0.05";
constexpr std::string_view outlier_mads_expected =
    "a number of median absolute deviations above 0, e.g. 3";
constexpr double max_cv_limit = 1.0;
constexpr double outlier_mads_limit = 1e3;

// A fraction of the rated figure; above 1 is allowed for contracts that promise more
// than the datasheet (and for lower-is-better figures judged by the inverse).
constexpr double max_fraction = 2.0;

bool is_criteria_pattern(std::string_view pattern) {
  if (is_metric_key(pattern)) return true;
  if (!pattern.ends_with(".*")) return false;
  const auto prefix = pattern.substr(0, pattern.size() - 2);
  // "gpu.*" and "gpu.gemm.*": the prefix with made-up parts must form a key.
  std::string probe_key(prefix);
  probe_key += std::count(prefix.begin(), prefix.end(), '.') == 0 ? ".x.x" : ".x";
  return is_metric_key(probe_key);
}

class CriteriaReader {
 public:
  CriteriaReader(const std::vector<std::string>& known_keys, const std::string& file,
                 Criteria& criteria, TomlIssues& issues)
      : known_keys_(known_keys), file_(file), criteria_(criteria), issues_(issues) {}

  void read(const toml::table& table) {
    const toml::node* warn_node = nullptr;
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      const std::string what = "[criteria] " + name;
      if (report_unquoted_metric_key(key, node, "[criteria]",
                                     "\"gpu.gemm.fp8\" = { min_fraction = 0.80 }", issues_)) {
        continue;
      }
      if (name == "min_fraction") {
        if (auto v = fraction(node, what)) criteria_.min_fraction = *v;
      } else if (name == "warn_fraction") {
        warn_node = &node;
        if (auto v = fraction(node, what)) criteria_.warn_fraction = *v;
      } else if (name == "fleet_max_cv") {
        if (auto v = positive(node, what, max_cv_limit, max_cv_expected)) criteria_.fleet_max_cv = *v;
      } else if (name == "fleet_outlier_mads") {
        if (auto v = positive(node, what, outlier_mads_limit, outlier_mads_expected)) {
          criteria_.fleet_outlier_mads = *v;
        }
      } else if (name.find('.') != std::string::npos) {
        read_rule(key, node);
      } else {
        report_unknown_key(key, "[criteria]", criteria_keys, issues_,
                           "or a rule, a quoted key such as \"gpu.gemm.fp8\" or \"memory.*\"");
      }
    }
    if (warn_node && criteria_.warn_fraction && *criteria_.warn_fraction < criteria_.min_fraction) {
      issues_.add(warn_node->source(), "[criteria] warn_fraction: expected at least min_fraction (" +
                                           param_value_text(criteria_.min_fraction) + "), got " +
                                           param_value_text(*criteria_.warn_fraction));
    }
  }

 private:
  std::optional<double> fraction(const toml::node& node, const std::string& what) {
    auto v = read_number(node, what, issues_);
    if (!v) return std::nullopt;
    if (!(*v > 0 && *v <= max_fraction)) {
      issues_.add(node.source(), what + ": expected a fraction of the rated figure in (0, 2], e.g. "
                                        "0.90, got " + param_value_text(*v));
      return std::nullopt;
    }
    return v;
  }

  std::optional<double> positive(const toml::node& node, const std::string& what, double max,
                                 std::string_view expected) {
    auto v = read_number(node, what, issues_);
    if (!v) return std::nullopt;
    if (!(*v > 0 && *v <= max)) {
      issues_.add(node.source(), what + ": expected " + std::string(expected) + ", got " +
                                     param_value_text(*v));
      return std::nullopt;
    }
    return v;
  }

  bool is_known(std::string_view key) const {
    return std::find(known_keys_.begin(), known_keys_.end(), key) != known_keys_.end();
  }

  bool matches_known_key(std::string_view pattern) const {
    return std::any_of(known_keys_.begin(), known_keys_.end(), [&](const std::string& k) {
      return criterion_match_rank(pattern, k) >= 0;
    });
  }

  void read_rule(const toml::key& key, const toml::node& node) {
    const std::string pattern(key.str());
    const std::string what = "[criteria] " + toml_quote(pattern);
    // A key a probe emits is a metric key whatever its shape (cpu.clock has two parts).
    if (!is_criteria_pattern(pattern) && !is_known(pattern)) {
      issues_.add(key.source(), what + ": expected a metric key (\"gpu.gemm.fp8\") or a pattern "
                                       "(\"gpu.*\", \"gpu.gemm.*\")");
      return;
    }
    const auto* table = node.as_table();
    if (!table) {
      issues_.add(node.source(), what + ": expected a table such as { min_fraction = 0.80 }, got " +
                                     std::string(toml_type_phrase(node)));
      return;
    }
    CriterionRule rule;
    rule.pattern = pattern;
    rule.position = {file_, key.source().begin.line, key.source().begin.column};
    for (auto&& [k, v] : *table) {
      const std::string field = what + " " + std::string(k.str());
      if (k.str() == "min_fraction") {
        rule.min_fraction = fraction(v, field);
      } else if (k.str() == "warn_fraction") {
        rule.warn_fraction = fraction(v, field);
      } else if (k.str() == "fleet_max_cv") {
        rule.fleet_max_cv = positive(v, field, max_cv_limit, max_cv_expected);
      } else if (k.str() == "fleet_outlier_mads") {
        rule.fleet_outlier_mads = positive(v, field, outlier_mads_limit, outlier_mads_expected);
      } else {
        report_unknown_key(k, what, rule_keys, issues_);
        return;
      }
    }
    if (!rule.min_fraction && !rule.warn_fraction && !rule.fleet_max_cv && !rule.fleet_outlier_mads) {
      if (table->empty()) {
        issues_.add(node.source(), what + ": expected min_fraction and/or warn_fraction (or "
                                          "fleet_max_cv, fleet_outlier_mads)");
      }
      return;
    }
    if (rule.min_fraction && rule.warn_fraction && *rule.warn_fraction < *rule.min_fraction) {
      issues_.add(node.source(), what + ": warn_fraction (" + param_value_text(*rule.warn_fraction) +
                                     ") must be at least min_fraction (" +
                                     param_value_text(*rule.min_fraction) + ")");
      return;
    }
    if (!matches_known_key(pattern)) {
      issues_.add(key.source(), what + ": matches no metric any probe emits or the catalog rates" +
                                    did_you_mean(pattern, known_keys_));
      return;
    }
    criteria_.rules.push_back(std::move(rule));
  }

  const std::vector<std::string>& known_keys_;
  const std::string& file_;
  Criteria& criteria_;
  TomlIssues& issues_;
};

}  // namespace

int criterion_match_rank(std::string_view pattern, std::string_view key) {
  if (pattern == key) return INT_MAX;
  if (!pattern.ends_with(".*")) return -1;
  const auto prefix = pattern.substr(0, pattern.size() - 1);  // keeps the dot
  if (!key.starts_with(prefix)) return -1;
  return static_cast<int>(std::count(prefix.begin(), prefix.end(), '.'));
}

void read_criteria(const toml::table& table, const std::vector<std::string>& known_keys,
                   const std::string& file, Criteria& criteria, TomlIssues& issues) {
  CriteriaReader(known_keys, file, criteria, issues).read(table);
}

EffectiveCriterion Plan::criterion_for(std::string_view key) const {
  // Each threshold comes from the most specific rule that sets it, so "gpu.*" can set a
  // WARN band that "gpu.gemm.fp8" = { min_fraction = 0.8 } keeps.
  // The origin names the most specific rule that set a figure of its kind, so a rule
  // that only sets fleet_max_cv does not appear in the min_fraction criterion's text.
  const CriterionRule* best = nullptr;
  const CriterionRule* best_min = nullptr;
  const CriterionRule* best_warn = nullptr;
  const CriterionRule* best_fleet = nullptr;
  const CriterionRule* best_cv = nullptr;
  const CriterionRule* best_mads = nullptr;
  int rank = -1, rank_min = -1, rank_warn = -1, rank_fleet = -1, rank_cv = -1, rank_mads = -1;
  for (const auto& rule : criteria.rules) {
    const int r = criterion_match_rank(rule.pattern, key);
    if (r < 0) continue;
    if ((rule.min_fraction || rule.warn_fraction) && r > rank) best = &rule, rank = r;
    if (rule.min_fraction && r > rank_min) best_min = &rule, rank_min = r;
    if (rule.warn_fraction && r > rank_warn) best_warn = &rule, rank_warn = r;
    if ((rule.fleet_max_cv || rule.fleet_outlier_mads) && r > rank_fleet) best_fleet = &rule, rank_fleet = r;
    if (rule.fleet_max_cv && r > rank_cv) best_cv = &rule, rank_cv = r;
    if (rule.fleet_outlier_mads && r > rank_mads) best_mads = &rule, rank_mads = r;
  }
  EffectiveCriterion c;
  c.min_fraction = best_min ? *best_min->min_fraction : criteria.min_fraction;
  c.warn_fraction = best_warn ? *best_warn->warn_fraction
                              : criteria.warn_fraction.value_or(c.min_fraction);
  // A WARN line below the FAIL line means no WARN band.
  c.warn_fraction = std::max(c.warn_fraction, c.min_fraction);
  c.origin = best ? best->pattern : "default";
  c.fleet_max_cv = best_cv ? *best_cv->fleet_max_cv : criteria.fleet_max_cv;
  c.fleet_outlier_mads = best_mads ? *best_mads->fleet_outlier_mads : criteria.fleet_outlier_mads;
  c.fleet_origin = best_fleet ? best_fleet->pattern : "default";
  return c;
}

}  // namespace assay
