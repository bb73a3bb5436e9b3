#include "probes/power/power_attribution.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace assay {
namespace {

std::string_view family_of(std::string_view key) { return key.substr(0, key.find('.')); }

// Long windows keep a bounded series: equal spans of points averaged.
void downsample(std::vector<double>& times, std::vector<double>& watts) {
  const std::size_t n = watts.size();
  if (n <= kMaxSeriesPoints) return;
  std::vector<double> t_out, w_out;
  for (std::size_t b = 0; b < kMaxSeriesPoints; ++b) {
    const std::size_t lo = b * n / kMaxSeriesPoints, hi = (b + 1) * n / kMaxSeriesPoints;
    if (hi <= lo) continue;
    double sum = 0;
    for (std::size_t i = lo; i < hi; ++i) sum += watts[i];
    t_out.push_back(times[hi - 1]);
    w_out.push_back(sum / static_cast<double>(hi - lo));
  }
  times = std::move(t_out);
  watts = std::move(w_out);
}

// The power an efficiency figure divides by, and how it was made up.
struct PowerBasis {
  double watts = 0;
  std::string text;
};

std::optional<PowerBasis> sum_basis(const PowerWindow& window, std::string_view source,
                                    bool (*take)(std::string_view domain)) {
  PowerBasis basis;
  std::vector<std::string> parts;
  double seconds = 0;
  for (const DomainWindow& d : window.domains) {
    if (d.source != source || !take(d.domain)) continue;
    basis.watts += d.mean_watts;
    parts.push_back(d.domain);
    seconds = std::max(seconds, d.seconds);
  }
  if (parts.empty() || basis.watts <= 0) return std::nullopt;
  basis.text = fmt::format("{} {} (mean {} over the probe's {:.1f} s)", source, fmt::join(parts, " + "),
                           format_quantity(basis.watts, Unit::watt), seconds);
  return basis;
}

bool cpu_and_memory_domain(std::string_view domain) {
  return domain.starts_with("package") && (domain.find('/') == std::string_view::npos || domain.ends_with("/dram"));
}
bool any_domain(std::string_view) { return true; }

// CPU and memory probes divide by the sockets' RAPL power (packages plus their DRAM)
// where there is RAPL, else by the node's power from its BMC or meter. hwmon sensors are
// not used: what they cover differs from board to board.
std::optional<PowerBasis> host_basis(const PowerWindow& window) {
  if (auto b = sum_basis(window, "powercap", cpu_and_memory_domain)) return b;
  for (std::string_view node_source : {"ipmi", "redfish", "meter"}) {
    if (auto b = sum_basis(window, node_source, any_domain)) return b;
  }
  return std::nullopt;
}

// The mean of a domain's series over [start, end], each interval weighted by its length;
// nullopt when fewer than two of its points fall inside (the span was shorter than the
// sampling interval).
std::optional<double> mean_over_span(const DomainWindow& d, const MetricSpan& span) {
  const double from = std::chrono::duration<double>(span.start - d.origin).count();
  const double to = std::chrono::duration<double>(span.end - d.origin).count();
  double energy = 0, seconds = 0;
  std::size_t inside = 0;
  for (std::size_t i = 0; i < d.times_s.size() && i < d.watts.size(); ++i) {
    if (d.times_s[i] < from || d.times_s[i] > to) continue;
    if (++inside == 1) continue;  // the first point inside only marks where the span's series starts
    const double dt = d.times_s[i] - d.times_s[i - 1];
    energy += d.watts[i] * dt;
    seconds += dt;
  }
  if (inside < 2 || seconds <= 0) return std::nullopt;
  return energy / seconds;
}

// A GPU's own NVML domain: "gpu3" for subject "gpu3" and for "gpu3@all" (measured while
// every GPU ran), over the metric's span when the probe recorded one.
std::optional<PowerBasis> gpu_basis(const PowerWindow& window, std::string_view subject, const MetricSpan* span) {
  const std::string_view gpu = subject.substr(0, subject.find('@'));
  for (const DomainWindow& d : window.domains) {
    if (d.source != "nvml" || d.domain != gpu) continue;
    if (span != nullptr) {
      const auto watts = mean_over_span(d, *span);
      if (!watts || *watts <= 0) return std::nullopt;
      return PowerBasis{*watts, fmt::format("nvml {} (mean {} over the {:.1f} s this figure was measured)", gpu,
                                            format_quantity(*watts, Unit::watt),
                                            std::chrono::duration<double>(span->end - span->start).count())};
    }
    if (d.mean_watts > 0) {
      return PowerBasis{d.mean_watts, fmt::format("nvml {} (mean {} over the probe's {:.1f} s)", gpu,
                                                  format_quantity(d.mean_watts, Unit::watt), d.seconds)};
    }
  }
  return std::nullopt;
}

const MetricSpan* span_of(const ProbeResult& result, const Metric& m) {
  for (const MetricSpan& span : result.spans) {
    if (span.key == m.key && span.subject == m.subject) return &span;
  }
  return nullptr;
}

void add_efficiencies(ProbeResult& result, const PowerWindow& window) {
  std::vector<Metric> added;
  for (const Metric& m : result.metrics) {
    const auto figure = efficiency_figure(m.key, m.unit);
    if (!figure) continue;
    const std::string& subject = m.subject.empty() ? result.subject : m.subject;
    const auto basis =
        family_of(m.key) == "gpu" ? gpu_basis(window, subject, span_of(result, m)) : host_basis(window);
    if (!basis) continue;
    added.push_back(make_metric(figure->key, figure->unit, Better::higher, {m.value / basis->watts},
                                ValueRule::median, m.subject,
                                fmt::format("{} / power of {}", format_quantity(m.value, m.unit), basis->text)));
  }
  for (Metric& m : added) result.metrics.push_back(std::move(m));
}

}  // namespace

