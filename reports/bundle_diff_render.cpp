// The text and JSON forms of a BundleDiff (`assay diff`, docs/diff.md).
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reports/bundle_diff.h"
#include "reports/verdict_table.h"

namespace assay {
namespace {

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string percent(double fraction) { return fmt::format("{:g}%", fraction * 100.0); }

/// The key, and the probe it was measured beside when that is not evident from the key
/// (power figures are sampled beside every probe).
std::string metric_label(std::string_view probe, std::string_view key) {
  if (key.size() > probe.size() && key.starts_with(probe) && key[probe.size()] == '.') return std::string(key);
  return fmt::format("{} (during {})", key, probe);
}

std::string_view direction_name(ChangeDirection d) {
  switch (d) {
    case ChangeDirection::better: return "better";
    case ChangeDirection::worse: return "worse";
    case ChangeDirection::unchanged: return "unchanged";
  }
  return "unchanged";
}

std::string_view class_name(ChangeClass k) {
  switch (k) {
    case ChangeClass::regression: return "regression";
    case ChangeClass::improvement: return "improvement";
    case ChangeClass::other: return "other";
  }
  return "other";
}

std::string significance_cell(const MetricChange& c) {
  if (c.kind == ChangeClass::regression) return "REGRESSION";
  if (c.kind == ChangeClass::improvement) return "IMPROVEMENT";
  return c.ci_overlap ? "CIs overlap" : "no CI";
}

std::string change_cell(const MetricChange& c) {
  const std::string text = format_change(c);
  return c.direction == ChangeDirection::unchanged ? text : fmt::format("{} {}", text, direction_name(c.direction));
}

std::string ci_cell(const DiffFigure& f, Unit unit) {
  if (!f.ci) return fmt::format("no CI (n={})", f.n);
  return fmt::format("{} .. {} ({:.1f}%)", format_quantity(f.ci->low, unit), format_quantity(f.ci->high, unit),
                     f.ci->level * 100.0);
}

std::string status_cell(const std::optional<VerdictStatus>& s) {
  return s ? std::string(verdict_status_name(*s)) : "-";
}

std::string change_table(const std::vector<const MetricChange*>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const MetricChange* c : rows) {
    cells.push_back({significance_cell(*c), c->node, c->subject, metric_label(c->probe, c->key),
                     format_quantity(c->a.value, c->unit), format_quantity(c->b.value, c->unit), change_cell(*c),
                     ci_cell(c->a, c->unit), ci_cell(c->b, c->unit)});
  }
  return render_text_table({"SIGNIFICANCE", "NODE", "SUBJECT", "METRIC", "A", "B", "CHANGE", "A MEDIAN CI",
                            "B MEDIAN CI"},
                           cells, {false, false, false, false, true, true, true, true, true});
}

double median_of(std::vector<double> v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2.0;
}

/// Too many changes to list, one row per metric: how many, which way, how much.
std::string change_summary_table(const std::vector<const MetricChange*>& rows) {
  struct Group {
    std::size_t rows = 0, worse = 0, better = 0, from_zero = 0;
    std::vector<double> changes;
  };
  // Keyed by (key, probe) views into the rows: no string is built per row.
  std::map<std::pair<std::string_view, std::string_view>, Group> groups;
  for (const MetricChange* c : rows) {
    Group& g = groups[{c->key, c->probe}];
    ++g.rows;
    g.worse += c->direction == ChangeDirection::worse;
    g.better += c->direction == ChangeDirection::better;
    if (c->change) {
      g.changes.push_back(*c->change);
    } else {
      ++g.from_zero;
    }
  }
  std::vector<std::vector<std::string>> cells;
  for (auto& [id, g] : groups) {
    std::string median = "-", range = "-";
    if (!g.changes.empty()) {
      const auto [lo, hi] = std::minmax_element(g.changes.begin(), g.changes.end());
      range = fmt::format("{:+.2f}% .. {:+.2f}%", *lo * 100.0, *hi * 100.0);
      median = fmt::format("{:+.2f}%", median_of(g.changes) * 100.0);
    }
    if (g.from_zero > 0) range += fmt::format(" ({} from 0)", g.from_zero);
    cells.push_back({metric_label(id.second, id.first), std::to_string(g.rows), std::to_string(g.worse),
                     std::to_string(g.better), median, range});
  }
  return render_text_table({"METRIC", "ROWS", "WORSE", "BETTER", "MEDIAN CHANGE", "RANGE"}, cells,
                           {false, true, true, true, true, false});
}

std::string one_side_section(const std::vector<MetricOnOneSide>& rows, std::string_view title, const DiffView& view) {
  if (rows.empty()) return {};
  std::string out = fmt::format("\n{} ({}):\n", title, plural(rows.size(), "metric"));
  std::vector<std::vector<std::string>> cells;
  if (rows.size() <= view.row_limit || view.all) {
    for (const auto& m : rows) {
      cells.push_back({m.node, m.subject, metric_label(m.probe, m.key), format_quantity(m.value, m.unit),
                       m.other_side});
    }
    return out + render_text_table({"NODE", "SUBJECT", "METRIC", "VALUE", "OTHER BUNDLE"}, cells,
                                   {false, false, false, true, false});
  }
  std::map<std::string, std::size_t> per_key;
  for (const auto& m : rows) ++per_key[metric_label(m.probe, m.key)];
  for (const auto& [label, n] : per_key) cells.push_back({label, std::to_string(n)});
  return out + render_text_table({"METRIC", "ROWS"}, cells, {false, true});
}

std::string node_list(const std::vector<std::string>& nodes, std::size_t metrics, std::string_view title,
                      const DiffView& view) {
  if (nodes.empty()) return {};
  const std::size_t listed = view.all ? nodes.size() : std::min(nodes.size(), view.row_limit);
  std::string names = fmt::format("{}", fmt::join(nodes.begin(), nodes.begin() + static_cast<std::ptrdiff_t>(listed), ", "));
  if (listed < nodes.size()) names += fmt::format(" ... and {} more", nodes.size() - listed);
  return fmt::format("\n{} ({}; their {} not compared): {}\n", title, nodes.size(), plural(metrics, "metric"), names);
}

std::string verdict_section(const std::vector<VerdictChange>& changes, const DiffView& view) {
  if (changes.empty()) return {};
  std::string out = fmt::format("\nVerdict changes ({}, worse first; \"-\": no such verdict):\n", changes.size());
  std::vector<std::vector<std::string>> cells;
  if (changes.size() <= view.row_limit || view.all) {
    for (const auto& v : changes) {
      cells.push_back({v.node, v.subject, v.key, status_cell(v.a), status_cell(v.b)});
    }
    return out + render_text_table({"NODE", "SUBJECT", "METRIC", "A", "B"}, cells);
  }
  std::map<std::tuple<bool, std::string, std::string, std::string>, std::size_t> per_transition;
  for (const auto& v : changes) ++per_transition[{!v.worse, v.key, status_cell(v.a), status_cell(v.b)}];
  for (const auto& [t, n] : per_transition) {
    cells.push_back({std::get<1>(t), std::get<2>(t), std::get<3>(t), std::to_string(n)});
  }
  return out + render_text_table({"METRIC", "A", "B", "COUNT"}, cells, {false, false, false, true});
}

std::string runs_table(const BundleDiff& d) {
  const auto row = [](std::string_view side, const DiffRunInfo& r) {
    return std::vector<std::string>{std::string(side),
                                    r.label,
                                    r.plan_name,
                                    r.suite.empty() ? "-" : r.suite,
                                    fmt::format("{} ({})", r.version, r.build),
                                    r.started,
                                    r.finished,
                                    r.accepted ? "yes" : "no",
                                    std::to_string(r.nodes)};
  };
  return render_text_table({"", "BUNDLE", "PLAN", "SUITE", "ASSAY", "STARTED", "FINISHED", "ACCEPTED", "NODES"},
                           {row("A", d.a), row("B", d.b)},
                           {false, false, false, false, false, false, false, false, true});
}

Json figure_json(const DiffFigure& f) {
  Json j{{"value", f.value}, {"n", f.n}};
  if (f.ci) {
    j["median_ci"] = Json::array({f.ci->low, f.ci->high});
    j["median_ci_level"] = f.ci->level;
  } else {
    j["median_ci"] = nullptr;
    j["median_ci_level"] = nullptr;
  }
  return j;
}

Json status_json(const std::optional<VerdictStatus>& s) {
  return s ? Json(std::string(verdict_status_name(*s))) : Json(nullptr);
}

Json one_side_json(const std::vector<MetricOnOneSide>& rows) {
  Json out = Json::array();
  for (const auto& m : rows) {
    out.push_back({{"node", m.node}, {"probe", m.probe}, {"subject", m.subject}, {"key", m.key},
                   {"unit", unit_symbol(m.unit)}, {"value", m.value}, {"other_side", m.other_side}});
  }
  return out;
}

Json run_json(const DiffRunInfo& r) {
  return {{"bundle", r.label}, {"plan", r.plan_name},       {"suite", r.suite},
          {"version", r.version}, {"build", r.build},        {"started", r.started},
          {"finished", r.finished}, {"accepted", r.accepted}, {"nodes", r.nodes}};
}

}  // namespace

