// report.html, per probe family (cpu, memory, gpu, interconnect, storage, power): each
// metric as a chart of measured against rated and the fleet, its table, the family's
// fleet statistics, the link matrices as heat maps and power over time.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "reports/report_html_parts.h"
#include "reports/svg_chart.h"
#include "reports/verdict_table.h"

namespace assay::html {
namespace {

constexpr std::string_view kFamilyOrder[] = {"cpu", "memory", "gpu", "interconnect", "storage", "power"};

std::string_view family_title(std::string_view family) {
  if (family == "cpu") return "CPU";
  if (family == "memory") return "Memory";
  if (family == "gpu") return "GPU";
  if (family == "interconnect") return "Interconnect";
  if (family == "storage") return "Storage";
  if (family == "power") return "Power";
  return {};
}

std::string entry_label(const Entry& e) {
  if (e.subject.find("->") != std::string_view::npos) return link_text(e.subject);
  return std::string(e.node) + " " + std::string(e.subject);
}

const FleetStat* unscoped_fleet(const Summary& s, std::string_view key) {
  for (const auto& f : s.fleet) {
    if (f.key == key && f.scope.empty()) return &f;
  }
  return nullptr;
}

// The status an entry is coloured by: the worse of its rated and outlier verdicts.
std::optional<VerdictStatus> entry_status(const EntryVerdicts* ev) {
  if (!ev) return std::nullopt;
  std::optional<VerdictStatus> worst;
  for (const Verdict* v : {ev->rated, ev->outlier}) {
    if (v && (!worst || verdict_status_severity(v->status) > verdict_status_severity(*worst))) worst = v->status;
  }
  return worst;
}

std::string status_colour(std::optional<VerdictStatus> status) {
  if (!status) return std::string(svg::colour::neutral);
  switch (*status) {
    case VerdictStatus::pass: return std::string(svg::colour::pass);
    case VerdictStatus::warn: return std::string(svg::colour::warn);
    case VerdictStatus::fail:
    case VerdictStatus::error: return std::string(svg::colour::fail);
    case VerdictStatus::info: return std::string(svg::colour::neutral);
    default: return std::string(svg::colour::muted);
  }
}

// What a key's charts draw across: rated figure, fail threshold, fleet median and the
// outlier limit, each when it applies to every entry alike.
struct KeyReference {
  std::optional<double> rated, threshold;
  bool derived = false;
  bool rated_varies = false;  ///< per-node derived peaks: no single line to draw
};

KeyReference key_reference(const std::vector<Entry>& entries) {
  KeyReference ref;
  for (const Entry& e : entries) {
    if (!e.verdicts || !e.verdicts->rated || !e.verdicts->rated->rated) continue;
    const Verdict& v = *e.verdicts->rated;
    if (!ref.rated) {
      ref.rated = v.rated;
      ref.threshold = fail_threshold(v);
      ref.derived = v.derived;
    } else if (*ref.rated != *v.rated) {
      ref.rated_varies = true;
      break;
    }
  }
  return ref;
}

std::vector<svg::ReferenceLine> reference_lines(const Context& c, const KeyReference& ref, const FleetStat* f,
                                                Unit unit) {
  std::vector<svg::ReferenceLine> lines;
  if (ref.rated && !ref.rated_varies) {
    lines.push_back({*ref.rated, c.tr(ref.derived ? "derived {}" : "rated {}", format_quantity(*ref.rated, unit)),
                     std::string(svg::colour::rated), false});
    if (ref.threshold && *ref.threshold != *ref.rated) {
      lines.push_back({*ref.threshold, c.tr("threshold {}", format_quantity(*ref.threshold, unit)),
                       std::string(svg::colour::threshold), true});
    }
  }
  if (f) {
    lines.push_back({f->median, c.tr("fleet median {}", format_quantity(f->median, unit)),
                     std::string(svg::colour::median), true});
    if (f->outlier_limit) {
      lines.push_back({*f->outlier_limit, c.tr("outlier limit {}", format_quantity(*f->outlier_limit, unit)),
                       std::string(svg::colour::limit), true});
    }
  }
  return lines;
}

void entry_row(Context& c, const Entry& e, const EntryVerdicts* ev) {
  const auto status = entry_status(ev);
  c.out += "<tr";
  if (status) {
    c.out += " class=\"r-";
    c.out += status_class(*status);
    c.out += "\"";
  }
  c.out += ">";
  td(c, e.node);
  td(c, link_text(e.subject));
  td(c, format_quantity(e.metric->value, e.metric->unit), true);
  c.out += "<td class=\"num\">";
  bool any = false;
  for (const Verdict* v : {ev ? ev->rated : nullptr, ev ? ev->outlier : nullptr}) {
    if (!v || !v->rated) continue;
    if (any) c.out += "<br>";
    any = true;
    c.esc(format_quantity(*v->rated, v->unit));
    c.out += " <span class=\"note\">(";
    c.word(reference_label(c, *v));
    c.out += ", ";
    c.esc(format_ratio(v->ratio));
    c.out += ")</span>";
  }
  if (!any) c.out += "-";
  c.out += "</td><td>";
  any = false;
  for (const Verdict* v : {ev ? ev->rated : nullptr, ev ? ev->outlier : nullptr}) {
    if (!v) continue;
    if (any) c.out += " ";
    any = true;
    status_badge(c, v->status, v->inconclusive);
  }
  if (!any) c.out += "-";
  c.out += "</td>";
  td(c, c.journal_ref(e.result));
  c.out += "</tr>\n";
}

void write_key(Context& c, const std::string& key, const std::vector<Entry>& entries) {
  const Unit unit = entries.front().metric->unit;
  const Better better = entries.front().metric->better;
  const FleetStat* f = unscoped_fleet(c.s, key);
  const KeyReference ref = key_reference(entries);
  c.out += "<h3><code>";
  c.esc(key);
  c.out += "</code></h3>\n";
  if (ref.rated_varies) {
    c.out += "<p class=\"note\">";
    c.word("The figure compared with differs per node (a derived peak): the table gives each one.");
    c.out += "</p>\n";
  }
  std::vector<const EntryVerdicts*> verdicts;
  verdicts.reserve(entries.size());
  for (const Entry& e : entries) verdicts.push_back(e.verdicts);
  const auto lines = reference_lines(c, ref, f, unit);
  c.out += "<div class=\"charts\">";
  if (!c.large && entries.size() <= kMaxBars) {
    svg::BarChart chart{.title = c.tr("{}: measured per node", key), .unit = unit, .bars = {}, .lines = lines,
                        .dots = better == Better::lower};
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto status = entry_status(verdicts[i]);
      const bool bad = status && (*status == VerdictStatus::fail || *status == VerdictStatus::warn);
      chart.bars.push_back({entry_label(entries[i]), entries[i].metric->value, status_colour(status), bad});
    }
    c.out += svg::bar_chart(chart);
  } else {
    std::vector<double> values, marked;
    values.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      values.push_back(entries[i].metric->value);
      if (verdicts[i] && verdicts[i]->outlier) marked.push_back(entries[i].metric->value);
    }
    c.out += svg::distribution_chart({.title = c.tr("{}: {} values, sorted", key, values.size()),
                                      .unit = unit,
                                      .values = values,
                                      .marked = marked,
                                      .lines = lines,
                                      .x_label = c.tr("entries from worst to best ({})", values.size())});
    c.out += svg::histogram({.title = c.tr("{}: distribution", key),
                             .unit = unit,
                             .values = std::move(values),
                             .marked = std::move(marked),
                             .lines = lines,
                             .bins = 40});
  }
  c.out += "</div>\n<table>\n";
  th_row(c, {"Node", "Subject", "Measured", "Reference", "Verdict", "Evidence"});
  c.out += "<tbody>\n";
  std::size_t listed = 0, not_listed = 0, pass = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto status = entry_status(verdicts[i]);
    // At scale only entries that need a look get a row; the PASS ones are counted.
    if (c.large && (!status || *status == VerdictStatus::pass || *status == VerdictStatus::info)) {
      ++pass;
      continue;
    }
    if (c.large && listed >= kMaxListed * 5) {
      ++not_listed;
      continue;
    }
    ++listed;
    entry_row(c, entries[i], verdicts[i]);
  }
  c.out += "</tbody>\n</table>\n";
  if (c.large) {
    c.out += "<p>";
    c.esc(c.tr("{} of {} entries pass or are not judged and are not listed.", pass, entries.size()));
    if (not_listed > 0) c.esc(" " + c.tr("and {} more in the verdict table.", not_listed));
    c.out += "</p>\n";
  }
}

