#include "reports/report_html.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "reports/report_html_parts.h"
#include "reports/svg_chart.h"
#include "reports/verdict_table.h"

namespace assay {
namespace html {

void Context::esc(std::string_view text) const { svg::append_escaped(out, text); }

std::string Context::journal_ref(std::size_t result) const {
  if (result < input.journal_lines.size() && input.journal_lines[result] != 0) {
    return tr("journal.jsonl line {}", input.journal_lines[result]);
  }
  return "journal.jsonl";
}

namespace {

// Every fleet outlier with its group's median: a verdict on that entry whose rated
// figure is the median judges the outlier.
std::unordered_map<EntryKey, double, EntryKeyHash> outlier_medians(const Summary& s) {
  std::unordered_map<EntryKey, double, EntryKeyHash> medians;
  for (const auto& f : s.fleet) {
    for (const auto& o : f.outliers) medians.emplace(EntryKey{f.key, o.node, o.subject}, f.median);
  }
  return medians;
}

}  // namespace

Index build_index(const Summary& s) {
  Index index;
  for (std::size_t i = 0; i < s.results.size(); ++i) {
    const ProbeResult& r = s.results[i];
    if (r.status != ProbeStatus::ok) continue;
    for (const Metric& m : r.metrics) {
      auto it = index.entries_by_key.find(m.key);
      if (it == index.entries_by_key.end()) it = index.entries_by_key.emplace(m.key, std::vector<Entry>{}).first;
      it->second.push_back({i, &m, r.node, m.subject.empty() ? std::string_view(r.subject) : m.subject, nullptr});
    }
  }
  const auto medians = outlier_medians(s);
  index.verdicts_by_entry.reserve(s.verdicts.size());
  for (std::size_t i = 0; i < s.verdicts.size(); ++i) {
    const Verdict& v = s.verdicts[i];
    auto it = index.verdicts_by_key.find(v.key);
    if (it == index.verdicts_by_key.end()) it = index.verdicts_by_key.emplace(v.key, std::vector<std::size_t>{}).first;
    it->second.push_back(i);
    if (v.node == fleet_node) continue;
    const EntryKey id{v.key, v.node, v.subject};
    const auto median = medians.find(id);
    EntryVerdicts& ev = index.verdicts_by_entry[id];
    const bool outlier = median != medians.end() && v.rated && *v.rated == median->second;
    (outlier ? ev.outlier : ev.rated) = &v;
  }
  // Each entry's verdicts, looked up once here rather than by every section (the
  // unordered_map's nodes stay put, so the pointers stay valid).
  for (auto& [key, entries] : index.entries_by_key) {
    for (Entry& e : entries) {
      const auto it = index.verdicts_by_entry.find(EntryKey{key, e.node, e.subject});
      if (it != index.verdicts_by_entry.end()) e.verdicts = &it->second;
    }
  }
  return index;
}

std::string_view status_class(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::pass: return "pass";
    case VerdictStatus::warn: return "warn";
    case VerdictStatus::fail: return "fail";
    case VerdictStatus::info: return "info";
    case VerdictStatus::skip: return "skip";
    case VerdictStatus::error: return "error";
  }
  return "info";
}

void status_badge(const Context& c, VerdictStatus status, bool inconclusive) {
  c.out += "<span class=\"st s-";
  c.out += status_class(status);
  c.out += "\">";
  c.esc(c.w.status(verdict_status_name(status)));
  c.out += "</span>";
  if (inconclusive) {
    c.out += " <span class=\"inc\">";
    c.word("inconclusive");
    c.out += "</span>";
  }
}

void open_section(const Context& c, std::string_view id, std::string_view title) {
  c.out += "<section id=\"";
  c.out += id;
  c.out += "\">\n<h2>";
  c.word(title);
  c.out += "</h2>\n";
}

void th_row(const Context& c, std::initializer_list<std::string_view> heads) {
  c.out += "<thead><tr>";
  for (std::string_view h : heads) {
    c.out += "<th>";
    c.word(h);
    c.out += "</th>";
  }
  c.out += "</tr></thead>\n";
}

void td(const Context& c, std::string_view text, bool num) {
  c.out += num ? "<td class=\"num\">" : "<td>";
  c.esc(text);
  c.out += "</td>";
}

void criterion_and_note(const Context& c, const Verdict& v) {
  c.esc(v.criterion);
  if (!v.measured || v.inconclusive) {
    c.out += "<br><span class=\"note\">";
    c.esc(v.message);
    c.out += "</span>";
  }
}

std::string_view family_of_key(std::string_view key) { return key.substr(0, key.find('.')); }

std::string link_text(std::string_view subject) {
  for (std::string_view arrow : {"<->", "->"}) {
    if (const auto at = subject.find(arrow); at != std::string_view::npos) {
      return std::string(subject.substr(0, at)) + " " + std::string(arrow) + " " +
             std::string(subject.substr(at + arrow.size()));
    }
  }
  return std::string(subject);
}

std::string_view reference_label(const Context& c, const Verdict& v) {
  if (v.node == fleet_node) return "limit";
  const auto it = c.index.verdicts_by_entry.find(EntryKey{v.key, v.node, v.subject});
  if (it != c.index.verdicts_by_entry.end() && it->second.outlier == &v) return "fleet median";
  return v.derived ? "derived" : "rated";
}

namespace {

std::optional<double> number_after(std::string_view text, std::string_view marker) {
  const auto at = text.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  const char* first = text.data() + at + marker.size();
  double value = 0;
  const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc() || end == first) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> fail_threshold(const Verdict& v) {
  if (!v.rated) return std::nullopt;
  // The forms suites/verdicts.cpp writes: "measured >= F x rated (..)" for higher-is-
  // better figures and "measured <= rated / F (..)" for lower-is-better ones.
  if (v.criterion.starts_with("measured >= ")) {
    if (auto f = number_after(v.criterion, "measured >= ")) return *v.rated * *f;
  } else if (v.criterion.starts_with("measured <= ")) {
    const auto open = v.criterion.find(" (");
    const std::string_view head = std::string_view(v.criterion).substr(0, open);
    if (auto f = number_after(head, " / "); f && *f != 0) return *v.rated / *f;
    if (head.find("the limit") != std::string_view::npos) return *v.rated;
  }
  return std::nullopt;
}

std::string shortfall_text(const Context& c, const std::optional<double>& ratio) {
  if (!ratio || !std::isfinite(*ratio) || *ratio == 1.0) return {};
  return *ratio < 1 ? c.tr("{:.1f}% short", (1 - *ratio) * 100.0) : c.tr("{:.1f}% over", (*ratio - 1) * 100.0);
}

namespace {

// Print-friendly: white backgrounds, colour only as accents (kept when printing),
// sections on new pages, table rows never split, headers repeated on every page.
constexpr std::string_view kStyle = R"(<style>
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#212121;background:#fff;margin:2em auto;max-width:1200px;padding:0 1em;line-height:1.45;font-size:14px}
h1{font-size:1.7em;margin:.2em 0}
h2{font-size:1.35em;border-bottom:2px solid #3949ab;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1.1em;margin-top:1.3em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.92em}
th,td{border:1px solid #cfd8dc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eceff1}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.r-fail td,tr.r-error td{background:#ffebee}
tr.r-warn td{background:#fff8e1}
code{font-family:ui-monospace,"DejaVu Sans Mono",Consolas,monospace;font-size:.95em}
.verdict{border:3px solid;border-radius:6px;padding:.8em 1.2em;margin-bottom:1em}
.verdict.accepted{border-color:#2e7d32;background:#e8f5e9}
.verdict.rejected{border-color:#c62828;background:#ffebee}
.verdict .big{font-size:2em;font-weight:bold;margin:.1em 0}
.accepted .big{color:#2e7d32}
.rejected .big{color:#c62828}
.counts{display:flex;flex-wrap:wrap;gap:.5em;list-style:none;padding:0;margin:.5em 0}
.counts li{border:1px solid #b0bec5;border-radius:4px;padding:.2em .7em;background:#fff}
.st{display:inline-block;min-width:3.5em;text-align:center;font-weight:bold;border-radius:3px;padding:0 .3em;color:#fff}
.s-pass{background:#2e7d32}.s-warn{background:#ef8f00}.s-fail{background:#c62828}.s-error{background:#6d1b1b}.s-info{background:#546e7a}.s-skip{background:#9e9e9e}
.inc{font-style:italic;color:#ef6c00;font-weight:bold}
.note{color:#546e7a}
.charts{display:flex;flex-wrap:wrap;gap:1em}
svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #eceff1;font-family:inherit}
svg.chart text{fill:#212121}
@media print{
body{margin:0;max-width:none;font-size:11px}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
section{break-before:page}
section.first{break-before:auto}
h2,h3{break-after:avoid}
tr,svg.chart,.verdict{break-inside:avoid}
thead{display:table-header-group}
}
</style>
)";

void write_head(Context& c) {
  c.out += "<!DOCTYPE html>\n<html lang=\"";
  c.out += c.w.lang() == Lang::zh ? "zh-CN" : "en";
  c.out += "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  c.esc(c.tr("Acceptance report: {}", c.s.plan_name));
  c.out += "</title>\n";
  c.out += kStyle;
  c.out += "</head>\n<body>\n";
}

}  // namespace

void render_document(Context& c) {
  write_head(c);
  write_summary(c);
  write_run_context(c);
  write_families(c);
  write_traceability(c);
  write_gbt(c);
  write_verdicts(c);
  write_results(c);
  c.out += "<footer><p class=\"note\">";
  c.word("Raw samples and every figure above are in summary.json and journal.jsonl beside this report; "
         "MANIFEST holds their SHA-256 and assay verify re-derives every verdict from them.");
  c.out += "</p></footer>\n</body>\n</html>\n";
}

}  // namespace html

std::string render_html(const ReportInput& input, std::set<std::string, std::less<>>* untranslated) {
  const Words words(input.lang, html::html_translations());
  std::string out;
  // A generous first guess: about 300 bytes per verdict and per result keeps the
  // large-bundle case from reallocating over and over.
  out.reserve(64 * 1024 + (input.summary.verdicts.size() + input.summary.results.size()) * 96);
  html::Context c{.input = input,
                  .s = input.summary,
                  .w = words,
                  .index = html::build_index(input.summary),
                  .large = input.summary.nodes.size() > html::kLargeFleetNodes,
                  .out = out};
  html::render_document(c);
  if (untranslated) *untranslated = words.missing();
  return out;
}

std::string render_html(const ReportInput& input) { return render_html(input, nullptr); }

}  // namespace assay
