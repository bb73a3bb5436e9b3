#include "reports/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace assay::svg {

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

std::string coord(double value) {
  if (!std::isfinite(value)) return "0";
  std::string text = fmt::format("{:.1f}", value);
  if (text.ends_with(".0")) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

std::vector<double> nice_ticks(double low, double high, int count) {
  std::vector<double> ticks;
  if (!std::isfinite(low) || !std::isfinite(high) || high <= low || count < 1) return ticks;
  const double rough = (high - low) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= rough) break;
  }
  const double first = std::ceil(low / step - 1e-9) * step;
  for (int i = 0; i < 100; ++i) {
    const double t = first + step * i;
    if (t > high + step * 1e-9) break;
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string tick_label(double value, Unit unit) { return format_quantity(value, unit, 3); }

std::string_view series_colour(std::size_t n) {
  static constexpr std::array<std::string_view, 8> palette = {"#1565c0", "#c62828", "#2e7d32", "#6a1b9a",
                                                               "#ef6c00", "#00838f", "#4e342e", "#ad1457"};
  return palette[n % palette.size()];
}

namespace {

constexpr double kWidth = 720;
constexpr double kHeight = 280;
constexpr double kLeft = 78, kRight = 150, kTop = 30, kBottom = 64;

// The plot area and the value range of its y axis.
struct Frame {
  double x0 = kLeft, y0 = kTop, w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
  double lo = 0, hi = 1;
  double y(double v) const { return y0 + h - (v - lo) / (hi - lo) * h; }
  double bottom() const { return y0 + h; }
  double right() const { return x0 + w; }
};

// A range that contains the values, with a little room, never empty.
std::pair<double, double> padded_range(double lo, double hi, bool from_zero) {
  if (from_zero) lo = std::min(lo, 0.0);
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi <= lo) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    return {from_zero && lo >= 0 ? 0.0 : lo - pad, hi + pad};
  }
  const double pad = (hi - lo) * 0.06;
  return {from_zero && lo >= 0 ? 0.0 : lo - pad, hi + pad};
}

void open_svg(std::string& out, std::string_view title, double width = kWidth, double height = kHeight) {
  out += fmt::format(R"(<svg class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img"><title>)",
                     coord(width), coord(height), coord(width), coord(height));
  append_escaped(out, title);
  out += "</title>";
  out += fmt::format(R"(<text x="{}" y="18" font-size="13" font-weight="bold">)", coord(kLeft));
  append_escaped(out, title);
  out += "</text>";
}

void text(std::string& out, double x, double y, std::string_view anchor, std::string_view content,
          std::string_view extra = {}) {
  out += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="{}"{}>)", coord(x), coord(y), anchor, extra);
  append_escaped(out, content);
  out += "</text>";
}

void y_axis(std::string& out, const Frame& f, Unit unit) {
  out += "<g stroke=\"#e0e0e0\">";
  const auto ticks = nice_ticks(f.lo, f.hi, 5);
  for (double t : ticks) out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}"/>)", coord(f.x0), coord(f.y(t)), coord(f.right()), coord(f.y(t)));
  out += "</g>";
  for (double t : ticks) text(out, f.x0 - 6, f.y(t) + 4, "end", tick_label(t, unit));
  out += fmt::format(R"(<path d="M{} {}V{}H{}" fill="none" stroke="#424242"/>)", coord(f.x0), coord(f.y0),
                     coord(f.bottom()), coord(f.right()));
}

void horizontal_lines(std::string& out, const Frame& f, const std::vector<ReferenceLine>& lines) {
  // Labels of lines close together are nudged apart so both stay readable.
  double last_label_y = -1e9;
  std::vector<const ReferenceLine*> sorted;
  for (const auto& l : lines) {
    if (std::isfinite(l.value) && l.value >= f.lo && l.value <= f.hi) sorted.push_back(&l);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->value > b->value; });
  for (const ReferenceLine* l : sorted) {
    const double y = f.y(l->value);
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"{}/>)", coord(f.x0),
                       coord(y), coord(f.right()), coord(y), l->colour, l->dashed ? R"( stroke-dasharray="6 3")" : "");
    const double label_y = std::max(y + 4, last_label_y + 12);
    last_label_y = label_y;
    text(out, f.right() + 4, label_y, "start", l->label, fmt::format(R"( fill="{}")", l->colour));
  }
}

