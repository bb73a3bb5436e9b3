#include "suites/verdicts.h"

#include <array>
#include <map>
#include <set>
#include <string_view>

#include <fmt/format.h>

namespace assay {
namespace {

// Where no figure is rated, a CPU metric is compared with the theoretical peak that
// cpu.fma derived on the same node (cores x measured clock x FLOPs/cycle). Only the FMA
// kernels are judged against it: they measure the hardware alone. GEMM goes through a
// BLAS library whose kernels may not use the widest vectors of the CPU (Debian's
// OpenBLAS 0.3.21 runs Haswell kernels on Zen 5), so against a derived peak it is
// shown as a fraction for information; a rated GEMM figure is judged as usual.
struct DerivedRule {
  std::string_view key;
  std::string_view derived_key;
  bool judged;
};
constexpr std::array<DerivedRule, 4> kDerivedRules{{
    {"cpu.fma.fp64", "cpu.fma.fp64_peak_derived", true},
    {"cpu.fma.fp32", "cpu.fma.fp32_peak_derived", true},
    {"cpu.gemm.fp64", "cpu.fma.fp64_peak_derived", false},
    {"cpu.gemm.fp32", "cpu.fma.fp32_peak_derived", false},
}};

bool derived_is_judged(std::string_view key) {
  for (const auto& rule : kDerivedRules) {
    if (rule.key == key) return rule.judged;
  }
  return false;
}

// Each node's derived peaks, found once per judge(): looking them up result by result
// was quadratic (40,000 CPU metrics x 90,000 results at 10,000 nodes, docs/scale.md).
class DerivedPeaks {
 public:
  // Per node and derived key, the metric of the node's first ok result that has it.
  explicit DerivedPeaks(std::span<const ProbeResult> results) {
    for (const auto& r : results) {
      if (r.status != ProbeStatus::ok) continue;
      for (const auto& rule : kDerivedRules) {
        const auto id = std::pair(std::string_view(r.node), rule.derived_key);
        if (peaks_.contains(id)) continue;
        if (const Metric* m = find_metric(r, rule.derived_key)) peaks_.emplace(id, m);
      }
    }
  }

  std::optional<RatedValue> rated(std::string_view key, const std::string& node) const {
    for (const auto& rule : kDerivedRules) {
      if (rule.key != key) continue;
      const auto it = peaks_.find(std::pair(std::string_view(node), rule.derived_key));
      if (it == peaks_.end()) continue;
      const Metric* m = it->second;
      RatedValue v;
      v.key = std::string(key);
      v.quantity = {m->value, m->unit};
      v.source = fmt::format("derived on {} ({})", node, rule.derived_key);
      v.basis = m->note;
      v.derived = true;
      return v;
    }
    return std::nullopt;
  }

