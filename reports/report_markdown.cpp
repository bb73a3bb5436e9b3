#include "reports/report_markdown.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "core/iso_time.h"
#include "reports/verdict_table.h"

namespace assay {
namespace {

std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const auto& c : cells) out += " " + cell(c) + " |";
  return out + "\n";
}

std::string header(const std::vector<std::string>& cells) {
  std::string out = row(cells) + "|";
  for (std::size_t i = 0; i < cells.size(); ++i) out += "---|";
  return out + "\n";
}

// Fleet verdicts compare with a figure of the fleet, not with a rated one: the spread
// with the plan's largest cv, an outlier with the fleet median.
bool is_fleet_outlier(const Summary& s, const Verdict& v) {
  // A power figure has a group per probe and domain; its outlier verdicts name the scope.
  return std::any_of(s.fleet.begin(), s.fleet.end(), [&](const FleetStat& f) {
    if (f.key != v.key || v.rated != f.median) return false;
    const std::string& subject = f.scope.empty() ? v.subject : f.scope;
    return std::any_of(f.outliers.begin(), f.outliers.end(), [&](const FleetOutlier& o) {
      return o.node == v.node && (f.scope.empty() ? o.subject : f.scope) == subject;
    });
  });
}

std::string reference_label(const Summary& s, const Verdict& v) {
  if (v.node == fleet_node) return "limit";
  if (is_fleet_outlier(s, v)) return "fleet median";
  return v.derived ? "derived" : "rated";
}

std::string measured_vs_rated(const Summary& s, const Verdict& v) {
  if (!v.measured) return v.message;
  std::string text = (v.node == fleet_node ? "cv " : "") + format_verdict_figure(v, *v.measured);
  if (v.rated) {
    text += fmt::format(" vs {} {} ({})", reference_label(s, v), format_verdict_figure(v, *v.rated),
                        format_ratio(v.ratio));
  }
  return text;
}

// Up to this many nodes the headline names them all and report.md prints link matrices.
constexpr std::size_t kMaxListedNodes = 8;
constexpr std::size_t kMaxMatrixNodes = 16;
// Longer lists (outliers of one key, bad pairs, worst pairs) are cut here; summary.json
// has them all.
constexpr std::size_t kMaxListed = 20;

std::size_t missing_count(const Summary& s) {
  return static_cast<std::size_t>(
      std::count_if(s.nodes.begin(), s.nodes.end(), [](const NodeStatus& n) { return n.status != "ok"; }));
}

std::string nodes_cell(const Summary& s) {
  if (s.nodes.size() <= kMaxListedNodes) {
    std::string names;
    for (const auto& n : s.nodes) {
      names += (names.empty() ? "" : ", ") + (n.status == "ok" ? n.name : "**" + n.name + " (" + n.status + ")**");
    }
    return fmt::format("{}: {}", s.nodes.size(), names);
  }
  const std::size_t missing = missing_count(s);
  return missing == 0 ? fmt::format("{}, all ok", s.nodes.size())
                      : fmt::format("{}: {} ok, {} missing (see Nodes)", s.nodes.size(),
                                    s.nodes.size() - missing, missing);
}

// "a->b" -> "a -> b", so both ends of a link read as names.
std::string link_text(std::string subject) {
  for (std::string_view arrow : {"<->", "->"}) {
    if (const auto at = subject.find(arrow); at != std::string::npos) {
      return subject.substr(0, at) + " " + std::string(arrow) + " " + subject.substr(at + arrow.size());
    }
  }
  return subject;
}

void write_headline(std::string& out, const Summary& s) {
  const VerdictCounts c = count_verdicts(s.verdicts);
  out += fmt::format("# Acceptance report: {}\n\n", s.plan_name);
  out += fmt::format("**{}** — {} PASS, {} WARN, {} FAIL, {} INFO, {} SKIP, {} ERROR\n\n",
                     s.accepted ? "ACCEPTED" : "NOT ACCEPTED", c.pass, c.warn, c.fail, c.info, c.skip,
                     c.error);
  out += header({"", ""});
  out += row({"Plan", fmt::format("{} (suite {})", s.plan_file, s.suite)});
  out += row({"Nodes", nodes_cell(s)});
  out += row({"Run", fmt::format("{} to {}", s.started, s.finished)});
  out += row({"assay", fmt::format("{} (build {}, {}, {})", s.assay.version, s.assay.git, s.assay.build_type,
                                   s.assay.compiler)});
  out += "\n";
}