double max_of(const std::vector<double>& values, const std::vector<ReferenceLine>& lines) {
  double hi = -INFINITY;
  for (double v : values) {
    if (std::isfinite(v)) hi = std::max(hi, v);
  }
  for (const auto& l : lines) {
    if (std::isfinite(l.value)) hi = std::max(hi, l.value);
  }
  return hi;
}

double min_of(const std::vector<double>& values, const std::vector<ReferenceLine>& lines) {
  double lo = INFINITY;
  for (double v : values) {
    if (std::isfinite(v)) lo = std::min(lo, v);
  }
  for (const auto& l : lines) {
    if (std::isfinite(l.value)) lo = std::min(lo, l.value);
  }
  return lo;
}

}  // namespace

std::string bar_chart(const BarChart& chart) {
  std::string out;
  out.reserve(2048 + chart.bars.size() * 256);
  open_svg(out, chart.title);
  std::vector<double> values;
  values.reserve(chart.bars.size());
  for (const auto& b : chart.bars) values.push_back(b.value);
  Frame f;
  std::tie(f.lo, f.hi) = padded_range(min_of(values, chart.lines), max_of(values, chart.lines), !chart.dots);
  y_axis(out, f, chart.unit);
  const double n = static_cast<double>(std::max<std::size_t>(chart.bars.size(), 1));
  const double slot = f.w / n;
  const double bar_w = std::clamp(slot * 0.7, 1.0, 48.0);
  // Labels are thinned out so they never overlap (about 14 px each, rotated).
  const std::size_t label_every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(14.0 / slot)));
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& b = chart.bars[i];
    const double cx = f.x0 + slot * (static_cast<double>(i) + 0.5);
    const double y = f.y(b.value);
    const std::string stroke = b.marked ? R"( stroke="#000" stroke-width="2")" : "";
    out += "<g><title>";
    append_escaped(out, b.label + ": " + format_quantity(b.value, chart.unit));
    out += "</title>";
    if (chart.dots) {
      out += fmt::format(R"(<circle cx="{}" cy="{}" r="5" fill="{}"{}/>)", coord(cx), coord(y), b.colour, stroke);
    } else {
      const double base = f.y(std::max(f.lo, 0.0));
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>)", coord(cx - bar_w / 2),
                         coord(std::min(y, base)), coord(bar_w), coord(std::fabs(base - y)), b.colour, stroke);
    }
    if (b.marked) text(out, cx, std::min(y, f.bottom()) - 8, "middle", "!", R"( font-weight="bold" fill="#000")");
    out += "</g>";
    if (i % label_every == 0) {
      text(out, cx, f.bottom() + 12, "end", b.label,
           fmt::format(R"x( transform="rotate(-35 {} {})")x", coord(cx), coord(f.bottom() + 12)));
    }
  }
  horizontal_lines(out, f, chart.lines);
  out += "</svg>";
  return out;
}