void write_fleet_table(Context& c, std::string_view family) {
  std::vector<const FleetStat*> stats;
  for (const auto& f : c.s.fleet) {
    if (family_of_key(f.key) == family) stats.push_back(&f);
  }
  if (stats.empty()) return;
  c.out += "<h3>";
  c.word("Across the fleet");
  c.out += "</h3>\n<p class=\"note\">";
  c.word("All (node, subject) values of a metric as one group; outliers lie beyond the limit, on the bad side of "
         "the median.");
  c.out += "</p>\n<table>\n";
  th_row(c, {"Metric", "Entries", "Median", "Min .. max", "CV", "Outlier limit", "Outliers"});
  c.out += "<tbody>\n";
  for (const FleetStat* f : stats) {
    c.out += f->outliers.empty() ? "<tr>" : "<tr class=\"r-fail\">";
    c.out += "<td><code>";
    c.esc(f->key);
    c.out += "</code>";
    if (!f->scope.empty()) {
      c.out += " (";
      c.esc(f->scope);
      c.out += ")";
    }
    c.out += "</td>";
    td(c, c.tr("{} on {} nodes", f->n, f->nodes), true);
    td(c, format_quantity(f->median, f->unit), true);
    td(c, format_quantity(f->min, f->unit) + " .. " + format_quantity(f->max, f->unit), true);
    td(c, fmt::format("{:.2f}%", f->cv * 100.0), true);
    td(c, f->outlier_limit ? (f->better == Better::higher ? ">= " : "<= ") + format_quantity(*f->outlier_limit, f->unit)
                           : std::string("-"),
       true);
    std::string outliers;
    if (!f->outlier_limit) {
      outliers = c.tr("not judged (fewer than 3 entries)");
    } else if (f->outliers.empty()) {
      outliers = c.tr("none");
    }
    for (std::size_t i = 0; i < f->outliers.size() && i < kMaxListed; ++i) {
      const auto& o = f->outliers[i];
      const std::string name = o.subject.find("->") != std::string::npos ? link_text(o.subject) : o.node + " " + o.subject;
      outliers += (i ? "; " : "") + name + " " + format_quantity(o.value, f->unit);
    }
    if (f->outliers.size() > kMaxListed) outliers += "; " + c.tr("and {} more", f->outliers.size() - kMaxListed);
    td(c, outliers);
    c.out += "</tr>\n";
  }
  c.out += "</tbody>\n</table>\n";
}