std::string format_change(const MetricChange& change) {
  if (!change.change) return "from 0";
  const double pct = *change.change * 100.0;
  if (pct == 0) return "0%";
  return std::fabs(pct) >= 1.0 ? fmt::format("{:+.1f}%", pct) : fmt::format("{:+.2f}%", pct);
}

std::string render_diff_text(const BundleDiff& d, const DiffView& view) {
  std::vector<const MetricChange*> significant, other;
  std::size_t beyond = 0;
  for (const auto& c : d.changes) {
    if (c.significant) {
      significant.push_back(&c);
    } else if (diff_shows(c, view)) {
      other.push_back(&c);
    }
    beyond += !c.significant && diff_shows(c, DiffView{view.threshold, false, view.row_limit});
  }

  std::string out = runs_table(d);
  out += fmt::format(
      "\n{} in both: {}, {}, {} of {} or more without CI separation; {} only in A, {} only in B.\n",
      plural(d.changes.size(), "metric"), plural(d.significant_regressions, "significant regression"),
      plural(d.significant_improvements, "significant improvement"), plural(beyond, "other change"),
      percent(view.threshold), d.only_in_a.size(), d.only_in_b.size());

  if (view.all) {
    out += "\nEvery metric in both bundles:\n";
  } else {
    out += fmt::format("\nChanges (significant, or {} or more):\n", percent(view.threshold));
  }
  // At fleet scale the lists are cut: up to row_limit regressions and as many
  // improvements (the largest; all are in the per-metric table and in --json), and the
  // other changes only per metric.
  std::vector<const MetricChange*> listed;
  std::size_t regressions_listed = 0, improvements_listed = 0;
  for (const MetricChange* c : significant) {
    std::size_t& n = c->kind == ChangeClass::regression ? regressions_listed : improvements_listed;
    if (view.all || n < view.row_limit) {
      listed.push_back(c);
      ++n;
    }
  }
  const bool cut_significant = listed.size() < significant.size();
  const bool summarise_other = !view.all && other.size() > view.row_limit;
  if (!summarise_other) listed.insert(listed.end(), other.begin(), other.end());
  if (!listed.empty()) {
    out += change_table(listed);
  } else {
    out += other.empty() ? "  none\n" : "  no significant change\n";
  }
  if (cut_significant) {
    out += fmt::format("\nSignificant changes per metric ({}; the {} largest regressions and improvements are "
                       "listed above, --all or --json lists every one):\n",
                       significant.size(), view.row_limit);
    out += change_summary_table(significant);
  }
  if (summarise_other) {
    out += fmt::format("\nOther changes of {} or more, per metric ({} rows, more than the {} listed in full; "
                       "--all lists every row):\n",
                       percent(view.threshold), other.size(), view.row_limit);
    out += change_summary_table(other);
  }

  out += one_side_section(d.only_in_a, "Only in A", view);
  out += one_side_section(d.only_in_b, "Only in B", view);
  out += node_list(d.nodes_only_in_a, d.metrics_of_nodes_only_in_a, "Nodes only in A", view);
  out += node_list(d.nodes_only_in_b, d.metrics_of_nodes_only_in_b, "Nodes only in B", view);
  if (!d.node_status_changes.empty()) {
    std::vector<std::vector<std::string>> cells;
    for (const auto& n : d.node_status_changes) cells.push_back({n.node, n.a, n.b});
    out += "\nNode status changes:\n" + render_text_table({"NODE", "A", "B"}, cells);
  }
  out += verdict_section(d.verdict_changes, view);

  out += fmt::format(
      "\nSignificant: the medians' confidence intervals do not overlap (each at the coverage its sample "
      "count reaches); a side with fewer than {} samples has no CI and is never significant.\n",
      diff_min_ci_samples);
  out += d.significant_regressions == 0
             ? std::string("Result: no significant regression.\n")
             : fmt::format("Result: {}.\n", plural(d.significant_regressions, "significant regression"));
  return out;
}

