#include "core/element_json_text.h"

#include <cmath>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include "core/result_json.h"

namespace assay {
namespace {

// A double as nlohmann's dump writes it: its own shortest round-trip digits (which keep
// integral values floating, "3.0") and null for NaN and infinities.
void append_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[64];
  const char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

bool needs_escape_or_check(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80; }

// Plain ASCII is copied; anything nlohmann escapes or validates (control characters,
// quotes, backslashes, UTF-8) goes through nlohmann, so escapes and the error on
// malformed UTF-8 stay exactly its own.
void append_string(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (needs_escape_or_check(static_cast<unsigned char>(c))) {
      out += Json(text).dump();
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

void append_numbers(std::string& out, const std::vector<double>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    append_number(out, values[i]);
  }
  out += ']';
}

// Members in the order stats_json in result_json.cpp inserts them.
void append_stats(std::string& out, const SampleStats& s) {
  out += "{\"n\":";
  fmt::format_to(std::back_inserter(out), "{}", s.n);
  out += ",\"min\":";
  append_number(out, s.min);
  out += ",\"max\":";
  append_number(out, s.max);
  out += ",\"mean\":";
  append_number(out, s.mean);
  out += ",\"median\":";
  append_number(out, s.median);
  out += ",\"stdev\":";
  append_number(out, s.stdev);
  out += ",\"cv\":";
  append_number(out, s.cv);
  out += ",\"p05\":";
  append_number(out, s.p05);
  out += ",\"p95\":";
  append_number(out, s.p95);
  out += ",\"median_ci\":[";
  append_number(out, s.median_ci_low);
  out += ',';
  append_number(out, s.median_ci_high);
  out += "],\"median_ci_level\":";
  append_number(out, s.median_ci_level);
  out += '}';
}

// The result without its metrics (nor spans, which are never stored). Every field is
// named, so a field added to ProbeResult fails the build here (missing initialiser)
// instead of silently going missing from the JSON.
ProbeResult without_metrics(const ProbeResult& r) {
  return ProbeResult{.probe = r.probe,
                     .node = r.node,
                     .subject = r.subject,
                     .status = r.status,
                     .reason = r.reason,
                     .error = r.error,
                     .params = r.params,
                     .start = r.start,
                     .end = r.end,
                     .metrics = {},
                     .validation = r.validation,
                     .notes = r.notes,
                     .tables = r.tables,
                     .spans = {}};
}

}  // namespace

// Members in the order to_json(const Metric&) inserts them.
void append_metric_json(std::string& out, const Metric& m) {
  out += "{\"key\":";
  append_string(out, m.key);
  out += ",\"unit\":";
  append_string(out, unit_symbol(m.unit));
  out += m.better == Better::higher ? ",\"better\":\"higher\"" : ",\"better\":\"lower\"";
  if (!m.subject.empty()) {
    out += ",\"subject\":";
    append_string(out, m.subject);
  }
  out += ",\"value\":";
  append_number(out, m.value);
  out += m.rule == ValueRule::median ? ",\"value_rule\":\"median\"" : ",\"value_rule\":\"best\"";
  out += ",\"samples\":";
  append_numbers(out, m.samples);
  out += ",\"stats\":";
  append_stats(out, m.stats);
  if (!m.note.empty()) {
    out += ",\"note\":";
    append_string(out, m.note);
  }
  out += '}';
}

void append_verdict_json(std::string& out, const Verdict& v) {
  const auto optional = [&](const std::optional<double>& x) {
    if (x) {
      append_number(out, *x);
    } else {
      out += "null";
    }
  };
  out += "{\"node\":";
  append_string(out, v.node);
  out += ",\"subject\":";
  append_string(out, v.subject);
  out += ",\"key\":";
  append_string(out, v.key);
  out += ",\"status\":";
  append_string(out, verdict_status_name(v.status));
  out += ",\"unit\":";
  append_string(out, unit_symbol(v.unit));
  out += ",\"measured\":";
  optional(v.measured);
  out += ",\"rated\":";
  optional(v.rated);
  out += ",\"ratio\":";
  optional(v.ratio);
  out += ",\"criterion\":";
  append_string(out, v.criterion);
  out += ",\"source\":";
  append_string(out, v.source);
  out += v.derived ? ",\"derived\":true" : ",\"derived\":false";
  out += v.inconclusive ? ",\"inconclusive\":true" : ",\"inconclusive\":false";
  out += ",\"message\":";
  append_string(out, v.message);
  out += '}';
}

void append_result_json(std::string& out, const ProbeResult& result) {
  const std::string head = to_json(without_metrics(result)).dump();
  // Strings escape their quotes, so this text can only be the metrics member itself.
  constexpr std::string_view empty_metrics = "\"metrics\":[]";
  const std::size_t at = head.find(empty_metrics);
  if (at == std::string::npos) {  // unreachable while to_json writes "metrics"; stay correct
    out += to_json(result).dump();
    return;
  }
  const std::size_t open = at + empty_metrics.size() - 1;  // just past the '['
  out.append(head, 0, open);
  for (std::size_t i = 0; i < result.metrics.size(); ++i) {
    if (i) out += ',';
    append_metric_json(out, result.metrics[i]);
  }
  out.append(head, open, std::string::npos);
}

}  // namespace assay