struct LinkFigure {
  std::string_view key;
  std::string_view title;
  Unit unit;
  bool higher_is_better;
  const LinkMatrix::Grid LinkMatrix::*grid;
  bool symmetric;
};

constexpr LinkFigure kLinkFigures[] = {
    {"interconnect.p2p.latency", "Link latency", Unit::second, false, &LinkMatrix::latency, true},
    {"interconnect.p2p.bandwidth", "Link bandwidth (row sends to column)", Unit::byte_per_s, true,
     &LinkMatrix::bandwidth, false},
    {"interconnect.p2p.bibandwidth", "Bidirectional link bandwidth", Unit::byte_per_s, true,
     &LinkMatrix::bibandwidth, true},
};

bool grid_has_values(const LinkMatrix::Grid& grid) {
  for (const auto& r : grid) {
    for (const auto& v : r) {
      if (v) return true;
    }
  }
  return false;
}

// Cells whose link has a WARN or FAIL verdict (rated or outlier).
std::vector<std::vector<bool>> marked_links(const Context& c, const LinkMatrix& m, const LinkFigure& fig) {
  std::vector<std::vector<bool>> marked(m.nodes.size(), std::vector<bool>(m.nodes.size(), false));
  std::unordered_map<std::string_view, std::size_t> at;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) at.emplace(m.nodes[i], i);
  const auto it = c.index.verdicts_by_key.find(fig.key);
  if (it == c.index.verdicts_by_key.end()) return marked;
  for (std::size_t vi : it->second) {
    const Verdict& v = c.s.verdicts[vi];
    if (v.node == fleet_node || (v.status != VerdictStatus::fail && v.status != VerdictStatus::warn)) continue;
    const std::string_view arrow = fig.symmetric ? "<->" : "->";
    const auto split = v.subject.find(arrow);
    if (split == std::string::npos) continue;
    const auto a = at.find(std::string_view(v.subject).substr(0, split));
    const auto b = at.find(std::string_view(v.subject).substr(split + arrow.size()));
    if (a == at.end() || b == at.end()) continue;
    marked[a->second][b->second] = true;
    if (fig.symmetric) marked[b->second][a->second] = true;
  }
  return marked;
}