void write_attention(std::string& out, const Summary& s) {
  std::vector<const Verdict*> items;
  for (const auto& v : s.verdicts) {
    if (v.status == VerdictStatus::fail || v.status == VerdictStatus::error ||
        v.status == VerdictStatus::warn) {
      items.push_back(&v);
    }
  }
  if (items.empty()) return;
  out += "## Needs attention\n\n";
  for (const Verdict* v : items) {
    const std::string what = v->measured ? measured_vs_rated(s, *v) + ". " +
                                               (v->inconclusive ? v->message : v->criterion)
                                         : v->criterion + ": " + v->message;
    out += fmt::format("- **{}** {} {} `{}`: {}\n", verdict_status_name(v->status), v->node,
                       v->subject.empty() ? "-" : v->subject, v->key, what);
  }
  out += "\n";
}

void write_context(std::string& out, const Summary& s, const Json& inventory) {
  out += "## Context\n\n";
  if (s.context.warnings.empty()) {
    out += "No warnings about the measuring conditions.\n\n";
  } else {
    for (const auto& w : s.context.warnings) out += "- " + w + "\n";
    out += "\n";
  }
  const Json* nodes = inventory.is_object() && inventory.contains("nodes") ? &inventory["nodes"] : nullptr;
  if (!nodes || !nodes->is_array() || nodes->empty()) return;
  out += header({"Node", "CPU", "Sockets / cores / threads", "Memory", "OS"});
  for (const auto& n : *nodes) {
    // A node that never reported has only its name and status in inventory.json.
    if (!n.is_object() || !n.contains("cpu")) {
      const std::string name = n.is_object() ? n.value("node", n.value("name", std::string("?"))) : "?";
      const std::string status = n.is_object() ? n.value("status", std::string("unknown")) : "unknown";
      out += row({name, "no inventory (" + status + ")", "-", "-", "-"});
      continue;
    }
    const Json cpu = n.value("cpu", Json::object());
    const Json mem = n.value("memory", Json::object());
    const Json os = n.value("os", Json::object());
    out += row({n.value("node", std::string("?")), cpu.value("model_name", std::string("?")),
                fmt::format("{} / {} / {}", cpu.value("sockets", 0), cpu.value("cores", 0),
                            cpu.value("logical_cpus", 0)),
                format_quantity(mem.value("total_bytes", 0.0), Unit::byte),
                fmt::format("{}, kernel {}", os.value("pretty_name", std::string("?")),
                            os.value("kernel", std::string("?")))});
  }
  out += "\n";
}

std::string rated_cell(const Summary& s, const Verdict& v) {
  const std::string label = reference_label(s, v);
  return format_verdict_figure(v, *v.rated) + (label == "rated" ? "" : " (" + label + ")");
}

void write_nodes(std::string& out, const Summary& s) {
  const std::size_t missing = missing_count(s);
  if (s.nodes.size() < 2 && missing == 0) return;
  out += "## Nodes\n\n";
  out += missing == 0 ? fmt::format("{} nodes in rank order, all ok.\n\n", s.nodes.size())
                      : fmt::format("{} nodes in rank order; **{} missing**: they stopped answering or never "
                                    "reported, and their ERROR verdicts say what was lost.\n\n",
                                    s.nodes.size(), missing);
  out += header({"Rank", "Node", "Status"});
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const auto& n = s.nodes[i];
    out += row({std::to_string(i), n.status == "ok" ? n.name : "**" + n.name + "**",
                n.status == "ok" ? n.status : "**" + n.status + "**"});
  }
  out += "\n";
}

// A link names both its ends; other subjects need their node.
std::string entry_name(const FleetOutlier& o) {
  const std::string link = link_text(o.subject);
  return link != o.subject ? link : o.node + " " + o.subject;
}

const Verdict* spread_verdict(const Summary& s, const FleetStat& f) {
  for (const auto& v : s.verdicts) {
    if (v.node == fleet_node && v.key == f.key && (f.scope.empty() || v.subject.starts_with(f.scope + ":"))) {
      return &v;
    }
  }
  return nullptr;
}

