#include "reports/report_markdown.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "core/iso_time.h"
#include "reports/gbt46346.h"
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

// Up to this many nodes the headline names them all and report.md prints link matrices.
constexpr std::size_t kMaxListedNodes = 8;
constexpr std::size_t kMaxMatrixNodes = 16;
// Longer lists (outliers of one key, bad pairs, worst pairs) are cut here; summary.json
// has them all.
constexpr std::size_t kMaxListed = 20;
// "Needs attention" of a large run lists this many; the verdicts section has them all.
constexpr std::size_t kMaxAttention = 50;

std::string fleet_outlier_id(std::string_view key, double median, std::string_view node, std::string_view subject) {
  return fmt::format("{}\x1f{}\x1f{}\x1f{}", key, std::bit_cast<std::uint64_t>(median), node, subject);
}

// What every section reads: the summary, the words of the report's language, and the
// indexes that keep a 10,000-node report linear in its verdicts.
class Report {
 public:
  Report(const ReportInput& input, const Words& words)
      : s(input.summary), inventory(input.inventory), w(words), large(s.nodes.size() > kMarkdownDetailedNodes) {
    for (const auto& f : s.fleet) {
      fleet_by_key_[f.key].push_back(&f);
      // A power figure has a group per probe and domain: its outliers are one per node.
      for (const auto& o : f.outliers) {
        fleet_outliers_.insert(fleet_outlier_id(f.key, f.median, o.node, f.scope.empty() ? o.subject : ""));
      }
    }
    for (const auto& v : s.verdicts) {
      if (v.node == fleet_node) fleet_verdicts_[v.key].push_back(&v);
    }
  }

  /// `english` (an fmt pattern) in the report's language, formatted.
  template <typename... Args>
  std::string say(std::string_view english, Args&&... args) const {
    return fmt::format(fmt::runtime(w(english)), std::forward<Args>(args)...);
  }
  std::string word(std::string_view english) const { return std::string(w(english)); }
  std::string status(VerdictStatus st) const { return std::string(w.status(verdict_status_name(st))); }

  // Fleet verdicts compare with a figure of the fleet, not with a rated one: the spread
  // with the plan's largest cv, an outlier with the fleet median.
  bool is_fleet_outlier(const Verdict& v) const {
    const auto it = fleet_by_key_.find(v.key);
    if (it == fleet_by_key_.end() || !v.rated) return false;
    return std::any_of(it->second.begin(), it->second.end(), [&](const FleetStat* f) {
      return *v.rated == f->median &&
             fleet_outliers_.count(fleet_outlier_id(f->key, f->median, v.node, f->scope.empty() ? v.subject : ""));
    });
  }

  const Verdict* spread_verdict(const FleetStat& f) const {
    const auto it = fleet_verdicts_.find(f.key);
    if (it == fleet_verdicts_.end()) return nullptr;
    for (const Verdict* v : it->second) {
      if (f.scope.empty() || v->subject.starts_with(f.scope + ":")) return v;
    }
    return nullptr;
  }

  const Summary& s;
  const Json& inventory;
  const Words& w;
  const bool large;  ///< summarise instead of listing every row

 private:
  std::unordered_map<std::string, std::vector<const FleetStat*>> fleet_by_key_;
  std::unordered_set<std::string> fleet_outliers_;
  std::unordered_map<std::string, std::vector<const Verdict*>> fleet_verdicts_;
};

std::string reference_label(const Report& r, const Verdict& v) {
  if (v.node == fleet_node) return "limit";
  if (r.is_fleet_outlier(v)) return "fleet median";
  return v.derived ? "derived" : "rated";
}

std::string measured_vs_rated(const Report& r, const Verdict& v) {
  if (!v.measured) return v.message;
  std::string text = (v.node == fleet_node ? "cv " : "") + format_verdict_figure(v, *v.measured);
  if (v.rated) {
    text = r.say("{} vs {} {} ({})", text, r.word(reference_label(r, v)), format_verdict_figure(v, *v.rated),
                 format_ratio(v.ratio));
  }
  return text;
}