std::string distribution_chart(const DistributionChart& chart) {
  std::string out;
  open_svg(out, chart.title);
  std::vector<double> sorted;
  sorted.reserve(chart.values.size());
  for (double v : chart.values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  Frame f;
  std::tie(f.lo, f.hi) = padded_range(min_of(sorted, chart.lines), max_of(sorted, chart.lines), false);
  y_axis(out, f, chart.unit);
  const double last = static_cast<double>(std::max<std::size_t>(sorted.size(), 2) - 1);
  auto x_of = [&](std::size_t i) { return f.x0 + f.w * static_cast<double>(i) / last; };
  // At most one point per horizontal pixel pair: the curve looks the same and the file
  // stays small however many values there are.
  const std::size_t stride = std::max<std::size_t>(1, sorted.size() / 600);
  std::string d;
  d.reserve(sorted.size() / stride * 16 + 32);
  for (std::size_t i = 0; i < sorted.size(); i += stride) {
    d += fmt::format("{}{} {}", d.empty() ? "M" : "L", coord(x_of(i)), coord(f.y(sorted[i])));
  }
  if (!sorted.empty() && (sorted.size() - 1) % stride != 0) {
    d += fmt::format("L{} {}", coord(x_of(sorted.size() - 1)), coord(f.y(sorted.back())));
  }
  if (sorted.size() == 1) d += fmt::format("L{} {}", coord(f.right()), coord(f.y(sorted[0])));
  if (!d.empty()) out += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="2"/>)", d, colour::neutral);
  // Outliers as crosses at their rank in the sorted values.
  std::string crosses;
  for (double m : chart.marked) {
    const auto rank = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), m) - sorted.begin());
    const double x = x_of(std::min(rank, sorted.empty() ? 0 : sorted.size() - 1)), y = f.y(m);
    crosses += fmt::format("M{} {}l8 8m0 -8l-8 8", coord(x - 4), coord(y - 4));
  }
  if (!crosses.empty()) out += fmt::format(R"(<path d="{}" stroke="{}" stroke-width="2.5"/>)", crosses, colour::fail);
  horizontal_lines(out, f, chart.lines);
  text(out, f.x0 + f.w / 2, f.bottom() + 30, "middle", chart.x_label);
  out += "</svg>";
  return out;
}

std::string histogram(const Histogram& chart) {
  std::string out;
  open_svg(out, chart.title);
  const double lo_v = min_of(chart.values, chart.lines), hi_v = max_of(chart.values, chart.lines);
  const std::size_t bins = std::max<std::size_t>(chart.bins, 1);
  const double lo = std::isfinite(lo_v) ? lo_v : 0, hi = std::isfinite(hi_v) && hi_v > lo ? hi_v : lo + 1;
  const double width = (hi - lo) / static_cast<double>(bins);
  auto bin_of = [&](double v) {
    return std::min(bins - 1, static_cast<std::size_t>(std::max(0.0, std::floor((v - lo) / width))));
  };
  std::vector<std::size_t> counts(bins, 0);
  std::vector<bool> marked(bins, false);
  for (double v : chart.values) {
    if (std::isfinite(v)) ++counts[bin_of(v)];
  }
  for (double v : chart.marked) {
    if (std::isfinite(v)) marked[bin_of(v)] = true;
  }
  Frame f;
  f.lo = 0;
  f.hi = static_cast<double>(std::max<std::size_t>(1, *std::max_element(counts.begin(), counts.end()))) * 1.1;
  // The count axis: whole numbers only.
  out += "<g stroke=\"#e0e0e0\">";
  std::vector<double> ticks;
  for (double t : nice_ticks(f.lo, f.hi, 4)) {
    if (t == std::floor(t)) ticks.push_back(t);
  }
  for (double t : ticks) out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}"/>)", coord(f.x0), coord(f.y(t)), coord(f.right()), coord(f.y(t)));
  out += "</g>";
  for (double t : ticks) text(out, f.x0 - 6, f.y(t) + 4, "end", fmt::format("{:.0f}", t));
  out += fmt::format(R"(<path d="M{} {}V{}H{}" fill="none" stroke="#424242"/>)", coord(f.x0), coord(f.y0),
                     coord(f.bottom()), coord(f.right()));
  auto x_of = [&](double v) { return f.x0 + (v - lo) / (hi - lo) * f.w; };
  std::string normal, bad;
  const double bin_px = f.w / static_cast<double>(bins);
  for (std::size_t b = 0; b < bins; ++b) {
    if (counts[b] == 0) continue;
    const double y = f.y(static_cast<double>(counts[b]));
    (marked[b] ? bad : normal) += fmt::format("M{} {}h{}V{}h-{}Z", coord(f.x0 + bin_px * static_cast<double>(b) + 0.5), coord(y),
                                              coord(bin_px - 1), coord(f.bottom()), coord(bin_px - 1));
  }
  if (!normal.empty()) out += fmt::format(R"(<path d="{}" fill="{}"/>)", normal, colour::neutral);
  if (!bad.empty()) out += fmt::format(R"(<path d="{}" fill="{}"/>)", bad, colour::fail);
  for (double t : nice_ticks(lo, hi, 5)) text(out, x_of(t), f.bottom() + 16, "middle", tick_label(t, chart.unit));
  double label_y = f.y0 + 10;
  for (const auto& l : chart.lines) {
    if (!std::isfinite(l.value)) continue;
    const double x = x_of(l.value);
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"{}/>)", coord(x),
                       coord(f.y0), coord(x), coord(f.bottom()), l.colour, l.dashed ? R"( stroke-dasharray="6 3")" : "");
    text(out, f.right() + 4, label_y, "start", l.label, fmt::format(R"( fill="{}")", l.colour));
    label_y += 14;
  }
  out += "</svg>";
  return out;
}