std::string limit_cell(const FleetStat& f) {
  if (!f.outlier_limit) return "-";
  // A spread this wide puts the limit below zero, where no figure of a rate can fall.
  if (f.better == Better::higher && *f.outlier_limit < 0 && f.min >= 0) return "below 0 (spread too wide)";
  return fmt::format("{} {}", f.better == Better::higher ? ">=" : "<=", format_quantity(*f.outlier_limit, f.unit));
}

void write_fleet(std::string& out, const Summary& s) {
  if (s.fleet.empty()) return;
  out += "## Fleet\n\n";
  out += "Each metric measured on two or more nodes, all its (node, subject) values as one group "
         "(power figures: one group per probe and domain): "
         "the spread is judged against the plan's `fleet_max_cv`; outliers lie beyond the limit, "
         "`fleet_outlier_mads` MADs from the median on the bad side (docs/verdicts-and-bundle.md).\n\n";
  out += header({"Metric", "Entries", "Median", "Min .. max", "CV", "MAD", "Spread", "Limit", "Outliers"});
  for (const auto& f : s.fleet) {
    const Verdict* spread = spread_verdict(s, f);
    std::string outliers;
    if (!f.outlier_limit) {
      outliers = "not judged (fewer than 3 entries)";
    } else if (f.outliers.empty()) {
      outliers = "none";
    }
    for (std::size_t i = 0; i < f.outliers.size() && i < kMaxListed; ++i) {
      const auto& o = f.outliers[i];
      outliers += fmt::format("{}**{}** {} ({})", i == 0 ? "" : "; ", entry_name(o),
                              format_quantity(o.value, f.unit),
                              format_ratio(f.median != 0 ? std::optional(o.value / f.median) : std::nullopt));
    }
    if (f.outliers.size() > kMaxListed) outliers += fmt::format("; and {} more", f.outliers.size() - kMaxListed);
    out += row({"`" + f.key + "`" + (f.scope.empty() ? "" : " (" + f.scope + ")"), fmt::format("{} on {} nodes", f.n, f.nodes), format_quantity(f.median, f.unit),
                format_quantity(f.min, f.unit) + " .. " + format_quantity(f.max, f.unit),
                fmt::format("{:.2f}%", f.cv * 100.0), format_quantity(f.mad, f.unit),
                spread ? fmt::format("{} (cv <= {:g}%)", verdict_status_name(spread->status),
                                     spread->rated.value_or(0) * 100.0)
                       : "-",
                limit_cell(f),
                outliers});
  }
  out += "\n";
}

struct LinkFigure {
  std::string_view key;
  std::string_view title;
  Unit unit;
  Better better;
  const LinkMatrix::Grid LinkMatrix::*grid;
  bool symmetric;
};

constexpr LinkFigure kLinkFigures[] = {
    {"interconnect.p2p.latency", "Latency", Unit::second, Better::lower, &LinkMatrix::latency, true},
    {"interconnect.p2p.bandwidth", "Bandwidth", Unit::byte_per_s, Better::higher, &LinkMatrix::bandwidth, false},
    {"interconnect.p2p.bibandwidth", "Bidirectional bandwidth", Unit::byte_per_s, Better::higher,
     &LinkMatrix::bibandwidth, true},
};

// Verdicts on links that need attention (below the rated figure, or fleet outliers),
// by key and link subject.
std::map<std::string, std::vector<const Verdict*>> bad_links(const Summary& s) {
  std::map<std::string, std::vector<const Verdict*>> bad;
  for (const auto& v : s.verdicts) {
    if (v.node == fleet_node || !v.measured) continue;
    if (v.status != VerdictStatus::fail && v.status != VerdictStatus::warn) continue;
    for (const auto& fig : kLinkFigures) {
      if (v.key == fig.key) bad[v.key + " " + v.subject].push_back(&v);
    }
  }
  return bad;
}

bool grid_has_values(const LinkMatrix::Grid& grid) {
  for (const auto& r : grid) {
    for (const auto& c : r) {
      if (c) return true;
    }
  }
  return false;
}