std::size_t missing_count(const Summary& s) {
  return static_cast<std::size_t>(
      std::count_if(s.nodes.begin(), s.nodes.end(), [](const NodeStatus& n) { return n.status != "ok"; }));
}

// Node statuses are "ok" or "missing"; anything else is shown as recorded.
std::string node_status(const Report& r, const std::string& status) {
  return status == "ok" || status == "missing" ? r.word(status) : status;
}

std::string nodes_cell(const Report& r) {
  const Summary& s = r.s;
  if (s.nodes.size() <= kMaxListedNodes) {
    std::string names;
    for (const auto& n : s.nodes) {
      names += (names.empty() ? "" : ", ") +
               (n.status == "ok" ? n.name : "**" + n.name + " (" + node_status(r, n.status) + ")**");
    }
    return r.say("{}: {}", s.nodes.size(), names);
  }
  const std::size_t missing = missing_count(s);
  return missing == 0 ? r.say("{}, all ok", s.nodes.size())
                      : r.say("{}: {} ok, {} missing (see Nodes)", s.nodes.size(), s.nodes.size() - missing,
                              missing);
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

void write_headline(std::string& out, const Report& r) {
  const Summary& s = r.s;
  const VerdictCounts c = count_verdicts(s.verdicts);
  out += "# " + r.say("Acceptance report: {}", s.plan_name) + "\n\n";
  const std::pair<std::size_t, VerdictStatus> counts[] = {
      {c.pass, VerdictStatus::pass}, {c.warn, VerdictStatus::warn}, {c.fail, VerdictStatus::fail},
      {c.info, VerdictStatus::info}, {c.skip, VerdictStatus::skip}, {c.error, VerdictStatus::error}};
  std::string tally;
  for (const auto& [n, st] : counts) tally += (tally.empty() ? "" : r.word(", ")) + fmt::format("{} {}", n, r.status(st));
  out += fmt::format("**{}** — {}\n\n", r.word(s.accepted ? "ACCEPTED" : "NOT ACCEPTED"), tally);
  out += header({"", ""});
  out += row({r.word("Plan"), r.say("{} (suite {})", s.plan_file, s.suite)});
  out += row({r.word("Nodes"), nodes_cell(r)});
  out += row({r.word("Run"), r.say("{} to {}", s.started, s.finished)});
  out += row({"assay", r.say("{} (build {}, {}, {})", s.assay.version, s.assay.git, s.assay.build_type,
                             s.assay.compiler)});
  out += "\n";
}

bool needs_attention(const Verdict& v) {
  return v.status == VerdictStatus::fail || v.status == VerdictStatus::error || v.status == VerdictStatus::warn;
}

void write_attention(std::string& out, const Report& r) {
  const Summary& s = r.s;
  const std::size_t total =
      static_cast<std::size_t>(std::count_if(s.verdicts.begin(), s.verdicts.end(), needs_attention));
  if (total == 0) return;
  out += "## " + r.word("Needs attention") + "\n\n";
  std::size_t listed = 0;
  for (const auto& v : s.verdicts) {
    if (!needs_attention(v)) continue;
    if (r.large && listed == kMaxAttention) break;
    ++listed;
    const std::string what = v.measured ? measured_vs_rated(r, v) + r.word(". ") + (v.inconclusive ? v.message : v.criterion)
                                        : v.criterion + ": " + v.message;
    out += fmt::format("- **{}** {} {} `{}`: {}\n", r.status(v.status), v.node, v.subject.empty() ? "-" : v.subject,
                       v.key, what);
  }
  if (listed < total) out += "- " + r.say("and {} more in Verdicts below", total - listed) + "\n";
  out += "\n";
}

struct InventoryRow {
  std::string node, cpu, layout, memory, os;
};

std::vector<InventoryRow> inventory_rows(const Report& r) {
  std::vector<InventoryRow> rows;
  const Json& inventory = r.inventory;
  const Json* nodes = inventory.is_object() && inventory.contains("nodes") ? &inventory["nodes"] : nullptr;
  if (!nodes || !nodes->is_array()) return rows;
  for (const auto& n : *nodes) {
    // A node that never reported has only its name and status in inventory.json.
    if (!n.is_object() || !n.contains("cpu")) {
      const std::string name = n.is_object() ? n.value("node", n.value("name", std::string("?"))) : "?";
      const std::string status = n.is_object() ? n.value("status", std::string("unknown")) : "unknown";
      rows.push_back({name, r.say("no inventory ({})", node_status(r, status)), "-", "-", "-"});
      continue;
    }
    const Json cpu = n.value("cpu", Json::object());
    const Json mem = n.value("memory", Json::object());
    const Json os = n.value("os", Json::object());
    rows.push_back({n.value("node", std::string("?")), cpu.value("model_name", std::string("?")),
                    fmt::format("{} / {} / {}", cpu.value("sockets", 0), cpu.value("cores", 0),
                                cpu.value("logical_cpus", 0)),
                    format_quantity(mem.value("total_bytes", 0.0), Unit::byte),
                    r.say("{}, kernel {}", os.value("pretty_name", std::string("?")),
                          os.value("kernel", std::string("?")))});
  }
  return rows;
}

void write_context(std::string& out, const Report& r) {
  out += "## " + r.word("Context") + "\n\n";
  if (r.s.context.warnings.empty()) {
    out += r.word("No warnings about the measuring conditions.") + "\n\n";
  } else {
    for (const auto& w : r.s.context.warnings) out += "- " + w + "\n";
    out += "\n";
  }
  const std::vector<InventoryRow> rows = inventory_rows(r);
  if (rows.empty()) return;
  const std::vector<std::string> columns = {r.word("CPU"), r.word("Sockets / cores / threads"), r.word("Memory"),
                                            r.word("OS")};
  if (!r.large) {
    out += header({r.word("Node"), columns[0], columns[1], columns[2], columns[3]});
    for (const auto& i : rows) out += row({i.node, i.cpu, i.layout, i.memory, i.os});
    out += "\n";
    return;
  }
  // A large fleet is a few configurations repeated: one row per configuration.
  struct Group {
    std::size_t count = 0;
    std::string first;
  };
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Group> groups;
  for (const auto& i : rows) {
    Group& g = groups[{i.cpu, i.layout, i.memory, i.os}];
    if (g.count++ == 0) g.first = i.node;
  }
  out += r.say("{} nodes in {} configurations; every node's inventory is in inventory.json.", rows.size(),
               groups.size()) +
         "\n\n";
  out += header({r.word("Nodes"), columns[0], columns[1], columns[2], columns[3]});
  for (const auto& [config, g] : groups) {
    out += row({r.say("{} (first: {})", g.count, g.first), std::get<0>(config), std::get<1>(config),
                std::get<2>(config), std::get<3>(config)});
  }
  out += "\n";
}

std::string rated_cell(const Report& r, const Verdict& v) {
  const std::string label = reference_label(r, v);
  const std::string figure = format_verdict_figure(v, *v.rated);
  return label == "rated" ? figure : r.say("{} ({})", figure, r.word(label));
}

void write_nodes(std::string& out, const Report& r) {
  const Summary& s = r.s;
  const std::size_t missing = missing_count(s);
  if (s.nodes.size() < 2 && missing == 0) return;
  out += "## " + r.word("Nodes") + "\n\n";
  if (r.large) {
    out += missing == 0 ? r.say("{} nodes, all ok; the list in rank order is in summary.json.", s.nodes.size())
                        : r.say("{} nodes; **{} missing**, listed below by rank: they stopped answering or never "
                                "reported, and their ERROR verdicts say what was lost. Every other node is ok; "
                                "the list in rank order is in summary.json.",
                                s.nodes.size(), missing);
    out += "\n\n";
    if (missing == 0) return;
  } else {
    out += missing == 0 ? r.say("{} nodes in rank order, all ok.", s.nodes.size())
                        : r.say("{} nodes in rank order; **{} missing**: they stopped answering or never "
                                "reported, and their ERROR verdicts say what was lost.",
                                s.nodes.size(), missing);
    out += "\n\n";
  }
  out += header({r.word("Rank"), r.word("Node"), r.word("Status")});
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const auto& n = s.nodes[i];
    if (r.large && n.status == "ok") continue;
    out += row({std::to_string(i), n.status == "ok" ? n.name : "**" + n.name + "**",
                n.status == "ok" ? node_status(r, n.status) : "**" + node_status(r, n.status) + "**"});
  }
  out += "\n";
}

