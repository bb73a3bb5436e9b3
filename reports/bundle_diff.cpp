#include "reports/bundle_diff.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace assay {
namespace {

// Separates the parts of a lookup key; no node, probe, subject or key contains it.
constexpr char kSep = '\x1f';

std::string join_id(std::initializer_list<std::string_view> parts) {
  std::string id;
  std::size_t size = 0;
  for (auto p : parts) size += p.size() + 1;
  id.reserve(size);
  for (auto p : parts) {
    id += p;
    id += kSep;
  }
  return id;
}

/// Makes `id` unique among those seen so far: the second verdict with one identity is
/// matched with the other bundle's second, and so on.
std::string unique_id(std::string id, std::unordered_map<std::string, std::size_t>& seen) {
  const std::size_t count = ++seen[id];
  if (count > 1) id += std::to_string(count);
  return id;
}

struct Located {
  const ProbeResult* result = nullptr;
  const Metric* metric = nullptr;
  std::string_view subject() const { return metric->subject.empty() ? result->subject : metric->subject; }
};

bool same_metric(const Located& x, const Located& y) {
  return x.metric->key == y.metric->key && x.subject() == y.subject();
}

/// Metrics of both runs paired by identity, and those of either run left unpaired.
struct Pairing {
  std::vector<std::pair<Located, Located>> pairs;  ///< in A's result order
  std::vector<Located> only_a, only_b;
};

/// Pairs the metrics of two runs of one probe on one node. They usually come in the same
/// order, so position is tried first; otherwise (subject, key) is looked up. A metric
/// that occurs twice pairs with the other run's metric of the same occurrence.
void pair_within(const ProbeResult& ra, const ProbeResult& rb, Pairing& out) {
  const std::size_t na = ra.metrics.size(), nb = rb.metrics.size();
  std::vector<bool> used_a(na, false), used_b(nb, false);
  std::size_t paired = 0;
  for (std::size_t k = 0; k < std::min(na, nb); ++k) {
    const Located la{&ra, &ra.metrics[k]}, lb{&rb, &rb.metrics[k]};
    if (!same_metric(la, lb)) continue;
    out.pairs.emplace_back(la, lb);
    used_a[k] = used_b[k] = true;
    ++paired;
  }
  if (paired < na && paired < nb) {
    std::unordered_map<std::string, std::vector<std::size_t>> unused_b;
    for (std::size_t k = nb; k-- > 0;) {  // reversed: back() is the first occurrence
      const Located lb{&rb, &rb.metrics[k]};
      if (!used_b[k]) unused_b[join_id({lb.subject(), lb.metric->key})].push_back(k);
    }
    for (std::size_t k = 0; k < na; ++k) {
      if (used_a[k]) continue;
      const Located la{&ra, &ra.metrics[k]};
      const auto it = unused_b.find(join_id({la.subject(), la.metric->key}));
      if (it == unused_b.end() || it->second.empty()) continue;
      const std::size_t kb = it->second.back();
      it->second.pop_back();
      out.pairs.emplace_back(la, Located{&rb, &rb.metrics[kb]});
      used_a[k] = used_b[kb] = true;
    }
  }
  for (std::size_t k = 0; k < na; ++k) {
    if (!used_a[k]) out.only_a.push_back({&ra, &ra.metrics[k]});
  }
  for (std::size_t k = 0; k < nb; ++k) {
    if (!used_b[k]) out.only_b.push_back({&rb, &rb.metrics[k]});
  }
}

/// Pairs the ok results of two runs by (node, probe) -- the n-th run of a probe on a node
/// with the other's n-th -- and then their metrics. Hash lookups per result and a
/// positional walk per metric: linear, and it reads both runs in order.
Pairing pair_metrics(const Summary& a, const Summary& b) {
  struct Runs {
    std::vector<const ProbeResult*> results;
    std::size_t next = 0;
  };
  std::unordered_map<std::string, Runs> runs_b;
  runs_b.reserve(b.results.size());
  std::size_t metrics_a = 0;
  for (const auto& r : a.results) metrics_a += r.metrics.size();
  for (const auto& r : b.results) {
    if (r.status == ProbeStatus::ok) runs_b[join_id({r.node, r.probe})].results.push_back(&r);
  }
  Pairing out;
  out.pairs.reserve(metrics_a);
  for (const auto& ra : a.results) {
    if (ra.status != ProbeStatus::ok) continue;
    const auto it = runs_b.find(join_id({ra.node, ra.probe}));
    if (it == runs_b.end() || it->second.next == it->second.results.size()) {
      for (const auto& m : ra.metrics) out.only_a.push_back({&ra, &m});
      continue;
    }
    pair_within(ra, *it->second.results[it->second.next++], out);
  }
  for (const auto& rb : b.results) {
    if (rb.status != ProbeStatus::ok) continue;
    const Runs& runs = runs_b.at(join_id({rb.node, rb.probe}));
    // Runs are taken in order, so the first `next` of them were paired.
    const auto pos = std::find(runs.results.begin(), runs.results.end(), &rb) - runs.results.begin();
    if (static_cast<std::size_t>(pos) < runs.next) continue;
    for (const auto& m : rb.metrics) out.only_b.push_back({&rb, &m});
  }
  return out;
}

std::unordered_set<std::string> node_names(const Summary& s) {
  std::unordered_set<std::string> names;
  for (const auto& n : s.nodes) names.insert(n.name);
  for (const auto& r : s.results) names.insert(r.node);
  return names;
}

std::vector<std::string> missing_from(const std::unordered_set<std::string>& names,
                                      const std::unordered_set<std::string>& other) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    if (!other.contains(n)) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The probe results that did not run (skipped or error), by node and probe: they say
/// why a metric is on one side only.
std::unordered_map<std::string, const ProbeResult*> not_ok_results(const Summary& s) {
  std::unordered_map<std::string, const ProbeResult*> out;
  for (const auto& r : s.results) {
    if (r.status != ProbeStatus::ok) out.emplace(join_id({r.node, r.probe}), &r);
  }
  return out;
}

std::string why_absent(const std::unordered_map<std::string, const ProbeResult*>& not_ok, const Located& l) {
  const auto it = not_ok.find(join_id({l.result->node, l.result->probe}));
  if (it == not_ok.end()) return {};
  const ProbeResult& r = *it->second;
  const std::string& why = r.status == ProbeStatus::skipped ? r.reason : r.error;
  return std::string(r.probe) + " " + std::string(probe_status_name(r.status)) + (why.empty() ? "" : ": " + why);
}

MetricOnOneSide one_side(const Located& l, std::string other_side) {
  return {l.result->node, l.result->probe, std::string(l.subject()), l.metric->key, l.metric->unit,
          l.metric->value, std::move(other_side)};
}

DiffFigure figure(const Metric& m) {
  DiffFigure f{m.value, m.stats.n, std::nullopt};
  if (m.stats.n >= diff_min_ci_samples) {
    f.ci = DiffInterval{m.stats.median_ci_low, m.stats.median_ci_high, m.stats.median_ci_level};
  }
  return f;
}

ChangeDirection direction_of(double delta, Better better) {
  if (delta == 0) return ChangeDirection::unchanged;
  return (delta > 0) == (better == Better::higher) ? ChangeDirection::better : ChangeDirection::worse;
}

MetricChange compare(const Located& la, const Located& lb) {
  const Metric& ma = *la.metric;
  const Metric& mb = *lb.metric;
  MetricChange c;
  c.node = la.result->node;
  c.probe = la.result->probe;
  c.subject = std::string(la.subject());
  c.key = ma.key;
  c.unit = ma.unit;
  c.better = ma.better;
  c.a = figure(ma);
  c.b = figure(mb);
  const double delta = c.b.value - c.a.value;
  if (c.a.value != 0) {
    c.change = delta / std::fabs(c.a.value);
  } else if (delta == 0) {
    c.change = 0.0;
  }
  c.direction = direction_of(delta, c.better);
  if (c.a.ci && c.b.ci) {
    const bool b_above = c.a.ci->high < c.b.ci->low;
    const bool b_below = c.b.ci->high < c.a.ci->low;
    c.ci_overlap = !(b_above || b_below);
    c.significant = b_above || b_below;
    if (c.significant) {
      // The intervals are the evidence: with a best-of value (STREAM) the value could in
      // principle move against the medians; the direction follows the medians then.
      c.direction = direction_of(b_above ? 1.0 : -1.0, c.better);
      c.kind = c.direction == ChangeDirection::worse ? ChangeClass::regression : ChangeClass::improvement;
    }
  }
  return c;
}

double magnitude(const MetricChange& c) {
  return c.change ? std::fabs(*c.change) : std::numeric_limits<double>::infinity();
}

bool listed_before(const MetricChange& x, const MetricChange& y) {
  if (x.kind != y.kind) return x.kind < y.kind;
  const double mx = magnitude(x), my = magnitude(y);
  if (mx != my) return mx > my;
  return std::tie(x.node, x.subject, x.key, x.probe) < std::tie(y.node, y.subject, y.key, y.probe);
}

int severity(const std::optional<VerdictStatus>& s) {
  if (!s) return 0;
  switch (*s) {
    case VerdictStatus::pass:
    case VerdictStatus::info: return 0;
    case VerdictStatus::warn: return 1;
    case VerdictStatus::skip: return 2;
    case VerdictStatus::fail:
    case VerdictStatus::error: return 3;
  }
  return 3;
}

std::vector<VerdictChange> verdict_changes(const Summary& a, const Summary& b,
                                           const std::unordered_set<std::string>& skip_nodes) {
  const auto index = [&](const Summary& s) {
    std::unordered_map<std::string, const Verdict*> out;
    std::unordered_map<std::string, std::size_t> seen;
    out.reserve(s.verdicts.size());
    for (const auto& v : s.verdicts) {
      if (skip_nodes.contains(v.node)) continue;
      out.emplace(unique_id(join_id({v.node, v.subject, v.key}), seen), &v);
    }
    return out;
  };
  const auto in_a = index(a);
  const auto in_b = index(b);
  std::vector<VerdictChange> out;
  const auto add = [&](const Verdict& v, std::optional<VerdictStatus> sa, std::optional<VerdictStatus> sb) {
    out.push_back({v.node, v.subject, v.key, sa, sb, severity(sb) > severity(sa)});
  };
  for (const auto& [id, va] : in_a) {
    const auto it = in_b.find(id);
    if (it == in_b.end()) {
      add(*va, va->status, std::nullopt);
    } else if (it->second->status != va->status) {
      add(*va, va->status, it->second->status);
    }
  }
  for (const auto& [id, vb] : in_b) {
    if (!in_a.contains(id)) add(*vb, std::nullopt, vb->status);
  }
  std::sort(out.begin(), out.end(), [](const VerdictChange& x, const VerdictChange& y) {
    if (x.worse != y.worse) return x.worse;
    return std::tie(x.node, x.subject, x.key) < std::tie(y.node, y.subject, y.key);
  });
  return out;
}

std::vector<NodeStatusChange> node_status_changes(const Summary& a, const Summary& b) {
  std::unordered_map<std::string_view, std::string_view> status_b;
  for (const auto& n : b.nodes) status_b.emplace(n.name, n.status);
  std::vector<NodeStatusChange> out;
  for (const auto& n : a.nodes) {
    const auto it = status_b.find(n.name);
    if (it != status_b.end() && it->second != n.status) {
      out.push_back({n.name, n.status, std::string(it->second)});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.node < y.node; });
  return out;
}

DiffRunInfo run_info(const Summary& s, std::size_t nodes) {
  return {{}, s.plan_name, s.suite, s.assay.version, s.assay.git, s.started, s.finished, s.accepted, nodes};
}

void sort_one_side(std::vector<MetricOnOneSide>& v) {
  std::sort(v.begin(), v.end(), [](const MetricOnOneSide& x, const MetricOnOneSide& y) {
    return std::tie(x.node, x.subject, x.key, x.probe) < std::tie(y.node, y.subject, y.key, y.probe);
  });
}

}  // namespace