void write_matrix(std::string& out, const LinkMatrix& m, const LinkFigure& fig,
                  const std::map<std::string, std::vector<const Verdict*>>& bad) {
  const auto& grid = m.*fig.grid;
  out += fmt::format("### {}\n\n", fig.title);
  std::vector<std::string> head{fig.symmetric ? "" : "from \\ to"};
  for (const auto& n : m.nodes) head.push_back(n);
  out += header(head);
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    std::vector<std::string> cells{m.nodes[i]};
    for (std::size_t j = 0; j < m.nodes.size(); ++j) {
      if (i == j) {
        cells.push_back("-");
      } else if (!grid[i][j]) {
        cells.push_back("n/a");
      } else {
        const std::string prefix = std::string(fig.key) + " ";
        const bool is_bad = bad.count(prefix + m.nodes[i] + (fig.symmetric ? "<->" : "->") + m.nodes[j]) ||
                            (fig.symmetric && bad.count(prefix + m.nodes[j] + "<->" + m.nodes[i]));
        const std::string value = format_quantity(*grid[i][j], fig.unit);
        cells.push_back(is_bad ? "**" + value + "**" : value);
      }
    }
    out += row(cells);
  }
  out += "\n";
}

// For fleets too large to print: the worst measured pairs of one figure.
void write_worst_pairs(std::string& out, const Summary& s, const LinkMatrix& m, const LinkFigure& fig) {
  struct Pair {
    std::size_t from, to;
    double value;
  };
  std::vector<Pair> pairs;
  const auto& grid = m.*fig.grid;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    for (std::size_t j = fig.symmetric ? i + 1 : 0; j < m.nodes.size(); ++j) {
      if (i != j && grid[i][j]) pairs.push_back({i, j, *grid[i][j]});
    }
  }
  if (pairs.empty()) return;
  const bool higher = fig.better == Better::higher;
  std::stable_sort(pairs.begin(), pairs.end(), [higher](const Pair& a, const Pair& b) {
    return higher ? a.value < b.value : a.value > b.value;
  });
  const FleetStat* f = find_fleet_stat(s, fig.key);
  out += fmt::format("### {}: the {} worst of {} pairs\n\n", fig.title, std::min(pairs.size(), kMaxListed),
                     pairs.size());
  out += header({"Link", std::string(fig.title), "Of fleet median"});
  for (std::size_t k = 0; k < pairs.size() && k < kMaxListed; ++k) {
    const Pair& p = pairs[k];
    out += row({m.nodes[p.from] + (fig.symmetric ? " <-> " : " -> ") + m.nodes[p.to],
                format_quantity(p.value, fig.unit),
                format_ratio(f && f->median != 0 ? std::optional(p.value / f->median) : std::nullopt)});
  }
  out += "\n";
}

void write_links(std::string& out, const Summary& s) {
  if (!s.links) return;
  const LinkMatrix& m = *s.links;
  const auto bad = bad_links(s);
  out += "## Links\n\n";
  const bool print_matrices = m.nodes.size() <= kMaxMatrixNodes;
  if (print_matrices) {
    out += fmt::format("Point-to-point figures between the {} nodes (`interconnect.p2p`). Bandwidth is "
                       "from the row's node to the column's; n/a: not measured; **bold**: needs "
                       "attention (listed below the matrices).\n\n",
                       m.nodes.size());
  } else {
    out += fmt::format("{} nodes are too many for a readable matrix: the full matrices are in summary.json "
                       "(`links`); the worst pairs of each figure follow.\n\n",
                       m.nodes.size());
  }
  for (const auto& fig : kLinkFigures) {
    if (!grid_has_values(m.*fig.grid)) continue;
    if (print_matrices) {
      write_matrix(out, m, fig, bad);
    } else {
      write_worst_pairs(out, s, m, fig);
    }
  }
  if (bad.empty()) {
    out += "No link is below its rated figure or far below the fleet's median.\n\n";
    return;
  }
  out += "### Links that need attention\n\n";
  std::size_t listed = 0, total = 0;
  for (const auto& [id, verdicts] : bad) {
    for (const Verdict* v : verdicts) {
      if (total++ >= kMaxListed) continue;
      ++listed;
      out += fmt::format("- **{}** {} `{}` (reported by {}): {}. {}\n", verdict_status_name(v->status),
                         link_text(v->subject), v->key, v->node, measured_vs_rated(s, *v),
                         v->inconclusive ? v->message : v->criterion);
    }
  }
  if (total > listed) out += fmt::format("- and {} more in the verdicts below\n", total - listed);
  out += "\n";
}

