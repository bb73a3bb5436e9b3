#include "suites/fleet_judgement.h"

#include <cmath>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "suites/catalog.h"
#include "suites/fleet_stats.h"

namespace assay {
namespace {

// One value of a group: which result and metric it comes from.
struct Entry {
  const ProbeResult* result = nullptr;
  const Metric* metric = nullptr;
  std::string subject;
  std::string scope;  // FleetStat::scope
};

// A GPU's health record (idle clocks, temperature, error counts) says whether that GPU
// is sound, judged against fixed limits; spread across nodes means nothing there.
bool judged_by_fleet(const Metric& m) { return !m.key.starts_with("gpu.health."); }

// Power figures form a group per probe and domain; every other key is one group.
std::string scope_of(const ProbeResult& r, const Metric& m, const std::string& subject) {
  return metric_family(m.key) == "power" ? fmt::format("{} during {}", subject, r.probe) : std::string();
}

std::string origin_text(const EffectiveCriterion& c) {
  return c.fleet_origin == "default" ? "" : fmt::format(" [criteria \"{}\"]", c.fleet_origin);
}

std::string group_text(std::size_t n, std::size_t nodes) {
  return n == nodes ? fmt::format("{} nodes", nodes) : fmt::format("{} entries on {} nodes", n, nodes);
}

Verdict spread_verdict(const FleetStat& stat, const EffectiveCriterion& c) {
  Verdict v;
  v.node = std::string(fleet_node);
  v.subject = stat.scope.empty() ? group_text(stat.n, stat.nodes)
                                  : fmt::format("{}: {}", stat.scope, group_text(stat.n, stat.nodes));
  v.key = stat.key;
  v.unit = Unit::ratio;
  v.measured = stat.cv;
  v.rated = c.fleet_max_cv;
  v.ratio = stat.cv / c.fleet_max_cv;
  v.status = stat.cv <= c.fleet_max_cv ? VerdictStatus::pass : VerdictStatus::fail;
  v.criterion = fmt::format("across-node cv <= {:g}{}", c.fleet_max_cv, origin_text(c));
  v.source = c.fleet_origin == "default" ? "plan [criteria] fleet_max_cv"
                                         : fmt::format("plan [criteria] \"{}\"", c.fleet_origin);
  v.message = fmt::format("cv {:.2f}% across {}: median {}, from {} to {}", stat.cv * 100.0,
                          group_text(stat.n, stat.nodes), format_quantity(stat.median, stat.unit),
                          format_quantity(stat.min, stat.unit), format_quantity(stat.max, stat.unit));
  return v;
}

Verdict outlier_verdict(const Entry& e, const FleetStat& stat, const GroupSpread& spread,
                        const EffectiveCriterion& c) {
  const Metric& m = *e.metric;
  const bool higher = stat.better == Better::higher;
  const double limit = *spread.outlier_limit;
  Verdict v;
  v.node = e.result->node;
  v.subject = e.scope.empty() ? e.subject : e.scope;
  v.key = stat.key;
  v.unit = stat.unit;
  v.measured = m.value;
  v.rated = stat.median;
  v.ratio = stat.median != 0 ? m.value / stat.median : 0.0;
  v.status = VerdictStatus::fail;
  v.criterion = fmt::format("within {:g} MADs of the fleet median {} ({} {}){}", c.fleet_outlier_mads,
                            format_quantity(stat.median, stat.unit), higher ? ">=" : "<=",
                            format_quantity(limit, stat.unit), origin_text(c));
  v.source = fmt::format("fleet median of {}", group_text(stat.n, stat.nodes));
  const std::string side = higher ? "below" : "above";
  v.message = fmt::format("{} is {:.1f}% of the fleet median {}", format_quantity(m.value, m.unit),
                          *v.ratio * 100.0, format_quantity(stat.median, stat.unit));
  if (spread.outlier_unit > 0) {
    v.message += fmt::format(", {:.1f} MADs {} it", std::fabs(m.value - stat.median) / spread.outlier_unit, side);
  }
  // As for rated figures: when the entry's own median interval reaches the limit, its
  // repetitions cannot tell an outlier from a node in line with the fleet.
  const auto& s = m.stats;
  if (m.rule == ValueRule::median && s.n >= 2 &&
      (higher ? s.median_ci_high >= limit : s.median_ci_low <= limit)) {
    v.inconclusive = true;
    v.status = VerdictStatus::warn;
    v.message += fmt::format(
        "; inconclusive: the {:.0f}% confidence interval of its median [{}, {}] reaches the limit {}; "
        "rerun with more repetitions",
        s.median_ci_level * 100.0, format_quantity(s.median_ci_low, m.unit),
        format_quantity(s.median_ci_high, m.unit), format_quantity(limit, m.unit));
  }
  return v;
}

}  // namespace

FleetJudgement judge_fleet(const Plan& plan, std::span<const ProbeResult> results) {
  std::map<std::string, std::vector<Entry>> groups;  // sorted by key
  for (const auto& r : results) {
    if (r.status != ProbeStatus::ok) continue;
    for (const auto& m : r.metrics) {
      if (m.samples.empty() || !std::isfinite(m.value) || !judged_by_fleet(m)) continue;
      const std::string subject = m.subject.empty() ? r.subject : m.subject;
      const std::string scope = scope_of(r, m, subject);
      auto& group = groups[scope.empty() ? m.key : m.key + " " + scope];
      // One key has one unit and direction; an entry that disagrees cannot be compared.
      if (!group.empty() && (group.front().metric->unit != m.unit || group.front().metric->better != m.better)) {
        continue;
      }
      group.push_back({&r, &m, subject, scope});
    }
  }

  FleetJudgement out;
  for (const auto& [group_id, entries] : groups) {
    const std::string& key = entries.front().metric->key;
    std::set<std::string> nodes;
    std::vector<double> values;
    for (const auto& e : entries) {
      nodes.insert(e.result->node);
      values.push_back(e.metric->value);
    }
    if (nodes.size() < 2) continue;
    const EffectiveCriterion c = plan.criterion_for(key);
    const Metric& first = *entries.front().metric;
    const GroupSpread spread = group_spread(values, first.better, c.fleet_outlier_mads);

    FleetStat stat;
    stat.key = key;
    stat.scope = entries.front().scope;
    stat.unit = first.unit;
    stat.better = first.better;
    stat.n = spread.n;
    stat.nodes = nodes.size();
    stat.median = spread.median;
    stat.mean = spread.mean;
    stat.min = spread.min;
    stat.max = spread.max;
    stat.cv = spread.cv;
    stat.mad = spread.mad;
    stat.outlier_limit = spread.outlier_limit;
    for (std::size_t i : spread.outliers) {
      stat.outliers.push_back({entries[i].result->node, entries[i].subject, values[i]});
    }
    out.verdicts.push_back(spread_verdict(stat, c));
    for (std::size_t i : spread.outliers) out.verdicts.push_back(outlier_verdict(entries[i], stat, spread, c));
    out.stats.push_back(std::move(stat));
  }
  return out;
}

}  // namespace assay
