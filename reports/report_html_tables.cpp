// report.html, the closing sections: traceability of each contract figure, the GB/T
// 46346-2025 mapping, every verdict and every result (summarised at scale).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

#include "reports/gbt46346.h"
#include "reports/report_html_parts.h"
#include "reports/verdict_table.h"

namespace assay::html {
namespace {


// Worse first: status, then the ratio furthest on the bad side.
bool worse(const Verdict& a, const Verdict& b, Better better) {
  const int sa = verdict_status_severity(a.status), sb = verdict_status_severity(b.status);
  if (sa != sb) return sa > sb;
  const double ra = a.ratio.value_or(1), rb = b.ratio.value_or(1);
  return better == Better::higher ? ra < rb : ra > rb;
}

}  // namespace

namespace {

// The rated figures of one key: one from the plan, or one derived per node.
struct RatedGroup {
  std::string_view key;
  std::vector<std::size_t> rated;  ///< indexes into summary.rated
};

std::vector<RatedGroup> rated_groups(const Summary& s) {
  std::vector<RatedGroup> groups;
  std::unordered_map<std::string_view, std::size_t> at;
  for (std::size_t i = 0; i < s.rated.size(); ++i) {
    const auto [it, added] = at.emplace(s.rated[i].key, groups.size());
    if (added) groups.push_back({s.rated[i].key, {}});
    groups[it->second].rated.push_back(i);
  }
  return groups;
}

void rated_cells(Context& c, const RatedGroup& g) {
  const auto& rated = c.s.rated;
  const SummaryRated& first = rated[g.rated.front()];
  const auto figure = [&](const SummaryRated& r) {
    return format_quantity(r.value, r.unit) + (r.derived ? " (" + std::string(c.w("derived")) + ")" : "");
  };
  if (g.rated.size() <= kMaxListed && !(c.large && g.rated.size() > 1)) {
    for (std::string_view column : {"figure", "source", "basis"}) {
      c.out += column == "figure" ? "<td class=\"num\">" : "<td>";
      for (std::size_t k = 0; k < g.rated.size(); ++k) {
        const SummaryRated& r = rated[g.rated[k]];
        if (k) c.out += "<br>";
        c.esc(column == "figure" ? figure(r) : column == "source" ? r.source : r.basis);
      }
      c.out += "</td>";
    }
    return;
  }
  // Derived per node on a large fleet: the range, and one example of source and basis.
  double lo = first.value, hi = first.value;
  for (std::size_t i : g.rated) {
    lo = std::min(lo, rated[i].value);
    hi = std::max(hi, rated[i].value);
  }
  td(c, c.tr("{} figures, {} .. {}", g.rated.size(), format_quantity(lo, first.unit), format_quantity(hi, first.unit)) +
            (first.derived ? " (" + std::string(c.w("derived")) + ")" : ""),
     true);
  td(c, c.tr("e.g. {}", first.source));
  td(c, first.basis);
}

}  // namespace

void write_traceability(Context& c) {
  if (c.s.rated.empty()) return;
  open_section(c, "traceability", "Traceability of the contract figures");
  c.out += "<p class=\"note\">";
  c.word("Each rated figure of the plan, the probe that measured it, where the raw evidence lies in this bundle "
         "and the verdicts it led to.");
  c.out += "</p>\n<table>\n";
  th_row(c, {"Contract figure", "Rated", "Source", "Basis", "Probe", "Evidence", "Verdicts"});
  c.out += "<tbody>\n";
  for (const RatedGroup& g : rated_groups(c.s)) {
    const auto entries_it = c.index.entries_by_key.find(g.key);
    const std::vector<Entry>* entries = entries_it == c.index.entries_by_key.end() ? nullptr : &entries_it->second;
    const Better better = entries ? entries->front().metric->better : Better::higher;
    std::vector<const Verdict*> verdicts;
    if (const auto it = c.index.verdicts_by_key.find(g.key); it != c.index.verdicts_by_key.end()) {
      for (std::size_t vi : it->second) {
        const Verdict& v = c.s.verdicts[vi];
        if (v.node != fleet_node && reference_label(c, v) != std::string_view("fleet median")) verdicts.push_back(&v);
      }
    }
    c.out += "<tr><td><code>";
    c.esc(g.key);
    c.out += "</code></td>";
    rated_cells(c, g);
    // The probe: every metric key is named family.probe.figure.
    std::set<std::string_view> probes;
    if (entries) {
      for (const Entry& e : *entries) probes.insert(c.s.results[e.result].probe);
    }
    std::string probe_text;
    for (auto p : probes) probe_text += (probe_text.empty() ? "" : ", ") + std::string(p);
    td(c, probe_text.empty() ? std::string(c.w("not measured")) : probe_text);
    // Evidence: the journal line of each node's result (or of the worst one at scale).
    c.out += "<td>";
    const Verdict* worst = nullptr;
    for (const Verdict* v : verdicts) {
      if (!worst || worse(*v, *worst, better)) worst = v;
    }
    if (entries && (!c.large && entries->size() <= kMaxListed)) {
      for (const Entry& e : *entries) {
        c.esc(std::string(e.node) + ": " + c.journal_ref(e.result));
        c.out += "<br>";
      }
    } else if (entries) {
      c.esc(c.tr("{} results in journal.jsonl", entries->size()));
      if (worst) {
        for (const Entry& e : *entries) {
          if (e.node == worst->node && e.subject == worst->subject) {
            c.out += "<br>";
            c.esc(c.tr("worst: {}: {}", e.node, c.journal_ref(e.result)));
            break;
          }
        }
      }
      c.out += "<br>";
    }
    if (g.rated.size() == 1) {
      c.esc(c.tr("summary.json: rated[{}] and its verdicts", g.rated.front()));
    } else {
      c.esc(c.tr("summary.json: rated[{}..{}] and their verdicts", g.rated.front(), g.rated.back()));
    }
    c.out += "</td><td>";
    if (verdicts.empty()) {
      c.word("no verdict");
    } else if (!c.large && verdicts.size() <= kMaxListed) {
      for (const Verdict* v : verdicts) {
        status_badge(c, v->status, v->inconclusive);
        c.out += " ";
        c.esc(v->node + " " + link_text(v->subject) + " " + format_ratio(v->ratio));
        c.out += "<br>";
      }
    } else {
      std::map<int, std::pair<VerdictStatus, std::size_t>> counts;
      for (const Verdict* v : verdicts) {
        auto& slot = counts[-verdict_status_severity(v->status)];
        slot.first = v->status;
        ++slot.second;
      }
      for (const auto& [rank, sc] : counts) {
        status_badge(c, sc.first);
        c.out += fmt::format(" {} ", sc.second);
      }
      if (worst) {
        c.out += "<br>";
        c.esc(c.tr("worst: {} {} ({})", worst->node, link_text(worst->subject), format_ratio(worst->ratio)));
      }
    }
    c.out += "</td></tr>\n";
  }
  c.out += "</tbody>\n</table>\n</section>\n";
}

void write_gbt(Context& c) {
  const std::vector<GbtIndicatorRow> rows = map_to_gbt46346(c.s);
  if (rows.empty()) return;
  const bool zh = c.w.lang() == Lang::zh;
  open_section(c, "gbt46346", "GB/T 46346-2025 indicator groups");
  c.out += "<p class=\"note\">";
  c.word("assay's mapping of its figures onto the indicator groups of GB/T 46346-2025 (AI computing centre: "
         "computing capability assessment). It is a reading, not the standard's assessment method.");
  c.out += "</p>\n<table>\n";
  th_row(c, {"Indicator group", "Indicator", "Clause", "Figures", "Verdicts", "Note"});
  c.out += "<tbody>\n";
  for (const auto& row : rows) {
    c.out += row.measured ? "<tr>" : "<tr class=\"unmeasured\">";
    td(c, zh ? gbt_group_name_zh(row.group) : gbt_group_name_en(row.group));
    td(c, zh ? row.indicator_zh : row.indicator_en);
    td(c, row.clause);
    c.out += "<td>";
    if (row.figures.empty()) c.out += "-";
    for (std::size_t i = 0; i < row.figures.size(); ++i) {
      if (i) c.out += "<br>";
      c.esc((zh ? row.figures[i].label_zh : row.figures[i].label_en) + ": " + format_gbt_figure(row.figures[i]));
    }
    c.out += "</td><td>";
    if (row.worst) {
      status_badge(c, *row.worst);
      c.esc(" " + c.tr("worst of {}", row.verdicts));
    } else {
      c.out += "-";
    }
    c.out += "</td>";
    td(c, zh ? row.note_zh : row.note_en);
    c.out += "</tr>\n";
  }
  c.out += "</tbody>\n</table>\n</section>\n";
}

namespace {

void verdict_row(Context& c, const Verdict& v, const std::unordered_map<const Verdict*, std::size_t>& result_of) {
  c.out += "<tr class=\"r-";
  c.out += status_class(v.status);
  c.out += "\"><td>";
  status_badge(c, v.status, v.inconclusive);
  c.out += "</td>";
  td(c, v.node);
  td(c, link_text(v.subject));
  c.out += "<td><code>";
  c.esc(v.key);
  c.out += "</code></td>";
  td(c, v.measured ? format_verdict_figure(v, *v.measured) : "-", true);
  c.out += "<td class=\"num\">";
  if (v.rated) {
    c.esc(format_verdict_figure(v, *v.rated));
    const std::string_view label = reference_label(c, v);
    if (label != std::string_view("rated")) {
      c.out += " <span class=\"note\">(";
      c.word(label);
      c.out += ")</span>";
    }
  } else {
    c.out += "-";
  }
  c.out += "</td>";
  td(c, format_ratio(v.ratio), true);
  c.out += "<td>";
  criterion_and_note(c, v);
  c.out += "</td>";
  td(c, v.source);
  const auto r = result_of.find(&v);
  td(c, r == result_of.end() ? std::string("summary.json") : c.journal_ref(r->second));
  c.out += "</tr>\n";
}

// The result behind each verdict on a measured entry (for its journal line).
std::unordered_map<const Verdict*, std::size_t> results_of_verdicts(const Context& c) {
  std::unordered_map<const Verdict*, std::size_t> result_of;
  for (const auto& [key, entries] : c.index.entries_by_key) {
    for (const Entry& e : entries) {
      if (!e.verdicts) continue;
      if (e.verdicts->rated) result_of.emplace(e.verdicts->rated, e.result);
      if (e.verdicts->outlier) result_of.emplace(e.verdicts->outlier, e.result);
    }
  }
  return result_of;
}

}  // namespace

void write_verdicts(Context& c) {
  open_section(c, "verdicts", "Verdicts");
  if (c.s.verdicts.empty()) {
    c.out += "<p>";
    c.word("No verdicts.");
    c.out += "</p>\n</section>\n";
    return;
  }
  const auto result_of = results_of_verdicts(c);
  if (c.large) {
    c.out += "<p>";
    c.word("Every verdict that is not PASS or INFO; those are summarised per metric below.");
    c.out += "</p>\n";
  }
  c.out += "<table>\n";
  th_row(c, {"Status", "Node", "Subject", "Metric", "Measured", "Rated", "Ratio", "Criterion", "Source", "Evidence"});
  c.out += "<tbody>\n";
  struct PassSummary {
    std::size_t pass = 0, info = 0;
    double min_ratio = INFINITY, max_ratio = -INFINITY;
  };
  std::map<std::string_view, PassSummary> passes;
  for (const auto& v : c.s.verdicts) {
    if (c.large && (v.status == VerdictStatus::pass || v.status == VerdictStatus::info)) {
      PassSummary& p = passes[v.key];
      ++(v.status == VerdictStatus::pass ? p.pass : p.info);
      if (v.ratio) {
        p.min_ratio = std::min(p.min_ratio, *v.ratio);
        p.max_ratio = std::max(p.max_ratio, *v.ratio);
      }
      continue;
    }
    verdict_row(c, v, result_of);
  }
  c.out += "</tbody>\n</table>\n";
  if (c.large && !passes.empty()) {
    c.out += "<h3>";
    c.word("PASS and INFO verdicts per metric");
    c.out += "</h3>\n<table>\n";
    th_row(c, {"Metric", "PASS", "INFO", "Ratio"});
    c.out += "<tbody>\n";
    for (const auto& [key, p] : passes) {
      c.out += "<tr><td><code>";
      c.esc(key);
      c.out += "</code></td>";
      td(c, std::to_string(p.pass), true);
      td(c, std::to_string(p.info), true);
      td(c, std::isfinite(p.min_ratio) ? format_ratio(p.min_ratio) + " .. " + format_ratio(p.max_ratio) : "-", true);
      c.out += "</tr>\n";
    }
    c.out += "</tbody>\n</table>\n";
  }
  c.out += "</section>\n";
}

namespace {

void metric_table(Context& c, const ProbeResult& r) {
  c.out += "<table>\n";
  th_row(c, {"Metric", "Subject", "Value", "Value of", "Median 95% CI", "CV", "n", "Min", "Max"});
  c.out += "<tbody>\n";
  for (const auto& m : r.metrics) {
    const auto& st = m.stats;
    c.out += "<tr><td><code>";
    c.esc(m.key);
    c.out += "</code>";
    if (!m.note.empty()) {
      c.out += "<br><span class=\"note\">";
      c.esc(m.note);
      c.out += "</span>";
    }
    c.out += "</td>";
    td(c, link_text(m.subject.empty() ? r.subject : m.subject));
    td(c, format_quantity(m.value, m.unit), true);
    td(c, c.w(m.rule == ValueRule::best ? "best sample" : "median"));
    td(c, fmt::format("{} .. {} ({:.1f}%)", format_quantity(st.median_ci_low, m.unit),
                      format_quantity(st.median_ci_high, m.unit), st.median_ci_level * 100.0),
       true);
    td(c, fmt::format("{:.2f}%", st.cv * 100.0), true);
    td(c, std::to_string(st.n), true);
    td(c, format_quantity(st.min, m.unit), true);
    td(c, format_quantity(st.max, m.unit), true);
    c.out += "</tr>\n";
  }
  c.out += "</tbody>\n</table>\n";
}

// Detail tables beside the metrics (a collective's sweep), except the power traces the
// power section draws. Long tables are cut; journal.jsonl has every row.
void detail_tables(Context& c, const ProbeResult& r) {
  constexpr std::size_t kMaxRows = 40;
  for (const auto& t : r.tables) {
    if (t.name.starts_with("power.")) continue;
    c.out += "<p><b>";
    c.esc(t.name);
    c.out += "</b></p>\n<table>\n<thead><tr>";
    for (const auto& col : t.columns) {
      c.out += "<th>";
      c.esc(col.name);
      c.out += "</th>";
    }
    c.out += "</tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < t.rows.size() && i < kMaxRows; ++i) {
      c.out += "<tr>";
      for (std::size_t k = 0; k < t.rows[i].size() && k < t.columns.size(); ++k) {
        td(c, format_quantity(t.rows[i][k], t.columns[k].unit), true);
      }
      c.out += "</tr>\n";
    }
    c.out += "</tbody>\n</table>\n";
    if (t.rows.size() > kMaxRows) {
      c.out += "<p class=\"note\">";
      c.esc(c.tr("the first {} of {} rows; journal.jsonl has them all.", kMaxRows, t.rows.size()));
      c.out += "</p>\n";
    }
  }
}

void full_result(Context& c, std::size_t index) {
  const ProbeResult& r = c.s.results[index];
  const double seconds = std::chrono::duration<double>(r.end - r.start).count();
  c.out += "<h3>";
  c.esc(c.tr("{} on {}", r.probe, r.node));
  c.out += " <span class=\"note\">(";
  c.word(probe_status_name(r.status));
  c.esc(fmt::format(", {:.1f} s, ", seconds) + c.journal_ref(index));
  c.out += ")</span></h3>\n";
  if (r.status == ProbeStatus::skipped) {
    c.out += "<p>";
    c.esc(c.tr("Skipped: {}", r.reason));
    c.out += "</p>\n";
  }
  if (r.status == ProbeStatus::error) {
    c.out += "<p>";
    c.esc(c.tr("Error: {}", r.error));
    c.out += "</p>\n";
  }
  if (!r.params.empty()) {
    std::string params;
    for (const auto& p : r.params) params += (params.empty() ? "" : ", ") + p.name + " = " + param_value_text(p.value);
    c.out += "<p>";
    c.esc(c.tr("Parameters: {}", params));
    c.out += "</p>\n";
  }
  if (r.validation.checked) {
    c.out += "<p>";
    c.esc(c.tr(r.validation.passed ? "Validation passed: {}" : "Validation FAILED: {}", r.validation.detail));
    if (!r.validation.passed && !r.metrics.empty()) {
      c.out += " ";
      c.word("The figures below come from a run whose self-check failed; they are shown, not judged.");
    }
    c.out += "</p>\n";
  }
  if (!r.metrics.empty()) metric_table(c, r);
  detail_tables(c, r);
  if (!r.notes.empty()) {
    c.out += "<ul>\n";
    for (const auto& n : r.notes) {
      c.out += "<li>";
      c.esc(n);
      c.out += "</li>\n";
    }
    c.out += "</ul>\n";
  }
}

// At scale: per probe, how many results of each status, every result that is not ok,
// and the spread of each metric over the nodes.
void summarised_results(Context& c) {
  struct ProbeSummary {
    std::size_t ok = 0, skipped = 0, error = 0;
    std::vector<std::size_t> not_ok;
  };
  std::map<std::string_view, ProbeSummary> probes;
  for (std::size_t i = 0; i < c.s.results.size(); ++i) {
    const ProbeResult& r = c.s.results[i];
    ProbeSummary& p = probes[r.probe];
    if (r.status == ProbeStatus::ok) {
      ++p.ok;
    } else {
      (r.status == ProbeStatus::skipped ? p.skipped : p.error)++;
      p.not_ok.push_back(i);
    }
  }
  c.out += "<table>\n";
  th_row(c, {"Probe", "ok", "skipped", "error"});
  c.out += "<tbody>\n";
  for (const auto& [probe, p] : probes) {
    c.out += p.error ? "<tr class=\"r-error\">" : "<tr>";
    td(c, probe);
    td(c, std::to_string(p.ok), true);
    td(c, std::to_string(p.skipped), true);
    td(c, std::to_string(p.error), true);
    c.out += "</tr>\n";
  }
  c.out += "</tbody>\n</table>\n";
  bool any_not_ok = false;
  for (const auto& [probe, p] : probes) any_not_ok = any_not_ok || !p.not_ok.empty();
  if (any_not_ok) {
    c.out += "<h3>";
    c.word("Results that are not ok");
    c.out += "</h3>\n<table>\n";
    th_row(c, {"Probe", "Node", "Status", "Reason", "Evidence"});
    c.out += "<tbody>\n";
    for (const auto& [probe, p] : probes) {
      for (std::size_t i : p.not_ok) {
        const ProbeResult& r = c.s.results[i];
        c.out += "<tr>";
        td(c, r.probe);
        td(c, r.node);
        td(c, c.w(probe_status_name(r.status)));
        td(c, r.status == ProbeStatus::skipped ? r.reason : r.error);
        td(c, c.journal_ref(i));
        c.out += "</tr>\n";
      }
    }
    c.out += "</tbody>\n</table>\n";
  }
  c.out += "<h3>";
  c.word("Metrics over all nodes");
  c.out += "</h3>\n<table>\n";
  th_row(c, {"Metric", "Entries", "Min", "Median", "Max"});
  c.out += "<tbody>\n";
  std::vector<double> values;
  for (const auto& [key, entries] : c.index.entries_by_key) {
    values.clear();
    for (const Entry& e : entries) values.push_back(e.metric->value);
    const Unit unit = entries.front().metric->unit;
    const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    const double median = *mid;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    c.out += "<tr><td><code>";
    c.esc(key);
    c.out += "</code></td>";
    td(c, std::to_string(entries.size()), true);
    td(c, format_quantity(*lo, unit), true);
    td(c, format_quantity(median, unit), true);
    td(c, format_quantity(*hi, unit), true);
    c.out += "</tr>\n";
  }
  c.out += "</tbody>\n</table>\n";
}

}  // namespace

void write_results(Context& c) {
  open_section(c, "results", "Results");
  if (c.large) {
    c.out += "<p>";
    c.esc(c.tr("{} results from {} nodes, summarised per probe; journal.jsonl holds each with its raw samples.",
               c.s.results.size(), c.s.nodes.size()));
    c.out += "</p>\n";
    summarised_results(c);
  } else {
    for (std::size_t i = 0; i < c.s.results.size(); ++i) full_result(c, i);
  }
  c.out += "</section>\n";
}

}  // namespace assay::html