// A link names both its ends; other subjects need their node.
std::string entry_name(const FleetOutlier& o) {
  const std::string link = link_text(o.subject);
  return link != o.subject ? link : o.node + " " + o.subject;
}

std::string limit_cell(const Report& r, const FleetStat& f) {
  if (!f.outlier_limit) return "-";
  // A spread this wide puts the limit below zero, where no figure of a rate can fall.
  if (f.better == Better::higher && *f.outlier_limit < 0 && f.min >= 0) return r.word("below 0 (spread too wide)");
  return fmt::format("{} {}", f.better == Better::higher ? ">=" : "<=", format_quantity(*f.outlier_limit, f.unit));
}

void write_fleet(std::string& out, const Report& r) {
  const Summary& s = r.s;
  if (s.fleet.empty()) return;
  out += "## " + r.word("Fleet") + "\n\n";
  out += r.word("Each metric measured on two or more nodes, all its (node, subject) values as one group "
                "(power figures: one group per probe and domain): "
                "the spread is judged against the plan's `fleet_max_cv`; outliers lie beyond the limit, "
                "`fleet_outlier_mads` MADs from the median on the bad side (docs/verdicts-and-bundle.md).") +
         "\n\n";
  out += header({r.word("Metric"), r.word("Entries"), r.word("Median"), r.word("Min .. max"), r.word("CV"), "MAD",
                 r.word("Spread"), r.word("Limit"), r.word("Outliers")});
  for (const auto& f : s.fleet) {
    const Verdict* spread = r.spread_verdict(f);
    std::string outliers;
    if (!f.outlier_limit) {
      outliers = r.word("not judged (fewer than 3 entries)");
    } else if (f.outliers.empty()) {
      outliers = r.word("none");
    }
    for (std::size_t i = 0; i < f.outliers.size() && i < kMaxListed; ++i) {
      const auto& o = f.outliers[i];
      outliers += fmt::format("{}**{}** {} ({})", i == 0 ? "" : "; ", entry_name(o), format_quantity(o.value, f.unit),
                              format_ratio(f.median != 0 ? std::optional(o.value / f.median) : std::nullopt));
    }
    if (f.outliers.size() > kMaxListed) outliers += r.say("; and {} more", f.outliers.size() - kMaxListed);
    out += row({"`" + f.key + "`" + (f.scope.empty() ? "" : " (" + f.scope + ")"),
                r.say("{} on {} nodes", f.n, f.nodes), format_quantity(f.median, f.unit),
                format_quantity(f.min, f.unit) + " .. " + format_quantity(f.max, f.unit),
                fmt::format("{:.2f}%", f.cv * 100.0), format_quantity(f.mad, f.unit),
                spread ? fmt::format("{} (cv <= {:g}%)", r.status(spread->status), spread->rated.value_or(0) * 100.0)
                       : "-",
                limit_cell(r, f), outliers});
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

void write_matrix(std::string& out, const Report& r, const LinkMatrix& m, const LinkFigure& fig,
                  const std::map<std::string, std::vector<const Verdict*>>& bad) {
  const auto& grid = m.*fig.grid;
  out += fmt::format("### {}\n\n", r.word(fig.title));
  std::vector<std::string> head{fig.symmetric ? "" : r.word("from \\ to")};
  for (const auto& n : m.nodes) head.push_back(n);
  out += header(head);
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    std::vector<std::string> cells{m.nodes[i]};
    for (std::size_t j = 0; j < m.nodes.size(); ++j) {
      if (i == j) {
        cells.push_back("-");
      } else if (!grid[i][j]) {
        cells.push_back(r.word("n/a"));
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
void write_worst_pairs(std::string& out, const Report& r, const LinkMatrix& m, const LinkFigure& fig) {
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
  const std::size_t shown = std::min(pairs.size(), kMaxListed);
  // Only the worst few are printed: order those, not every pair of the fleet.
  std::partial_sort(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(shown), pairs.end(),
                    [higher](const Pair& a, const Pair& b) {
                      if (a.value != b.value) return higher ? a.value < b.value : a.value > b.value;
                      return std::tie(a.from, a.to) < std::tie(b.from, b.to);
                    });
  const FleetStat* f = find_fleet_stat(r.s, fig.key);
  out += "### " + r.say("{}: the {} worst of {} pairs", r.word(fig.title), shown, pairs.size()) + "\n\n";
  out += header({r.word("Link"), r.word(fig.title), r.word("Of fleet median")});
  for (std::size_t k = 0; k < shown; ++k) {
    const Pair& p = pairs[k];
    out += row({m.nodes[p.from] + (fig.symmetric ? " <-> " : " -> ") + m.nodes[p.to],
                format_quantity(p.value, fig.unit),
                format_ratio(f && f->median != 0 ? std::optional(p.value / f->median) : std::nullopt)});
  }
  out += "\n";
}

void write_links(std::string& out, const Report& r) {
  if (!r.s.links) return;
  const LinkMatrix& m = *r.s.links;
  const auto bad = bad_links(r.s);
  out += "## " + r.word("Links") + "\n\n";
  const bool print_matrices = m.nodes.size() <= kMaxMatrixNodes;
  if (print_matrices) {
    out += r.say("Point-to-point figures between the {} nodes (`interconnect.p2p`). Bandwidth is "
                 "from the row's node to the column's; n/a: not measured; **bold**: needs "
                 "attention (listed below the matrices).",
                 m.nodes.size());
  } else {
    out += r.say("{} nodes are too many for a readable matrix: the full matrices are in summary.json "
                 "(`links`); the worst pairs of each figure follow.",
                 m.nodes.size());
  }
  out += "\n\n";
  for (const auto& fig : kLinkFigures) {
    if (!grid_has_values(m.*fig.grid)) continue;
    if (print_matrices) {
      write_matrix(out, r, m, fig, bad);
    } else {
      write_worst_pairs(out, r, m, fig);
    }
  }
  if (bad.empty()) {
    out += r.word("No link is below its rated figure or far below the fleet's median.") + "\n\n";
    return;
  }
  out += "### " + r.word("Links that need attention") + "\n\n";
  std::size_t listed = 0, total = 0;
  for (const auto& [id, verdicts] : bad) {
    for (const Verdict* v : verdicts) {
      if (total++ >= kMaxListed) continue;
      ++listed;
      out += fmt::format("- **{}** {}\n", r.status(v->status),
                         r.say("{} `{}` (reported by {}): {}. {}", link_text(v->subject), v->key, v->node,
                               measured_vs_rated(r, *v), v->inconclusive ? v->message : v->criterion));
    }
  }
  if (total > listed) out += "- " + r.say("and {} more in the verdicts below", total - listed) + "\n";
  out += "\n";
}

std::vector<std::string> verdict_header(const Report& r) {
  return {r.word("Status"), r.word("Node"),  r.word("Subject"),   r.word("Metric"), r.word("Measured"),
          r.word("Rated"),  r.word("Ratio"), r.word("Criterion"), r.word("Source")};
}

std::string verdict_row(const Report& r, const Verdict& v) {
  std::string criterion = v.criterion;
  if (v.inconclusive) criterion = r.word("inconclusive: rerun with more repetitions; ") + criterion;
  if (!v.measured) criterion += ": " + v.message;
  return row({r.status(v.status), v.node, v.subject, "`" + v.key + "`",
              v.measured ? format_verdict_figure(v, *v.measured) : "-", v.rated ? rated_cell(r, v) : "-",
              format_ratio(v.ratio), criterion, v.source});
}

// PASS and INFO verdicts of a large run, summarised per metric key and status.
void write_verdict_groups(std::string& out, const Report& r) {
  struct Group {
    std::size_t count = 0;
    std::vector<std::pair<double, const Verdict*>> measured;
  };
  std::map<std::pair<std::string_view, VerdictStatus>, Group> groups;
  for (const auto& v : r.s.verdicts) {
    if (v.status != VerdictStatus::pass && v.status != VerdictStatus::info) continue;
    if (v.node == fleet_node) continue;  // listed in full: one per fleet group
    Group& g = groups[{v.key, v.status}];
    ++g.count;
    if (v.measured) g.measured.emplace_back(*v.measured, &v);
  }
  if (groups.empty()) return;
  out += "### " + r.word("PASS and INFO verdicts by metric") + "\n\n";
  out += header({r.word("Metric"), r.word("Status"), r.word("Verdicts"), r.word("Min"), r.word("Median"),
                 r.word("Max"), r.word("Worst")});
  for (auto& [id, g] : groups) {
    std::vector<std::string> cells{"`" + std::string(id.first) + "`", r.status(id.second), std::to_string(g.count)};
    if (g.measured.empty()) {
      cells.insert(cells.end(), {"-", "-", "-", "-"});
      out += row(cells);
      continue;
    }
    auto& values = g.measured;
    const auto by_value = [](const auto& a, const auto& b) { return a.first < b.first; };
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end(), by_value);
    const Verdict& any = *values.front().second;
    const FleetStat* f = find_fleet_stat(r.s, id.first);
    const bool lower_is_better = f && f->better == Better::lower;
    const Verdict& worst = *(lower_is_better ? hi : lo)->second;
    const double min = lo->first, max = hi->first;
    auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end(), by_value);
    const double median = mid->first;
    cells.insert(cells.end(),
                 {format_verdict_figure(any, min), format_verdict_figure(any, median),
                  format_verdict_figure(any, max),
                  fmt::format("{} {} ({})", worst.node + (worst.subject.empty() ? "" : " " + worst.subject),
                              format_verdict_figure(worst, *worst.measured), format_ratio(worst.ratio))});
    out += row(cells);
  }
  out += "\n";
}

void write_verdicts(std::string& out, const Report& r) {
  const Summary& s = r.s;
  out += "## " + r.word("Verdicts") + "\n\n";
  if (s.verdicts.empty()) {
    out += r.word("No verdicts.") + "\n\n";
    return;
  }
  if (!r.large) {
    out += header(verdict_header(r));
    for (const auto& v : s.verdicts) out += verdict_row(r, v);
    out += "\n";
    return;
  }
  const auto in_full = [](const Verdict& v) {
    return v.node == fleet_node || (v.status != VerdictStatus::pass && v.status != VerdictStatus::info);
  };
  const auto listed = static_cast<std::size_t>(std::count_if(s.verdicts.begin(), s.verdicts.end(), in_full));
  out += r.say("{} verdicts. Every verdict other than PASS and INFO is listed in full ({}, with the fleet "
               "verdicts); PASS and INFO verdicts are summarised per metric below. Every verdict is in "
               "summary.json and results.csv.",
               s.verdicts.size(), listed) +
         "\n\n";
  if (listed > 0) {
    out += header(verdict_header(r));
    for (const auto& v : s.verdicts) {
      if (in_full(v)) out += verdict_row(r, v);
    }
    out += "\n";
  }
  write_verdict_groups(out, r);
}

void write_result(std::string& out, const Report& r, const ProbeResult& res) {
  const double seconds = std::chrono::duration<double>(res.end - res.start).count();
  out += "### " + r.say("{} on {} ({}, {:.1f} s)", res.probe, res.node, r.word(probe_status_name(res.status)), seconds) +
         "\n\n";
  if (res.status == ProbeStatus::skipped) out += r.say("Skipped: {}", res.reason) + "\n\n";
  if (res.status == ProbeStatus::error) out += r.say("Error: {}", res.error) + "\n\n";
  if (!res.params.empty()) {
    std::string params;
    for (const auto& p : res.params) params += (params.empty() ? "" : ", ") + p.name + " = " + param_value_text(p.value);
    out += r.say("Parameters: {}", params) + "\n\n";
  }
  if (res.validation.checked) {
    out += r.say("Validation: {} — {}", r.word(res.validation.passed ? "passed" : "FAILED"), res.validation.detail) +
           "\n\n";
    if (!res.validation.passed && !res.metrics.empty()) {
      out += r.word("The figures below come from a run whose self-check failed; they are shown, not judged.") +
             "\n\n";
    }
  }
  if (!res.metrics.empty()) {
    out += header({r.word("Metric"), r.word("Subject"), r.word("Value"), r.word("Value of"), r.word("Median 95% CI"),
                   r.word("CV"), "n", r.word("Min"), r.word("Max")});
    for (const auto& m : res.metrics) {
      const auto& st = m.stats;
      out += row({"`" + m.key + "`", m.subject.empty() ? res.subject : m.subject, format_quantity(m.value, m.unit),
                  r.word(m.rule == ValueRule::best ? "best sample" : "median"),
                  fmt::format("{} .. {} ({:.1f}%)", format_quantity(st.median_ci_low, m.unit),
                              format_quantity(st.median_ci_high, m.unit), st.median_ci_level * 100.0),
                  fmt::format("{:.2f}%", st.cv * 100.0), std::to_string(st.n), format_quantity(st.min, m.unit),
                  format_quantity(st.max, m.unit)});
    }
    out += "\n";
    for (const auto& m : res.metrics) {
      if (!m.note.empty()) out += fmt::format("- `{}`: {}\n", m.key, m.note);
    }
  }
  for (const auto& n : res.notes) out += "- " + n + "\n";
  out += "\n";
}

// A large run: how each probe fared; the per-node tables are in results.csv.
void write_result_counts(std::string& out, const Report& r) {
  struct Counts {
    std::size_t runs = 0, ok = 0, skipped = 0, error = 0;
  };
  std::map<std::string_view, Counts> by_probe;
  std::unordered_set<std::string_view> nodes;
  for (const auto& res : r.s.results) {
    Counts& c = by_probe[res.probe];
    ++c.runs;
    if (res.status == ProbeStatus::ok) ++c.ok;
    else if (res.status == ProbeStatus::skipped) ++c.skipped;
    else ++c.error;
    nodes.insert(res.node);
  }
  out += r.say("{} probe runs on {} nodes. Every figure of every node with its statistics is in results.csv and "
               "summary.json; skipped and failed runs are the SKIP and ERROR verdicts above.",
               r.s.results.size(), nodes.size()) +
         "\n\n";
  if (by_probe.empty()) return;
  out += header({r.word("Probe"), r.word("Runs"), r.word("ok"), r.word("skipped"), r.word("error")});
  for (const auto& [probe, c] : by_probe) {
    out += row({std::string(probe), std::to_string(c.runs), std::to_string(c.ok), std::to_string(c.skipped),
                std::to_string(c.error)});
  }
  out += "\n";
}

void write_results(std::string& out, const Report& r) {
  out += "## " + r.word("Results") + "\n\n";
  if (r.large) return write_result_counts(out, r);
  for (const auto& res : r.s.results) write_result(out, r, res);
}

// A large run's figures derived on each node (peaks from clocks and cores), per key.
void write_derived_rated(std::string& out, const Report& r) {
  struct Range {
    Unit unit = Unit::ratio;
    double min = 0, max = 0;
    std::size_t count = 0;
  };
  std::map<std::string_view, Range> by_key;
  for (const auto& rated : r.s.rated) {
    if (!rated.derived) continue;
    Range& g = by_key[rated.key];
    g.unit = rated.unit;
    g.min = g.count == 0 ? rated.value : std::min(g.min, rated.value);
    g.max = g.count == 0 ? rated.value : std::max(g.max, rated.value);
    ++g.count;
  }
  for (const auto& [key, g] : by_key) {
    out += row({"`" + std::string(key) + "`",
                r.say("{} .. {} (derived on {} nodes)", format_quantity(g.min, g.unit), format_quantity(g.max, g.unit),
                      g.count),
                r.word("derived on each node from its own figures"), r.word("each node's basis is in summary.json")});
  }
}

void write_rated(std::string& out, const Report& r) {
  if (r.s.rated.empty()) return;
  out += "## " + r.word("Rated figures") + "\n\n";
  out += header({r.word("Metric"), r.word("Figure"), r.word("Source"), r.word("Basis")});
  for (const auto& rated : r.s.rated) {
    if (r.large && rated.derived) continue;
    const std::string figure = format_quantity(rated.value, rated.unit);
    out += row({"`" + rated.key + "`", rated.derived ? r.say("{} (derived)", figure) : figure, rated.source,
                rated.basis});
  }
  if (r.large) write_derived_rated(out, r);
  out += "\n";
}

std::string keys_cell(const GbtIndicatorRow& row) {
  std::string keys;
  for (const auto& k : row.metric_keys) {
    keys += (keys.empty() ? "`" : ", `") + (k.ends_with('.') ? k + "*" : k) + "`";
  }
  return keys.empty() ? "-" : keys;
}

void write_gbt46346(std::string& out, const Report& r) {
  const bool zh = r.w.lang() == Lang::zh;
  const std::vector<GbtIndicatorRow> rows = map_to_gbt46346(r.s);
  out += "## " + r.word("GB/T 46346-2025 indicator mapping") + "\n\n";
  out += r.word("assay's reading of GB/T 46346-2025 (Artificial intelligence — Computing center — Computing "
                "capability assessment): which of the standard's assessment methods (clauses 7.2 to 7.9) this "
                "run's figures speak to, aggregated over its nodes. It is not the standard's text or its "
                "assessment procedure, and placing each method under an indicator group is assay's reading; "
                "a board assessing against the standard follows the standard (docs/gbt46346.md).") +
         "\n\n";
  out += header({r.word("Group"), r.word("Indicator"), r.word("Clause"), r.word("assay metrics"),
                 r.word("Worst verdict"), r.word("Figures")});
  for (const auto& i : rows) {
    const std::string verdicts =
        i.worst ? r.say("{} (verdicts: {})", r.status(*i.worst), i.verdicts) : r.word("no verdict");
    const std::string figures = i.measured ? std::to_string(i.figures.size()) : r.word("not measured");
    out += row({std::string(zh ? gbt_group_name_zh(i.group) : gbt_group_name_en(i.group)),
                zh ? i.indicator_zh : i.indicator_en, i.clause, keys_cell(i), verdicts, figures});
  }
  out += "\n";
  for (const auto& i : rows) {
    out += fmt::format("**{} {}**", i.clause, zh ? i.indicator_zh : i.indicator_en);
    const std::string& note = zh ? i.note_zh : i.note_en;
    out += note.empty() ? "\n" : (zh ? "：" : ": ") + note + "\n";
    if (!i.figures.empty()) out += "\n";
    for (const auto& f : i.figures) {
      const std::string label = zh ? f.label_zh : f.label_en;
      out += "- " + (f.nodes > 0 ? r.say("{}: {} (nodes: {})", label, format_gbt_figure(f), f.nodes)
                                 : r.say("{}: {}", label, format_gbt_figure(f))) +
             "\n";
    }
    out += "\n";
  }
}

}  // namespace

std::string render_markdown(const ReportInput& input, const Words& words) {
  const Report r(input, words);
  std::string out;
  write_headline(out, r);
  write_attention(out, r);
  write_context(out, r);
  write_nodes(out, r);
  write_fleet(out, r);
  write_links(out, r);
  write_verdicts(out, r);
  write_results(out, r);
  write_rated(out, r);
  write_gbt46346(out, r);
  out += r.word(r.large ? "Raw samples are in journal.jsonl, every figure in results.csv and summary.json, beside "
                          "this report."
                        : "Raw samples and every figure above are in summary.json and journal.jsonl beside this "
                          "report.") +
         "\n";
  return out;
}

std::string render_markdown(const ReportInput& input) {
  const Words words(input.lang, markdown_translations());
  return render_markdown(input, words);
}

std::string render_markdown(const Summary& summary, const Json& inventory) {
  return render_markdown(ReportInput{.summary = summary, .inventory = inventory, .lang = Lang::en, .journal_lines = {}});
}

}  // namespace assay
