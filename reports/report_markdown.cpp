#include "reports/report_markdown.h"

#include <chrono>
#include <map>

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

std::string measured_vs_rated(const Verdict& v) {
  if (!v.measured) return v.message;
  std::string text = format_quantity(*v.measured, v.unit);
  if (v.rated) {
    text += fmt::format(" vs {} {} ({})", v.derived ? "derived" : "rated",
                        format_quantity(*v.rated, v.unit), format_ratio(v.ratio));
  }
  return text;
}

void write_headline(std::string& out, const Summary& s) {
  const VerdictCounts c = count_verdicts(s.verdicts);
  out += fmt::format("# Acceptance report: {}\n\n", s.plan_name);
  out += fmt::format("**{}** — {} PASS, {} WARN, {} FAIL, {} INFO, {} SKIP, {} ERROR\n\n",
                     s.accepted ? "ACCEPTED" : "NOT ACCEPTED", c.pass, c.warn, c.fail, c.info, c.skip,
                     c.error);
  out += header({"", ""});
  out += row({"Plan", fmt::format("{} (suite {})", s.plan_file, s.suite)});
  std::string names;
  for (const auto& n : s.nodes) names += (names.empty() ? "" : ", ") + n.name + (n.status == "ok" ? "" : " (" + n.status + ")");
  out += row({"Nodes", fmt::format("{}: {}", s.nodes.size(), names)});
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
    const std::string what = v->measured ? measured_vs_rated(*v) + ". " +
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
                v.measured ? format_quantity(*v.measured, v.unit) : "-",
                v.rated ? format_quantity(*v.rated, v.unit) + (v.derived ? " (derived)" : "") : "-",
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
  write_verdicts(out, summary);
  write_results(out, summary);
  write_rated(out, summary);
  out += "Raw samples and every figure above are in summary.json and journal.jsonl beside this report.\n";
  return out;
}

}  // namespace assay