 private:
  std::map<std::pair<std::string_view, std::string_view>, const Metric*> peaks_;  // views into `results`
};

std::string fraction_text(double f) { return fmt::format("{:.2f}", f); }

// Counts of things that must not be, judged against their limit without a rated figure.
// A probe that finds several subjects failing (gpu.health: one count per GPU) thus gives
// one FAIL per subject, naming it, with the findings in the metric's note; the probe's
// result itself stays ok, because the measurement worked.
struct ImpliedLimit {
  std::string_view key;
  double limit;
  std::string_view criterion;
};
constexpr std::array<ImpliedLimit, 1> kImpliedLimits{{
    {"gpu.health.problems", 0,
     "no GPU health problem: uncorrectable ECC errors, failed or pending memory repair, PCIe link below its "
     "maximum, GPU unreachable (docs/probes/gpu.md)"},
}};

const ImpliedLimit* implied_limit(std::string_view key) {
  for (const auto& limit : kImpliedLimits) {
    if (limit.key == key) return &limit;
  }
  return nullptr;
}

// The fields every verdict on a measured metric shares.
Verdict measured_verdict(const Metric& m, const ProbeResult& r, VerdictStatus status) {
  Verdict v;
  v.node = r.node;
  v.subject = m.subject.empty() ? r.subject : m.subject;
  v.key = m.key;
  v.unit = m.unit;
  v.status = status;
  v.measured = m.value;
  return v;
}

bool is_limit(const Metric& m) { return is_limit_key(m.key) && m.better == Better::lower; }

Verdict judge_limit(const Metric& m, const ProbeResult& r, const RatedValue& rated) {
  Verdict v = measured_verdict(m, r, VerdictStatus::pass);
  v.rated = rated.quantity.value;
  v.source = rated.source;
  v.derived = rated.derived;
  v.ratio = rated.quantity.value != 0 ? m.value / rated.quantity.value : 0.0;
  const std::string limit_text = format_quantity(rated.quantity);
  v.criterion = fmt::format("measured <= the limit ({})", limit_text);
  v.status = m.value <= rated.quantity.value ? VerdictStatus::pass : VerdictStatus::fail;
  v.message = fmt::format("{} is {:.1f}% of the limit {}", format_quantity(m.value, m.unit), *v.ratio * 100.0,
                          limit_text);
  return v;
}

Verdict judge_metric(const Metric& m, const ProbeResult& r, const RatedValue& rated,
                     const EffectiveCriterion& criterion) {
  if (is_limit(m)) return judge_limit(m, r, rated);
  Verdict v = measured_verdict(m, r, VerdictStatus::pass);
  v.rated = rated.quantity.value;
  v.source = rated.source;
  v.derived = rated.derived;
  v.ratio = rated.quantity.value != 0 ? m.value / rated.quantity.value : 0.0;
  const std::string what = rated.derived ? "derived peak" : "rated";
  const std::string rated_text = format_quantity(rated.quantity);

  const bool higher = m.better == Better::higher;
  // For lower-is-better figures (latency), the same fraction bounds the inverse ratio.
  const double fail_threshold = higher ? rated.quantity.value * criterion.min_fraction
                                       : rated.quantity.value / criterion.min_fraction;
  const double warn_threshold = higher ? rated.quantity.value * criterion.warn_fraction
                                       : rated.quantity.value / criterion.warn_fraction;
  const auto at_least = [higher](double x, double threshold) {
    return higher ? x >= threshold : x <= threshold;
  };
  v.criterion = higher
      ? fmt::format("measured >= {} x {} ({})", fraction_text(criterion.min_fraction), what, rated_text)
      : fmt::format("measured <= {} / {} ({})", what, fraction_text(criterion.min_fraction), rated_text);
  if (criterion.warn_fraction != criterion.min_fraction) {
    v.criterion += fmt::format(", WARN below {} x {}", fraction_text(criterion.warn_fraction), what);
  }
  if (criterion.origin != "default") v.criterion += fmt::format(" [criteria \"{}\"]", criterion.origin);

  if (at_least(m.value, warn_threshold)) {
    v.status = VerdictStatus::pass;
  } else if (at_least(m.value, fail_threshold)) {
    v.status = VerdictStatus::warn;
  } else {
    v.status = VerdictStatus::fail;
  }
  v.message = fmt::format("{} is {:.1f}% of {} {}", format_quantity(m.value, m.unit),
                          *v.ratio * 100.0, what, rated_text);

  // The median's confidence interval straddling the pass/fail line means more samples
  // are needed to decide; say so instead of guessing. (A best-of value has no such
  // interval; STREAM's rules define the figure.)
  const auto& s = m.stats;
  if (m.rule == ValueRule::median && s.n >= 2 && s.median_ci_low < fail_threshold &&
      fail_threshold < s.median_ci_high) {
    v.inconclusive = true;
    v.status = VerdictStatus::warn;
    v.message += fmt::format(
        "; inconclusive: the {:.0f}% confidence interval of the median [{}, {}] straddles the "
        "threshold {}; rerun with more repetitions",
        s.median_ci_level * 100.0, format_quantity(s.median_ci_low, m.unit),
        format_quantity(s.median_ci_high, m.unit), format_quantity(fail_threshold, m.unit));
  }
  return v;
}

// The finding is the text, not the count: like a failed self-check, the verdict has no
// measured figure, so every report shows its message (the problems) beside the rule.
Verdict judge_implied_limit(const Metric& m, const ProbeResult& r, const ImpliedLimit& limit) {
  Verdict v;
  v.node = r.node;
  v.subject = m.subject.empty() ? r.subject : m.subject;
  v.key = m.key;
  v.unit = m.unit;
  v.status = m.value <= limit.limit ? VerdictStatus::pass : VerdictStatus::fail;
  v.criterion = std::string(limit.criterion);
  v.source = "assay's rule";
  if (v.status == VerdictStatus::pass) {
    v.message = "none found";
  } else {
    v.message = m.note.empty() ? fmt::format("{} found", format_quantity(m.value, m.unit)) : m.note;
  }
  return v;
}

// A figure compared with a derived peak for information only (see kDerivedRules).
Verdict derived_info_verdict(const Metric& m, const ProbeResult& r, const RatedValue& derived) {
  Verdict v = measured_verdict(m, r, VerdictStatus::info);
  v.rated = derived.quantity.value;
  v.ratio = derived.quantity.value != 0 ? m.value / derived.quantity.value : 0.0;
  v.source = derived.source;
  v.derived = true;
  v.criterion = "not judged against a derived peak (no rated figure)";
  v.message = fmt::format("{} is {:.1f}% of the derived peak {}", format_quantity(m.value, m.unit),
                          *v.ratio * 100.0, format_quantity(derived.quantity));
  return v;
}

Verdict info_verdict(const Metric& m, const ProbeResult& r) {
  Verdict v = measured_verdict(m, r, VerdictStatus::info);
  v.criterion = "no rated figure";
  v.message = format_quantity(m.value, m.unit);
  return v;
}

Verdict probe_verdict(const ProbeResult& r) {
  Verdict v;
  v.node = r.node;
  v.subject = r.subject;
  v.key = r.probe;
  if (r.status == ProbeStatus::skipped) {
    v.status = VerdictStatus::skip;
    v.criterion = "probe skipped";
    v.message = r.reason;
  } else if (r.validation.checked && !r.validation.passed) {
    // Wrong answers from the hardware are the worst kind of failure, not an error of the run.
    v.key = r.probe + ".validation";
    v.status = VerdictStatus::fail;
    v.criterion = "the probe's self-check must pass";
    v.message = r.validation.detail.empty() ? r.error : r.validation.detail;
  } else {
    v.status = VerdictStatus::error;
    v.criterion = "probe failed";
    v.message = r.error;
  }
  return v;
}

}  // namespace

std::vector<Verdict> judge(const Plan& plan, const RatedTable& rated,
                           std::span<const ProbeResult> results) {
  std::vector<Verdict> verdicts;
  std::set<std::string> measured_keys;
  const DerivedPeaks derived_peaks(results);
  for (const auto& r : results) {
    if (r.status != ProbeStatus::ok) {
      verdicts.push_back(probe_verdict(r));
      continue;
    }
    for (const auto& m : r.metrics) {
      measured_keys.insert(m.key);
      if (const ImpliedLimit* limit = implied_limit(m.key)) {
        verdicts.push_back(judge_implied_limit(m, r, *limit));
        continue;
      }
      std::optional<RatedValue> figure = rated.find(m.key);
      if (!figure) figure = derived_peaks.rated(m.key, r.node);
      if (figure && figure->quantity.unit == m.unit) {
        verdicts.push_back(figure->derived && !derived_is_judged(m.key)
                               ? derived_info_verdict(m, r, *figure)
                               : judge_metric(m, r, *figure, plan.criterion_for(m.key)));
      } else {
        verdicts.push_back(info_verdict(m, r));
      }
    }
  }
  // A figure the plan itself promises must be measured; the catalog's figures for parts
  // the plan names (e.g. TDP) are only judged where a probe measures them.
  for (const auto& promised : plan.rated) {
    if (promised.from_catalog || measured_keys.count(promised.key)) continue;
    Verdict v;
    v.key = promised.key;
    v.unit = promised.quantity.unit;
    v.rated = promised.quantity.value;
    v.source = promised.source;
    v.status = VerdictStatus::fail;
    v.criterion = "a figure the plan rates must be measured";
    v.message = fmt::format("{} is rated {} ({}) but no probe of the run measured it",
                            promised.key, format_quantity(promised.quantity), promised.source);
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

// Power figures and PUE are rated as limits (a power budget, a GPU's TDP, the
// contracted PUE): any amount above is a failure, so no fraction of slack applies. So
// is a GPU's temperature, rated as the most it may reach.
bool is_limit_key(std::string_view key) {
  return (metric_family(key) == "power" && !key.ends_with(".period")) || key == "gpu.health.temperature";
}

bool is_accepted(std::span<const Verdict> verdicts) {
  for (const auto& v : verdicts) {
    if (v.status == VerdictStatus::fail || v.status == VerdictStatus::error) return false;
  }
  return true;
}

std::vector<SummaryRated> rated_for_summary(const RatedTable& rated,
                                            std::span<const Verdict> verdicts) {
  std::vector<SummaryRated> out;
  for (const auto& r : rated.all()) {
    out.push_back({r.key, r.quantity.unit, r.quantity.value, r.source, r.basis, r.derived});
  }
  std::set<std::string> seen;
  for (const auto& v : verdicts) {
    if (!v.derived || !v.rated || v.status == VerdictStatus::info) continue;
    const std::string id = v.node + "|" + v.key;
    if (!seen.insert(id).second) continue;
    out.push_back({v.key, v.unit, *v.rated, v.source, v.criterion, true});
  }
  return out;
}

}  // namespace assay
