#include "core/result.h"

#include <utility>

namespace assay {

Metric make_metric(std::string key, Unit unit, Better better, std::vector<double> samples, ValueRule rule,
                   std::string subject, std::string note) {
  Metric metric;
  metric.key = std::move(key);
  metric.unit = unit;
  metric.better = better;
  metric.subject = std::move(subject);
  metric.rule = rule;
  metric.samples = std::move(samples);
  metric.note = std::move(note);
  derive_metric(metric);
  return metric;
}

void derive_metric(Metric& metric) {
  metric.stats = summarize(metric.samples);
  switch (metric.rule) {
    case ValueRule::median: metric.value = metric.stats.median; break;
    case ValueRule::best:
      metric.value = metric.better == Better::higher ? metric.stats.max : metric.stats.min;
      break;
  }
}

std::string_view probe_status_name(ProbeStatus status) {
  switch (status) {
    case ProbeStatus::ok: return "ok";
    case ProbeStatus::skipped: return "skipped";
    case ProbeStatus::error: return "error";
  }
  return "error";
}

const Metric* find_metric(const ProbeResult& result, std::string_view key, std::string_view subject) {
  for (const auto& metric : result.metrics) {
    if (metric.key != key) continue;
    // A metric without its own subject belongs to the result's subject.
    const std::string_view own =
        metric.subject.empty() ? std::string_view(result.subject) : std::string_view(metric.subject);
    if (subject.empty() || own == subject) return &metric;
  }
  return nullptr;
}

}  // namespace assay