void write_worst_pairs(Context& c, const LinkMatrix& m, const LinkFigure& fig) {
  struct Pair {
    std::size_t from, to;
    double value;
  };
  std::vector<Pair> pairs;
  std::vector<double> values;
  const auto& grid = m.*fig.grid;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    for (std::size_t j = fig.symmetric ? i + 1 : 0; j < grid[i].size(); ++j) {
      if (i != j && grid[i][j]) {
        pairs.push_back({i, j, *grid[i][j]});
        values.push_back(*grid[i][j]);
      }
    }
  }
  const std::size_t shown = std::min(pairs.size(), kMaxListed);
  std::partial_sort(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(shown), pairs.end(),
                    [&](const Pair& a, const Pair& b) {
                      if (a.value != b.value) return fig.higher_is_better ? a.value < b.value : a.value > b.value;
                      return std::tie(a.from, a.to) < std::tie(b.from, b.to);
                    });
  c.out += "<div class=\"charts\">";
  c.out += svg::histogram({.title = c.tr("{}: {} pairs", c.w(fig.title), values.size()),
                           .unit = fig.unit,
                           .values = std::move(values),
                           .marked = {},
                           .lines = {},
                           .bins = 40});
  c.out += "</div>\n<p>";
  c.esc(c.tr("{} nodes are too many for a readable matrix; the {} worst of {} pairs:", m.nodes.size(), shown,
             pairs.size()));
  c.out += "</p>\n<table>\n";
  th_row(c, {"Link", "Measured"});
  c.out += "<tbody>\n";
  for (std::size_t k = 0; k < shown; ++k) {
    c.out += "<tr>";
    td(c, m.nodes[pairs[k].from] + (fig.symmetric ? " <-> " : " -> ") + m.nodes[pairs[k].to]);
    td(c, format_quantity(pairs[k].value, fig.unit), true);
    c.out += "</tr>\n";
  }
  c.out += "</tbody>\n</table>\n";
}

void write_links(Context& c) {
  if (!c.s.links) return;
  const LinkMatrix& m = *c.s.links;
  c.out += "<h3>";
  c.word("Link matrix");
  c.out += "</h3>\n<p class=\"note\">";
  c.word("Point-to-point figures between nodes (interconnect.p2p): each cell is the link from the row's node to "
         "the column's, coloured from worst (red) to best (green); grey: not measured; a heavy outline: a WARN or "
         "FAIL verdict on that link.");
  c.out += "</p>\n";
  for (const auto& fig : kLinkFigures) {
    if (!grid_has_values(m.*fig.grid)) continue;
    if (m.nodes.size() > kMaxHeatMapNodes) {
      write_worst_pairs(c, m, fig);
      continue;
    }
    svg::HeatMap chart{.title = std::string(c.w(fig.title)),
                       .unit = fig.unit,
                       .higher_is_better = fig.higher_is_better,
                       .row_labels = m.nodes,
                       .column_labels = m.nodes,
                       .cells = m.*fig.grid,
                       .marked = marked_links(c, m, fig),
                       .labels = {.higher_is_better = std::string(c.w("higher is better")),
                                  .lower_is_better = std::string(c.w("lower is better")),
                                  .not_measured = std::string(c.w("not measured")),
                                  .needs_attention = std::string(c.w("needs attention"))}};
    c.out += "<div class=\"charts\">";
    c.out += svg::heat_map(chart);
    c.out += "</div>\n";
  }
}