namespace {

constexpr std::string_view kNoData = "#e6e6e6";

// From worst (red) through amber to best (green), for a fraction 0..1 of the range.
std::string heat_colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  struct Rgb {
    double r, g, b;
  };
  constexpr Rgb worst{198, 40, 40}, middle{255, 213, 79}, best{102, 187, 106};
  const Rgb& a = t < 0.5 ? worst : middle;
  const Rgb& z = t < 0.5 ? middle : best;
  const double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
  return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(std::lround(a.r + (z.r - a.r) * u)),
                     static_cast<int>(std::lround(a.g + (z.g - a.g) * u)),
                     static_cast<int>(std::lround(a.b + (z.b - a.b) * u)));
}

}  // namespace

std::string heat_map(const HeatMap& chart) {
  const std::size_t rows = chart.row_labels.size(), cols = chart.column_labels.size();
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& r : chart.cells) {
    for (const auto& c : r) {
      if (c && std::isfinite(*c)) {
        lo = std::min(lo, *c);
        hi = std::max(hi, *c);
      }
    }
  }
  const double cell = std::clamp(480.0 / static_cast<double>(std::max<std::size_t>({rows, cols, 1})), 8.0, 56.0);
  const double left = 110, top = 40 + 90;
  const double width = std::max(kWidth, left + cell * static_cast<double>(cols) + 190);
  const double height = top + cell * static_cast<double>(rows) + 30;
  std::string out;
  out.reserve(1024 + rows * cols * 160);
  open_svg(out, chart.title, width, height);
  const bool show_values = cell >= 44;
  auto t_of = [&](double v) {
    if (!(hi > lo)) return 1.0;
    const double t = (v - lo) / (hi - lo);
    return chart.higher_is_better ? t : 1 - t;
  };
  for (std::size_t j = 0; j < cols; ++j) {
    const double x = left + cell * (static_cast<double>(j) + 0.5);
    text(out, x, top - 6, "start", chart.column_labels[j],
         fmt::format(R"x( transform="rotate(-45 {} {})")x", coord(x), coord(top - 6)));
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const double y = top + cell * static_cast<double>(i);
    text(out, left - 6, y + cell / 2 + 4, "end", chart.row_labels[i]);
    for (std::size_t j = 0; j < cols; ++j) {
      const double x = left + cell * static_cast<double>(j);
      const auto& v = i < chart.cells.size() && j < chart.cells[i].size() ? chart.cells[i][j] : std::nullopt;
      const bool mark = i < chart.marked.size() && j < chart.marked[i].size() && chart.marked[i][j];
      out += "<g><title>";
      append_escaped(out, chart.row_labels[i] + " / " + chart.column_labels[j] + ": " +
                              (v ? format_quantity(*v, chart.unit) : std::string("n/a")));
      out += "</title>";
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="{}"/>)",
                         coord(x), coord(y), coord(cell), coord(cell), v ? heat_colour(t_of(*v)) : std::string(kNoData),
                         mark ? "#000" : "#fff", mark ? "3" : "1");
      if (v && show_values) {
        text(out, x + cell / 2, y + cell / 2 + 4, "middle", format_quantity(*v, chart.unit, 3),
             R"( font-size="9")");
      }
      out += "</g>";
    }
  }
  // Legend: five swatches from worst to best with their values.
  const double lx = left + cell * static_cast<double>(cols) + 24;
  text(out, lx, top - 6, "start", chart.higher_is_better ? chart.labels.higher_is_better : chart.labels.lower_is_better);
  for (int k = 0; k < 5; ++k) {
    const double t = 1.0 - k / 4.0;  // best first
    const double value = std::isfinite(lo) ? (chart.higher_is_better ? lo + (hi - lo) * t : hi - (hi - lo) * t) : 0;
    const double y = top + 18.0 * k;
    out += fmt::format(R"(<rect x="{}" y="{}" width="14" height="14" fill="{}"/>)", coord(lx), coord(y), heat_colour(t));
    text(out, lx + 20, y + 11, "start", std::isfinite(lo) ? format_quantity(value, chart.unit, 3) : "-");
  }
  out += fmt::format(R"(<rect x="{}" y="{}" width="14" height="14" fill="{}"/>)", coord(lx), coord(top + 92), kNoData);
  text(out, lx + 20, top + 103, "start", chart.labels.not_measured);
  out += fmt::format(R"(<rect x="{}" y="{}" width="14" height="14" fill="#fff" stroke="#000" stroke-width="3"/>)",
                     coord(lx), coord(top + 112));
  text(out, lx + 20, top + 123, "start", chart.labels.needs_attention);
  out += "</svg>";
  return out;
}

