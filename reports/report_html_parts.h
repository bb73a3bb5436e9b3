#pragma once
// Internal to report.html: what its section writers share (the input, its words, the
// indexes built once over the summary, HTML helpers). Not for other renderers.

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/summary.h"
#include "reports/report_input.h"
#include "reports/report_text.h"

namespace assay::html {

/// Above this many nodes the report is "large": charts become distributions, tables
/// list what is not PASS and summarise the rest.
inline constexpr std::size_t kLargeFleetNodes = 32;
/// Link matrices up to this many nodes are drawn as heat maps; larger ones list their
/// worst pairs.
inline constexpr std::size_t kMaxHeatMapNodes = 48;
/// Bars per chart before the chart becomes a distribution.
inline constexpr std::size_t kMaxBars = 64;
/// Rows of "needs attention" in the summary; the verdict table has them all.
inline constexpr std::size_t kMaxAttentionRows = 200;
/// Entries named in one list (outliers, worst pairs, nodes).
inline constexpr std::size_t kMaxListed = 20;
/// Lines of one power-over-time chart.
inline constexpr std::size_t kMaxPowerSeries = 8;

/// The renderer's own words (English, Simplified Chinese): report_html_zh.cpp.
std::span<const Translation> html_translations();

/// The verdicts of one (key, node, subject), at most one rated and one outlier.
struct EntryVerdicts {
  const Verdict* rated = nullptr;    ///< against the rated (or derived) figure
  const Verdict* outlier = nullptr;  ///< against the fleet median
};

/// One measured value of one metric of one ok result.
struct Entry {
  std::size_t result = 0;  ///< index into summary.results
  const Metric* metric = nullptr;
  std::string_view node;
  std::string_view subject;
  const EntryVerdicts* verdicts = nullptr;  ///< nullptr: not judged
};

/// (key, node, subject) of a measured entry; views into the summary, which outlives it.
struct EntryKey {
  std::string_view key, node, subject;
  bool operator==(const EntryKey&) const = default;
};
struct EntryKeyHash {
  std::size_t operator()(const EntryKey& k) const noexcept {
    const std::hash<std::string_view> h;
    return h(k.key) ^ (h(k.node) * 31) ^ (h(k.subject) * 1000003);
  }
};

/// Everything the sections look up, built once in O(results + verdicts).
struct Index {
  /// Metric key -> its entries in result order.
  std::map<std::string, std::vector<Entry>, std::less<>> entries_by_key;
  std::unordered_map<EntryKey, EntryVerdicts, EntryKeyHash> verdicts_by_entry;
  /// Metric key -> indexes into summary.verdicts (any node, fleet included).
  std::map<std::string, std::vector<std::size_t>, std::less<>> verdicts_by_key;
};

struct Context {
  const ReportInput& input;
  const Summary& s;
  const Words& w;
  Index index;
  bool large = false;
  std::string& out;

  /// `english` (with fmt placeholders) in the report's language, formatted.
  template <typename... Args>
  std::string tr(std::string_view english, Args&&... args) const {
    return fmt::format(fmt::runtime(w(english)), std::forward<Args>(args)...);
  }
  /// Appends `text` HTML-escaped.
  void esc(std::string_view text) const;
  /// Appends w(english), escaped.
  void word(std::string_view english) const { esc(w(english)); }
  /// "journal.jsonl line N" for a result, or "journal.jsonl" when its line is unknown.
  std::string journal_ref(std::size_t result) const;
};

Index build_index(const Summary& s);

/// "pass", "warn", ... for CSS classes.
std::string_view status_class(VerdictStatus status);
/// <span class="st s-fail">FAIL</span> in the report's language.
void status_badge(const Context& c, VerdictStatus status, bool inconclusive = false);

/// The family of a metric key: its first component ("cpu" of "cpu.fma.fp64").
std::string_view family_of_key(std::string_view key);
/// "a->b" -> "a -> b".
std::string link_text(std::string_view subject);
/// "rated" / "derived" / "fleet median" / "limit" (English; callers translate).
std::string_view reference_label(const Context& c, const Verdict& v);
/// The value below which (or above which, for lower-is-better figures) the verdict
/// fails, read from its criterion ("measured >= 0.90 x rated ..."); nullopt when the
/// criterion is not of that form.
std::optional<double> fail_threshold(const Verdict& v);
/// "12.3% short" / "8.1% over" for a ratio that misses 1; empty for none.
std::string shortfall_text(const Context& c, const std::optional<double>& ratio);

/// <section id="`id`"><h2>`title` in the report's language</h2> (left open).
void open_section(const Context& c, std::string_view id, std::string_view title);
/// A table's head row, each heading in the report's language.
void th_row(const Context& c, std::initializer_list<std::string_view> heads);
/// One cell holding `text` escaped; `num` right-aligns it as a figure.
void td(const Context& c, std::string_view text, bool num = false);
/// A verdict's criterion, and its message as a note when it was not measured or is
/// inconclusive: recorded evidence stays verbatim, as judged.
void criterion_and_note(const Context& c, const Verdict& v);

/// The whole document: head, then the sections below in order.
void render_document(Context& c);

// Sections, in the order they appear.
void write_summary(Context& c);
void write_run_context(Context& c);
void write_families(Context& c);
void write_traceability(Context& c);
void write_gbt(Context& c);
void write_verdicts(Context& c);
void write_results(Context& c);

}  // namespace assay::html