struct PowerTrace {
  std::size_t result;
  const ResultTable* table;
  std::size_t time_column, power_column;
};

// Power tables ("power.<source>:<domain>", columns time and power) by table name.
std::map<std::string, std::vector<PowerTrace>> power_traces(const Summary& s) {
  std::map<std::string, std::vector<PowerTrace>> traces;
  for (std::size_t i = 0; i < s.results.size(); ++i) {
    for (const auto& t : s.results[i].tables) {
      if (!t.name.starts_with("power.")) continue;
      std::optional<std::size_t> time, power;
      for (std::size_t k = 0; k < t.columns.size(); ++k) {
        if (t.columns[k].name == "time") time = k;
        if (t.columns[k].name == "power") power = k;
      }
      if (time && power) traces[t.name].push_back({i, &t, *time, *power});
    }
  }
  return traces;
}

void write_power_over_time(Context& c, const std::map<std::string, std::vector<PowerTrace>>& traces) {
  if (traces.empty()) return;
  c.out += "<h3>";
  c.word("Power over time");
  c.out += "</h3>\n<p class=\"note\">";
  c.word("Power sampled while each probe ran, from the start of its window; one line per node and probe.");
  c.out += "</p>\n<div class=\"charts\">";
  for (const auto& [name, list] : traces) {
    svg::LineChart chart{.title = name, .x_unit = Unit::second, .y_unit = Unit::watt, .series = {}};
    for (std::size_t k = 0; k < list.size() && k < kMaxPowerSeries; ++k) {
      const PowerTrace& t = list[k];
      svg::Series series{.label = c.s.results[t.result].node + " " + c.s.results[t.result].probe,
                         .x = {},
                         .y = {},
                         .colour = std::string(svg::series_colour(k))};
      for (const auto& row : t.table->rows) {
        if (row.size() <= std::max(t.time_column, t.power_column)) continue;
        series.x.push_back(row[t.time_column]);
        series.y.push_back(row[t.power_column]);
      }
      chart.series.push_back(std::move(series));
    }
    c.out += svg::line_chart(chart);
    if (list.size() > kMaxPowerSeries) {
      c.out += "<p class=\"note\">";
      c.esc(c.tr("{}: the first {} of {} traces; the rest are in journal.jsonl.", name, kMaxPowerSeries, list.size()));
      c.out += "</p>";
    }
  }
  c.out += "</div>\n";
}

}  // namespace

void write_families(Context& c) {
  std::map<std::string, std::vector<const std::pair<const std::string, std::vector<Entry>>*>> by_family;
  for (const auto& kv : c.index.entries_by_key) by_family[std::string(family_of_key(kv.first))].push_back(&kv);
  const auto traces = power_traces(c.s);
  if (c.s.links) by_family.try_emplace("interconnect");
  if (!traces.empty()) by_family.try_emplace("power");
  std::vector<std::string> order;
  for (std::string_view f : kFamilyOrder) {
    if (by_family.count(std::string(f))) order.emplace_back(f);
  }
  for (const auto& [f, keys] : by_family) {
    if (std::find(std::begin(kFamilyOrder), std::end(kFamilyOrder), f) == std::end(kFamilyOrder)) order.push_back(f);
  }
  for (const std::string& family : order) {
    c.out += "<section class=\"family\" id=\"family-";
    c.esc(family);
    c.out += "\">\n<h2>";
    const std::string_view title = family_title(family);
    c.esc(title.empty() ? family : c.w(title));
    c.out += "</h2>\n";
    for (const auto* kv : by_family[family]) write_key(c, kv->first, kv->second);
    write_fleet_table(c, family);
    if (family == "interconnect") write_links(c);
    if (family == "power") write_power_over_time(c, traces);
    c.out += "</section>\n";
  }
}

}  // namespace assay::html