std::string line_chart(const LineChart& chart) {
  std::string out;
  open_svg(out, chart.title);
  double x_lo = INFINITY, x_hi = -INFINITY;
  std::vector<double> ys;
  for (const auto& s : chart.series) {
    for (double x : s.x) {
      if (std::isfinite(x)) {
        x_lo = std::min(x_lo, x);
        x_hi = std::max(x_hi, x);
      }
    }
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  if (!(x_hi > x_lo)) {
    x_lo = std::isfinite(x_lo) ? x_lo : 0;
    x_hi = x_lo + 1;
  }
  Frame f;
  std::tie(f.lo, f.hi) = padded_range(min_of(ys, {}), max_of(ys, {}), true);
  y_axis(out, f, chart.y_unit);
  auto x_of = [&](double x) { return f.x0 + (x - x_lo) / (x_hi - x_lo) * f.w; };
  for (double t : nice_ticks(x_lo, x_hi, 6)) text(out, x_of(t), f.bottom() + 16, "middle", tick_label(t, chart.x_unit));
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const Series& s = chart.series[k];
    std::string d;
    const std::size_t n = std::min(s.x.size(), s.y.size());
    d.reserve(n * 16);
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      d += fmt::format("{}{} {}", d.empty() ? "M" : "L", coord(x_of(s.x[i])), coord(f.y(s.y[i])));
    }
    if (!d.empty()) out += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.8"/>)", d, s.colour);
    const double ly = f.y0 + 10 + 14.0 * static_cast<double>(k);
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>)", coord(f.right() + 4),
                       coord(ly - 4), coord(f.right() + 18), coord(ly - 4), s.colour);
    text(out, f.right() + 22, ly, "start", s.label);
  }
  out += "</svg>";
  return out;
}

}  // namespace assay::svg
