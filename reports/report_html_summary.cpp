// report.html, first page: the verdict, what needs attention, and the run's context.

#include <algorithm>
#include <map>
#include <tuple>

#include "reports/report_html_parts.h"
#include "reports/verdict_table.h"

namespace assay::html {
namespace {

void count_item(Context& c, VerdictStatus status, std::size_t n) {
  c.out += "<li>";
  status_badge(c, status);
  c.out += fmt::format(" <b>{}</b></li>", n);
}

std::string figure_or_dash(const Verdict& v, const std::optional<double>& value) {
  return value ? format_verdict_figure(v, *value) : "-";
}

void attention_row(Context& c, const Verdict& v) {
  c.out += "<tr class=\"r-";
  c.out += status_class(v.status);
  c.out += "\"><td>";
  status_badge(c, v.status, v.inconclusive);
  c.out += "</td><td>";
  c.esc(v.node);
  c.out += "</td><td>";
  c.esc(link_text(v.subject));
  c.out += "</td><td><code>";
  c.esc(v.key);
  c.out += "</code></td><td class=\"num\">";
  c.esc(figure_or_dash(v, v.measured));
  c.out += "</td><td class=\"num\">";
  if (v.rated) {
    c.esc(format_verdict_figure(v, *v.rated));
    c.out += " <span class=\"note\">(";
    c.word(reference_label(c, v));
    c.out += ")</span>";
  } else {
    c.out += "-";
  }
  c.out += "</td><td class=\"num\">";
  c.esc(format_ratio(v.ratio));
  c.out += "</td><td class=\"num\">";
  const std::string shortfall = v.measured ? shortfall_text(c, v.ratio) : std::string();
  c.esc(shortfall.empty() ? "-" : shortfall);
  c.out += "</td><td>";
  criterion_and_note(c, v);
  c.out += "</td></tr>\n";
}

}  // namespace

void write_summary(Context& c) {
  const Summary& s = c.s;
  const VerdictCounts n = count_verdicts(s.verdicts);
  c.out += "<section class=\"first\" id=\"summary\">\n<div class=\"verdict ";
  c.out += s.accepted ? "accepted" : "rejected";
  c.out += "\">\n<h1>";
  c.esc(c.tr("Acceptance report: {}", s.plan_name));
  c.out += "</h1>\n<p class=\"big\">";
  c.word(s.accepted ? "ACCEPTED" : "NOT ACCEPTED");
  c.out += "</p>\n<ul class=\"counts\">";
  count_item(c, VerdictStatus::pass, n.pass);
  count_item(c, VerdictStatus::warn, n.warn);
  count_item(c, VerdictStatus::fail, n.fail);
  count_item(c, VerdictStatus::info, n.info);
  count_item(c, VerdictStatus::skip, n.skip);
  count_item(c, VerdictStatus::error, n.error);
  c.out += "</ul>\n<p>";
  c.esc(s.accepted ? c.tr("Every verdict is PASS or INFO: the system meets the plan's rated figures.")
                   : c.tr("Not accepted: {} FAIL, {} ERROR, {} WARN.", n.fail, n.error, n.warn));
  c.out += "</p>\n</div>\n";

  // FAIL and ERROR first (in verdict order), then WARN.
  std::vector<const Verdict*> items;
  for (const auto& v : s.verdicts) {
    if (v.status == VerdictStatus::fail || v.status == VerdictStatus::error) items.push_back(&v);
  }
  for (const auto& v : s.verdicts) {
    if (v.status == VerdictStatus::warn) items.push_back(&v);
  }
  const std::size_t inconclusive = static_cast<std::size_t>(
      std::count_if(s.verdicts.begin(), s.verdicts.end(), [](const Verdict& v) { return v.inconclusive; }));
  if (items.empty()) {
    c.out += "<p>";
    c.word("Nothing needs attention.");
    c.out += "</p>\n</section>\n";
    return;
  }
  c.out += "<h2>";
  c.word("Needs attention");
  c.out += "</h2>\n<p class=\"note\">";
  c.word("Measured against the rated figure (or the derived peak, the fleet median, or the limit); the "
         "ratio is measured / reference and the shortfall how far it misses.");
  if (inconclusive > 0) {
    c.out += " ";
    c.esc(c.tr("{} verdicts are inconclusive: the median's confidence interval straddles the threshold; "
               "rerun them with more repetitions.",
               inconclusive));
  }
  c.out += "</p>\n<table>\n<thead><tr>";
  for (std::string_view h : {"Status", "Node", "Subject", "Metric", "Measured", "Reference", "Ratio", "Shortfall",
                             "Criterion"}) {
    c.out += "<th>";
    c.word(h);
    c.out += "</th>";
  }
  c.out += "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < items.size() && i < kMaxAttentionRows; ++i) attention_row(c, *items[i]);
  c.out += "</tbody>\n</table>\n";
  if (items.size() > kMaxAttentionRows) {
    c.out += "<p>";
    c.esc(c.tr("and {} more in the verdict table.", items.size() - kMaxAttentionRows));
    c.out += "</p>\n";
  }
  c.out += "</section>\n";
}

namespace {

void context_row(Context& c, std::string_view label, const std::string& value) {
  c.out += "<tr><th>";
  c.word(label);
  c.out += "</th><td>";
  c.esc(value);
  c.out += "</td></tr>\n";
}

std::string json_text(const Json& j, std::string_view key, std::string fallback = "?") {
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return fallback;
}

// One line per distinct machine description; a fleet of identical nodes is one line.
void write_inventory(Context& c) {
  const Json& inv = c.input.inventory;
  if (!inv.is_object() || !inv.contains("nodes") || !inv["nodes"].is_array() || inv["nodes"].empty()) return;
  struct Row {
    std::string cpu, cores, memory, os;
    bool operator<(const Row& o) const { return std::tie(cpu, cores, memory, os) < std::tie(o.cpu, o.cores, o.memory, o.os); }
  };
  std::vector<std::pair<std::string, Row>> per_node;
  for (const auto& n : inv["nodes"]) {
    const std::string name = n.is_object() ? json_text(n, "node", json_text(n, "name")) : "?";
    if (!n.is_object() || !n.contains("cpu")) {
      per_node.push_back({name, {c.tr("no inventory ({})", json_text(n, "status", "unknown")), "-", "-", "-"}});
      continue;
    }
    const Json cpu = n.value("cpu", Json::object()), mem = n.value("memory", Json::object()),
               os = n.value("os", Json::object());
    const double bytes = mem.is_object() && mem.contains("total_bytes") && mem["total_bytes"].is_number()
                             ? mem["total_bytes"].get<double>()
                             : 0.0;
    per_node.push_back({name,
                        {json_text(cpu, "model_name"),
                         json_text(cpu, "sockets") + " / " + json_text(cpu, "cores") + " / " +
                             json_text(cpu, "logical_cpus"),
                         format_quantity(bytes, Unit::byte),
                         json_text(os, "pretty_name") + ", " + json_text(os, "kernel")}});
  }
  c.out += "<h3>";
  c.word("Inventory");
  c.out += "</h3>\n<table>\n<thead><tr><th>";
  c.word(c.large ? "Nodes" : "Node");
  c.out += "</th><th>CPU</th><th>";
  c.word("Sockets / cores / threads");
  c.out += "</th><th>";
  c.word("Memory");
  c.out += "</th><th>";
  c.word("Operating system");
  c.out += "</th></tr></thead>\n<tbody>\n";
  auto cells = [&](const Row& r) {
    for (const std::string* cell : {&r.cpu, &r.cores, &r.memory, &r.os}) {
      c.out += "<td>";
      c.esc(*cell);
      c.out += "</td>";
    }
  };
  if (!c.large) {
    for (const auto& [name, r] : per_node) {
      c.out += "<tr><td>";
      c.esc(name);
      c.out += "</td>";
      cells(r);
      c.out += "</tr>\n";
    }
  } else {
    std::map<Row, std::pair<std::size_t, std::string>> groups;  // count, first node
    for (const auto& [name, r] : per_node) {
      auto& g = groups[r];
      if (g.first++ == 0) g.second = name;
    }
    for (const auto& [r, g] : groups) {
      c.out += "<tr><td>";
      c.esc(c.tr("{} nodes (e.g. {})", g.first, g.second));
      c.out += "</td>";
      cells(r);
      c.out += "</tr>\n";
    }
  }
  c.out += "</tbody>\n</table>\n";
}

}  // namespace

void write_run_context(Context& c) {
  const Summary& s = c.s;
  open_section(c, "context", "Run context");
  c.out += "<table>\n<tbody>\n";
  context_row(c, "Plan", c.tr("{} ({}, suite {})", s.plan_name, s.plan_file, s.suite));
  std::vector<const NodeStatus*> missing;
  for (const auto& n : s.nodes) {
    if (n.status != "ok") missing.push_back(&n);
  }
  context_row(c, "Nodes", c.tr("{} planned, {} ok, {} missing", s.nodes.size(), s.nodes.size() - missing.size(),
                               missing.size()));
  if (!s.nodes.empty() && s.nodes.size() <= 8) {
    std::string names;
    for (const auto& n : s.nodes) names += (names.empty() ? "" : ", ") + n.name + (n.status == "ok" ? "" : " (" + std::string(c.w(n.status)) + ")");
    context_row(c, "Node names", names);
  } else if (!missing.empty()) {
    std::string names;
    for (std::size_t i = 0; i < missing.size() && i < kMaxListed; ++i) names += (i ? ", " : "") + missing[i]->name;
    if (missing.size() > kMaxListed) names += " " + c.tr("and {} more", missing.size() - kMaxListed);
    context_row(c, "Missing nodes", names);
  }
  context_row(c, "Started", s.started);
  context_row(c, "Finished", s.finished);
  context_row(c, "assay build",
              c.tr("{} (git {}, {}, {}; MPI {}, CUDA {})", s.assay.version, s.assay.git, s.assay.build_type,
                   s.assay.compiler, c.w(s.assay.mpi ? "yes" : "no"), c.w(s.assay.cuda ? "yes" : "no")));
  c.out += "</tbody>\n</table>\n<h3>";
  c.word("Warnings about the measuring conditions");
  c.out += "</h3>\n";
  if (s.context.warnings.empty()) {
    c.out += "<p>";
    c.word("None.");
    c.out += "</p>\n";
  } else {
    c.out += "<ul>\n";
    for (const auto& warning : s.context.warnings) {
      c.out += "<li>";
      c.esc(warning);
      c.out += "</li>\n";
    }
    c.out += "</ul>\n";
  }
  write_inventory(c);
  c.out += "</section>\n";
}

}  // namespace assay::html
