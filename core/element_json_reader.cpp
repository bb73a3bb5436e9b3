#include "core/element_json_reader.h"

#include <string>

#include "core/json_line_scanner.h"
#include "core/result_json.h"
#include "core/units.h"

namespace assay {
namespace {

// The member after a comma, in the order the writer puts it.
void next(JsonLineScanner& s, std::string_view name) {
  s.expect(',');
  s.key(name);
}

// A metric in the order to_json(const Metric&) writes its members, checked as
// metric_from_json checks it. `value` and `stats` are derived from the samples, so, as
// there, they are only read past.
std::optional<Metric> metric_from_scanner(JsonLineScanner& s) {
  Metric m;
  s.expect('{');
  s.key("key");
  m.key = s.string();
  next(s, "unit");
  const std::string unit = s.string();
  next(s, "better");
  const std::string better = s.string();
  if (s.next_member_is("subject")) m.subject = s.string();
  next(s, "value");
  s.skip_value();
  next(s, "value_rule");
  const std::string rule = s.string();
  next(s, "samples");
  m.samples = s.numbers();
  next(s, "stats");
  s.skip_value();
  if (s.next_member_is("note")) m.note = s.string();
  s.expect('}');
  if (!s.ok()) return std::nullopt;
  const auto u = unit_from_symbol(unit);
  if (!u || (better != "higher" && better != "lower") || (!rule.empty() && rule != "median" && rule != "best")) {
    return std::nullopt;
  }
  m.unit = *u;
  m.better = better == "higher" ? Better::higher : Better::lower;
  m.rule = rule == "best" ? ValueRule::best : ValueRule::median;
  derive_metric(m);
  return m;
}

std::optional<std::vector<Metric>> metrics_from_scanner(JsonLineScanner& s) {
  std::vector<Metric> metrics;
  s.expect('[');
  if (s.accept(']')) return metrics;
  do {
    auto m = metric_from_scanner(s);
    if (!m) return std::nullopt;
    metrics.push_back(std::move(*m));
  } while (s.accept(','));
  s.expect(']');
  if (!s.ok()) return std::nullopt;
  return metrics;
}

}  // namespace

std::optional<Verdict> verdict_from_line(std::string_view line) {
  JsonLineScanner s(line);
  Verdict v;
  s.expect('{');
  s.key("node");
  v.node = s.string();
  next(s, "subject");
  v.subject = s.string();
  next(s, "key");
  v.key = s.string();
  next(s, "status");
  const std::string status = s.string();
  next(s, "unit");
  const std::string unit = s.string();
  next(s, "measured");
  v.measured = s.number_or_null();
  next(s, "rated");
  v.rated = s.number_or_null();
  next(s, "ratio");
  v.ratio = s.number_or_null();
  next(s, "criterion");
  v.criterion = s.string();
  next(s, "source");
  v.source = s.string();
  next(s, "derived");
  v.derived = s.boolean();
  next(s, "inconclusive");
  v.inconclusive = s.boolean();
  next(s, "message");
  v.message = s.string();
  s.expect('}');
  if (!s.done()) return std::nullopt;
  const auto st = verdict_status_from_name(status);
  const auto u = unit_from_symbol(unit);
  if (!st || !u) return std::nullopt;
  v.status = *st;
  v.unit = *u;
  return v;
}

std::optional<ProbeResult> result_from_line(std::string_view line) {
  // One pass over the line: every member but `metrics` is checked against JSON's
  // grammar and left in place; `metrics` is read here and cut out, leaving a small
  // head for nlohmann and result_from_json.
  JsonLineScanner s(line);
  std::optional<std::vector<Metric>> metrics;
  std::size_t metrics_begin = 0;
  std::size_t metrics_end = 0;
  s.expect('{');
  if (!s.accept('}')) {
    do {
      if (s.any_key() == "metrics") {
        if (metrics) return std::nullopt;  // twice: nlohmann decides which counts
        metrics_begin = s.position();
        metrics = metrics_from_scanner(s);
        if (!metrics) return std::nullopt;
        metrics_end = s.position();
      } else {
        s.skip_value();
      }
    } while (s.accept(','));
    s.expect('}');
  }
  if (!s.done() || !metrics) return std::nullopt;

  std::string head;
  head.reserve(line.size() - (metrics_end - metrics_begin) + 2);
  head.append(line.substr(0, metrics_begin));
  head.append("[]");
  head.append(line.substr(metrics_end));
  const Json json = Json::parse(head, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  auto result = result_from_json(json, "summary.json");
  if (!result) return std::nullopt;
  result->metrics = std::move(*metrics);
  return std::move(*result);
}

}  // namespace assay