BundleDiff diff_summaries(const Summary& a, const Summary& b) {
  BundleDiff d;
  const auto nodes_a = node_names(a);
  const auto nodes_b = node_names(b);
  d.a = run_info(a, nodes_a.size());
  d.b = run_info(b, nodes_b.size());
  d.nodes_only_in_a = missing_from(nodes_a, nodes_b);
  d.nodes_only_in_b = missing_from(nodes_b, nodes_a);
  std::unordered_set<std::string> one_sided_nodes(d.nodes_only_in_a.begin(), d.nodes_only_in_a.end());
  one_sided_nodes.insert(d.nodes_only_in_b.begin(), d.nodes_only_in_b.end());

  const Pairing pairing = pair_metrics(a, b);
  d.changes.reserve(pairing.pairs.size());
  for (const auto& [la, lb] : pairing.pairs) d.changes.push_back(compare(la, lb));

  const auto unpaired = [&](const std::vector<Located>& metrics, const Summary& other,
                            std::vector<MetricOnOneSide>& listed, std::size_t& of_one_sided_nodes) {
    const auto not_ok_other = not_ok_results(other);
    for (const Located& l : metrics) {
      if (one_sided_nodes.contains(l.result->node)) {
        ++of_one_sided_nodes;
      } else {
        listed.push_back(one_side(l, why_absent(not_ok_other, l)));
      }
    }
  };
  unpaired(pairing.only_a, b, d.only_in_a, d.metrics_of_nodes_only_in_a);
  unpaired(pairing.only_b, a, d.only_in_b, d.metrics_of_nodes_only_in_b);
  std::sort(d.changes.begin(), d.changes.end(), listed_before);
  sort_one_side(d.only_in_a);
  sort_one_side(d.only_in_b);
  for (const auto& c : d.changes) {
    d.significant_regressions += c.kind == ChangeClass::regression;
    d.significant_improvements += c.kind == ChangeClass::improvement;
  }
  d.node_status_changes = node_status_changes(a, b);
  d.verdict_changes = verdict_changes(a, b, one_sided_nodes);
  return d;
}

bool diff_shows(const MetricChange& change, const DiffView& view) {
  if (view.all || change.significant || !change.change) return true;
  return *change.change != 0 && std::fabs(*change.change) >= view.threshold;
}

}  // namespace assay