std::string power_watts_key(std::string_view source) { return fmt::format("power.{}.watts", source); }
std::string power_peak_key(std::string_view source) { return fmt::format("power.{}.peak_watts", source); }
std::string power_energy_key(std::string_view source) { return fmt::format("power.{}.energy", source); }

std::vector<MetricSpec> sampled_power_metrics() {
  std::vector<MetricSpec> specs;
  for (std::string_view source : {"powercap", "hwmon", "nvml", "ipmi", "redfish", "meter"}) {
    specs.push_back({power_watts_key(source), Unit::watt, Better::lower,
                     fmt::format("mean power of a {} domain over the window (subject: the domain)", source)});
    specs.push_back({power_peak_key(source), Unit::watt, Better::lower,
                     fmt::format("highest power of a {} domain over one sampling interval", source)});
    specs.push_back({power_energy_key(source), Unit::joule, Better::lower,
                     fmt::format("energy of a {} domain over the window", source)});
  }
  return specs;
}

std::optional<EfficiencyFigure> efficiency_figure(std::string_view key, Unit unit) {
  const auto family = family_of(key);
  if (family != "cpu" && family != "memory" && family != "gpu") return std::nullopt;
  if (key.find("_derived") != std::string_view::npos || key.ends_with("_aggregate") ||
      key.ends_with("_per_watt")) {
    return std::nullopt;
  }
  // Copies over a link (PCIe, NVLink) are the link's figure; a GPU's power says little of
  // what they cost.
  if (key.starts_with("gpu.pcie.") || key.starts_with("gpu.p2p.")) return std::nullopt;
  switch (unit) {
    case Unit::flop_per_s: return EfficiencyFigure{std::string(key) + "_per_watt", Unit::flop_per_joule};
    case Unit::op_per_s: return EfficiencyFigure{std::string(key) + "_per_watt", Unit::op_per_joule};
    case Unit::byte_per_s: return EfficiencyFigure{std::string(key) + "_per_watt", Unit::byte_per_joule};
    default: return std::nullopt;
  }
}

void attach_power(ProbeResult& result, const PowerWindow& window) {
  for (const DomainWindow& d : window.domains) {
    const std::string how = d.from_counter ? "from the energy counter" : "power readings integrated (trapezoid)";
    result.metrics.push_back(make_metric(power_watts_key(d.source), Unit::watt, Better::lower, {d.mean_watts},
                                         ValueRule::median, d.domain,
                                         fmt::format("mean over {:.2f} s, {}", d.seconds, how)));
    result.metrics.push_back(make_metric(power_peak_key(d.source), Unit::watt, Better::lower, {d.peak_watts},
                                         ValueRule::median, d.domain,
                                         fmt::format("highest of {} intervals", d.watts.size())));
    result.metrics.push_back(make_metric(power_energy_key(d.source), Unit::joule, Better::lower,
                                         {d.energy_joules}, ValueRule::median, d.domain, how));
    std::vector<double> times = d.times_s, watts = d.watts;
    downsample(times, watts);
    ResultTable table;
    table.name = fmt::format("power.{}:{}", d.source, d.domain);
    table.columns = {{"time", Unit::second}, {"power", Unit::watt}};
    for (std::size_t i = 0; i < times.size(); ++i) table.rows.push_back({times[i], watts[i]});
    result.tables.push_back(std::move(table));
  }
  for (const std::string& note : window.notes) result.notes.push_back("power: " + note);
  if (window.sampled && window.seconds > 0) {
    result.notes.push_back(fmt::format("power: the sampler thread used {:.1f} ms of CPU over {:.1f} s ({:.3f}% of one core)",
                                       window.sampler_cpu_seconds * 1e3, window.seconds,
                                       100.0 * window.sampler_cpu_seconds / window.seconds));
  }
  if (result.status == ProbeStatus::ok) add_efficiencies(result, window);
}

}  // namespace assay