void write_verdicts(std::string& out, const Summary& s) {
  out += "## Verdicts\n\n";
  if (s.verdicts.empty()) {
    out += "No verdicts.\n\n";
    return;
  }
  out += header({"Status", "Node", "Subject", "Metric", "Measured", "Rated", "Ratio", "Criterion", "Source"});
  for (const auto& v : s.verdicts) {
    std::string criterion = v.criterion;
    if (v.inconclusive) criterion = "inconclusive: rerun with more repetitions; " + criterion;
    if (!v.measured) criterion += ": " + v.message;
    out += row({std::string(verdict_status_name(v.status)), v.node, v.subject, "`" + v.key + "`",
                v.measured ? format_verdict_figure(v, *v.measured) : "-",
                v.rated ? rated_cell(s, v) : "-",
                format_ratio(v.ratio), criterion, v.source});
  }
  out += "\n";
}

void write_results(std::string& out, const Summary& s) {
  out += "## Results\n\n";
  for (const auto& r : s.results) {
    const double seconds = std::chrono::duration<double>(r.end - r.start).count();
    out += fmt::format("### {} on {} ({}, {:.1f} s)\n\n", r.probe, r.node, probe_status_name(r.status), seconds);
    if (r.status == ProbeStatus::skipped) out += "Skipped: " + r.reason + "\n\n";
    if (r.status == ProbeStatus::error) out += "Error: " + r.error + "\n\n";
    if (!r.params.empty()) {
      std::string params;
      for (const auto& p : r.params) params += (params.empty() ? "" : ", ") + p.name + " = " + param_value_text(p.value);
      out += "Parameters: " + params + "\n\n";
    }
    if (r.validation.checked) {
      out += fmt::format("Validation: {} — {}\n\n", r.validation.passed ? "passed" : "FAILED", r.validation.detail);
      if (!r.validation.passed && !r.metrics.empty()) {
        out += "The figures below come from a run whose self-check failed; they are shown, not judged.\n\n";
      }
    }
    if (!r.metrics.empty()) {
      out += header({"Metric", "Subject", "Value", "Value of", "Median 95% CI", "CV", "n", "Min", "Max"});
      for (const auto& m : r.metrics) {
        const auto& st = m.stats;
        out += row({"`" + m.key + "`", m.subject.empty() ? r.subject : m.subject, format_quantity(m.value, m.unit),
                    m.rule == ValueRule::best ? "best sample" : "median",
                    fmt::format("{} .. {} ({:.1f}%)", format_quantity(st.median_ci_low, m.unit),
                                format_quantity(st.median_ci_high, m.unit), st.median_ci_level * 100.0),
                    fmt::format("{:.2f}%", st.cv * 100.0), std::to_string(st.n),
                    format_quantity(st.min, m.unit), format_quantity(st.max, m.unit)});
      }
      out += "\n";
      for (const auto& m : r.metrics) {
        if (!m.note.empty()) out += fmt::format("- `{}`: {}\n", m.key, m.note);
      }
    }
    for (const auto& n : r.notes) out += "- " + n + "\n";
    out += "\n";
  }
}

void write_rated(std::string& out, const Summary& s) {
  if (s.rated.empty()) return;
  out += "## Rated figures\n\n";
  out += header({"Metric", "Figure", "Source", "Basis"});
  for (const auto& r : s.rated) {
    out += row({"`" + r.key + "`", format_quantity(r.value, r.unit) + (r.derived ? " (derived)" : ""), r.source,
                r.basis});
  }
  out += "\n";
}

}  // namespace

std::string render_markdown(const Summary& summary, const Json& inventory) {
  std::string out;
  write_headline(out, summary);
  write_attention(out, summary);
  write_context(out, summary, inventory);
  write_nodes(out, summary);
  write_fleet(out, summary);
  write_links(out, summary);
  write_verdicts(out, summary);
  write_results(out, summary);
  write_rated(out, summary);
  out += "Raw samples and every figure above are in summary.json and journal.jsonl beside this report.\n";
  return out;
}

}  // namespace assay
