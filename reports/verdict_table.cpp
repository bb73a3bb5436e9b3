#include "reports/verdict_table.h"

#include <algorithm>

#include <fmt/format.h>

namespace assay {
namespace {

// Display width in terminal columns: UTF-8 continuation bytes take no column.
std::size_t display_width(const std::string& s) {
  std::size_t width = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

}  // namespace

std::string render_text_table(const std::vector<std::string>& header,
                              const std::vector<std::vector<std::string>>& rows,
                              const std::vector<bool>& right_aligned) {
  std::vector<std::size_t> widths(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = display_width(header[i]);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : std::string{};
      const std::size_t pad = widths[i] - display_width(cell);
      const bool last = i + 1 == widths.size();
      const bool right = i < right_aligned.size() && right_aligned[i];
      if (right) out.append(pad, ' ');
      out += cell;
      if (!right && !last) out.append(pad, ' ');
      if (!last) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& row : rows) out += line(row);
  return out;
}

std::string format_ratio(const std::optional<double>& ratio) {
  return ratio ? fmt::format("{:.1f}%", *ratio * 100.0) : "-";
}

int verdict_status_severity(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::fail: return 5;
    case VerdictStatus::error: return 4;
    case VerdictStatus::warn: return 3;
    case VerdictStatus::skip: return 2;
    case VerdictStatus::info: return 1;
    case VerdictStatus::pass: return 0;
  }
  return 0;
}

std::string format_verdict_figure(const Verdict& verdict, double value) {
  if (verdict.node == fleet_node && verdict.unit == Unit::ratio) return fmt::format("{:.4g}%", value * 100.0);
  return format_quantity(value, verdict.unit);
}

std::string render_verdict_table(std::span<const Verdict> verdicts) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : verdicts) {
    std::string note = v.criterion;
    if (v.status == VerdictStatus::skip || v.status == VerdictStatus::error ||
        (v.status == VerdictStatus::fail && !v.measured)) {
      note = v.message;
    } else if (v.inconclusive) {
      note = "inconclusive: rerun with more repetitions; " + v.criterion;
    }
    rows.push_back({std::string(verdict_status_name(v.status)), v.node, v.subject, v.key,
                    v.measured ? format_verdict_figure(v, *v.measured) : "-",
                    v.rated ? format_verdict_figure(v, *v.rated) : "-", format_ratio(v.ratio), note});
  }
  return render_text_table({"STATUS", "NODE", "SUBJECT", "METRIC", "MEASURED", "RATED", "RATIO", "CRITERION"},
                           rows, {false, false, false, false, true, true, true, false});
}

std::string render_metric_table(const ProbeResult& result) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : result.metrics) {
    const auto& s = m.stats;
    rows.push_back({m.key, m.subject.empty() ? result.subject : m.subject, format_quantity(m.value, m.unit),
                    m.rule == ValueRule::best ? "best" : "median",
                    fmt::format("{} .. {}", format_quantity(s.median_ci_low, m.unit),
                                format_quantity(s.median_ci_high, m.unit)),
                    fmt::format("{:.2f}%", s.cv * 100.0), std::to_string(s.n)});
  }
  return render_text_table({"METRIC", "SUBJECT", "VALUE", "OF", "MEDIAN CI", "CV", "N"}, rows,
                           {false, false, true, false, true, true, true});
}

}  // namespace assay