Json diff_json(const BundleDiff& d, const DiffView& view) {
  Json changes = Json::array();
  std::size_t beyond = 0;
  for (const auto& c : d.changes) {
    beyond += !c.significant && diff_shows(c, DiffView{view.threshold, false, view.row_limit});
    if (!diff_shows(c, view)) continue;
    changes.push_back({{"node", c.node},
                       {"probe", c.probe},
                       {"subject", c.subject},
                       {"key", c.key},
                       {"unit", unit_symbol(c.unit)},
                       {"better", c.better == Better::higher ? "higher" : "lower"},
                       {"a", figure_json(c.a)},
                       {"b", figure_json(c.b)},
                       {"change", c.change ? Json(*c.change) : Json(nullptr)},
                       {"direction", direction_name(c.direction)},
                       {"ci_overlap", c.ci_overlap ? Json(*c.ci_overlap) : Json(nullptr)},
                       {"significant", c.significant},
                       {"class", class_name(c.kind)}});
  }
  Json verdicts = Json::array();
  for (const auto& v : d.verdict_changes) {
    verdicts.push_back({{"node", v.node}, {"subject", v.subject}, {"key", v.key}, {"a", status_json(v.a)},
                        {"b", status_json(v.b)}, {"worse", v.worse}});
  }
  Json node_status = Json::array();
  for (const auto& n : d.node_status_changes) node_status.push_back({{"node", n.node}, {"a", n.a}, {"b", n.b}});

  Json j;
  j["schema"] = "assay.diff/1";
  j["a"] = run_json(d.a);
  j["b"] = run_json(d.b);
  j["threshold"] = view.threshold;
  j["all"] = view.all;
  j["min_ci_samples"] = diff_min_ci_samples;
  j["counts"] = {{"matched", d.changes.size()},
                 {"significant_regressions", d.significant_regressions},
                 {"significant_improvements", d.significant_improvements},
                 {"other_beyond_threshold", beyond},
                 {"only_in_a", d.only_in_a.size()},
                 {"only_in_b", d.only_in_b.size()},
                 {"nodes_only_in_a", d.nodes_only_in_a.size()},
                 {"nodes_only_in_b", d.nodes_only_in_b.size()},
                 {"metrics_of_nodes_only_in_a", d.metrics_of_nodes_only_in_a},
                 {"metrics_of_nodes_only_in_b", d.metrics_of_nodes_only_in_b},
                 {"verdict_changes", d.verdict_changes.size()}};
  j["regression"] = d.significant_regressions > 0;
  j["changes"] = std::move(changes);
  j["only_in_a"] = one_side_json(d.only_in_a);
  j["only_in_b"] = one_side_json(d.only_in_b);
  j["nodes_only_in_a"] = d.nodes_only_in_a;
  j["nodes_only_in_b"] = d.nodes_only_in_b;
  j["node_status_changes"] = std::move(node_status);
  j["verdict_changes"] = std::move(verdicts);
  return j;
}

}  // namespace assay
