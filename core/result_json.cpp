#include "core/result_json.h"

#include <fmt/format.h>

#include "core/iso_time.h"
#include "core/json_fields.h"

namespace assay {
namespace {

std::string_view better_name(Better b) { return b == Better::higher ? "higher" : "lower"; }
std::string_view rule_name(ValueRule r) { return r == ValueRule::median ? "median" : "best"; }

Json stats_json(const SampleStats& s) {
  Json j;
  j["n"] = s.n;
  j["min"] = s.min;
  j["max"] = s.max;
  j["mean"] = s.mean;
  j["median"] = s.median;
  j["stdev"] = s.stdev;
  j["cv"] = s.cv;
  j["p05"] = s.p05;
  j["p95"] = s.p95;
  j["median_ci"] = Json::array({s.median_ci_low, s.median_ci_high});
  j["median_ci_level"] = s.median_ci_level;
  return j;
}

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

}  // namespace

Json param_json(const ParamValue& v) {
  return std::visit([](const auto& x) { return Json(x); }, v);
}

Expected<ParamValue> param_from_json(const Json& j, const std::string& where) {
  if (j.is_boolean()) return ParamValue{j.get<bool>()};
  if (j.is_number_integer()) return ParamValue{j.get<std::int64_t>()};
  if (j.is_number_float()) return ParamValue{j.get<double>()};
  if (j.is_string()) return ParamValue{j.get<std::string>()};
  return bad_input(fmt::format("{}: a parameter must be a boolean, number or string", where));
}

Json to_json(const ParamList& params) {
  Json j = Json::object();
  for (const auto& p : params) j[p.name] = param_json(p.value);
  return j;
}

Expected<ParamList> params_from_json(const Json& json, std::string_view where) {
  if (!json.is_object()) return bad_input(fmt::format("{}: parameters must be an object", where));
  ParamList params;
  for (const auto& [name, value] : json.items()) {
    auto v = param_from_json(value, fmt::format("{}.{}", where, name));
    if (!v) return v.error();
    params.push_back({name, std::move(*v)});
  }
  return params;
}

Json to_json(const Metric& m) {
  Json j;
  j["key"] = m.key;
  j["unit"] = unit_symbol(m.unit);
  j["better"] = better_name(m.better);
  if (!m.subject.empty()) j["subject"] = m.subject;
  j["value"] = m.value;
  j["value_rule"] = rule_name(m.rule);
  j["samples"] = m.samples;
  j["stats"] = stats_json(m.stats);
  if (!m.note.empty()) j["note"] = m.note;
  return j;
}

Json to_json(const ProbeResult& r) {
  Json j;
  j["schema"] = "assay.result/1";
  j["probe"] = r.probe;
  j["node"] = r.node;
  j["subject"] = r.subject;
  j["status"] = probe_status_name(r.status);
  if (r.status == ProbeStatus::skipped) j["reason"] = r.reason;
  if (r.status == ProbeStatus::error) j["error"] = r.error;
  Json params = Json::object();
  for (const auto& p : r.params) params[p.name] = param_json(p.value);
  j["params"] = std::move(params);
  j["start"] = iso_utc(r.start);
  j["end"] = iso_utc(r.end);
  Json metrics = Json::array();
  for (const auto& m : r.metrics) metrics.push_back(to_json(m));
  j["metrics"] = std::move(metrics);
  j["validation"] = {{"checked", r.validation.checked},
                     {"passed", r.validation.passed},
                     {"detail", r.validation.detail}};
  j["notes"] = r.notes;
  if (!r.tables.empty()) {
    Json tables = Json::array();
    for (const auto& t : r.tables) {
      Json columns = Json::array();
      for (const auto& c : t.columns) columns.push_back({{"name", c.name}, {"unit", unit_symbol(c.unit)}});
      tables.push_back({{"name", t.name}, {"columns", std::move(columns)}, {"rows", t.rows}});
    }
    j["tables"] = std::move(tables);
  }
  return j;
}

Json to_json(const Verdict& v) {
  Json j;
  j["node"] = v.node;
  j["subject"] = v.subject;
  j["key"] = v.key;
  j["status"] = verdict_status_name(v.status);
  j["unit"] = unit_symbol(v.unit);
  j["measured"] = optional_number(v.measured);
  j["rated"] = optional_number(v.rated);
  j["ratio"] = optional_number(v.ratio);
  j["criterion"] = v.criterion;
  j["source"] = v.source;
  j["derived"] = v.derived;
  j["inconclusive"] = v.inconclusive;
  j["message"] = v.message;
  return j;
}

std::string to_json_line(const ProbeResult& result) { return to_json(result).dump(); }

Expected<Metric> metric_from_json(const Json& json, std::string_view where) {
  JsonFields f(json, std::string(where));
  Metric m;
  m.key = f.text("key");
  const std::string unit = f.text("unit");
  const std::string better = f.text("better");
  m.subject = f.optional_text("subject");
  const std::string rule = f.optional_text("value_rule");
  m.samples = f.numbers("samples");
  m.note = f.optional_text("note");
  if (!f.ok()) return f.error();
  const auto u = unit_from_symbol(unit);
  if (!u) return bad_input(fmt::format("{}: unknown unit '{}'", where, unit));
  m.unit = *u;
  if (better != "higher" && better != "lower") {
    return bad_input(fmt::format("{}: 'better' must be \"higher\" or \"lower\", not \"{}\"", where, better));
  }
  m.better = better == "higher" ? Better::higher : Better::lower;
  if (!rule.empty() && rule != "median" && rule != "best") {
    return bad_input(fmt::format("{}: 'value_rule' must be \"median\" or \"best\", not \"{}\"", where, rule));
  }
  m.rule = rule == "best" ? ValueRule::best : ValueRule::median;
  // Statistics are derived from the samples, never trusted from the file.
  derive_metric(m);
  return m;
}

namespace {

Expected<std::vector<ResultTable>> tables_from_json(const Json& json, const std::string& where) {
  if (!json.is_array()) return bad_input(fmt::format("{}: must be an array of tables", where));
  std::vector<ResultTable> tables;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const std::string at = fmt::format("{}[{}]", where, i);
    if (!json[i].is_object()) return bad_input(fmt::format("{}: must be an object", at));
    JsonFields f(json[i], at);
    ResultTable t;
    t.name = f.text("name");
    const Json* columns = f.member("columns", Json::value_t::array);
    const Json* rows = f.member("rows", Json::value_t::array);
    if (!f.ok()) return f.error();
    for (std::size_t c = 0; c < columns->size(); ++c) {
      const std::string cat = fmt::format("{}.columns[{}]", at, c);
      if (!(*columns)[c].is_object()) return bad_input(fmt::format("{}: must be an object", cat));
      JsonFields cf((*columns)[c], cat);
      TableColumn column;
      column.name = cf.text("name");
      const std::string unit = cf.text("unit");
      if (!cf.ok()) return cf.error();
      const auto u = unit_from_symbol(unit);
      if (!u) return bad_input(fmt::format("{}: unknown unit '{}'", cat, unit));
      column.unit = *u;
      t.columns.push_back(std::move(column));
    }
    for (std::size_t r = 0; r < rows->size(); ++r) {
      const Json& row = (*rows)[r];
      bool numeric = row.is_array() && row.size() == t.columns.size();
      for (std::size_t c = 0; numeric && c < row.size(); ++c) numeric = row[c].is_number();
      if (!numeric) {
        return bad_input(fmt::format("{}.rows[{}]: must be an array of {} numbers", at, r, t.columns.size()));
      }
      t.rows.push_back(row.get<std::vector<double>>());
    }
    tables.push_back(std::move(t));
  }
  return tables;
}

}  // namespace

Expected<ProbeResult> result_from_json(const Json& json, std::string_view where) {
  JsonFields f(json, std::string(where));
  ProbeResult r;
  const std::string schema = f.text("schema");
  r.probe = f.text("probe");
  r.node = f.text("node");
  r.subject = f.text("subject");
  const std::string status = f.text("status");
  const std::string start = f.text("start");
  const std::string end = f.text("end");
  r.notes = f.optional_texts("notes");
  const Json* params = f.member("params", Json::value_t::object);
  const Json* metrics = f.member("metrics", Json::value_t::array);
  const Json* validation = f.member("validation", Json::value_t::object);
  if (!f.ok()) return f.error();
  if (schema != "assay.result/1") {
    return bad_input(fmt::format("{}: schema is \"{}\", expected \"assay.result/1\"", where, schema));
  }
  if (status == "ok") {
    r.status = ProbeStatus::ok;
  } else if (status == "skipped") {
    r.status = ProbeStatus::skipped;
    r.reason = f.text("reason");
  } else if (status == "error") {
    r.status = ProbeStatus::error;
    r.error = f.text("error");
  } else {
    return bad_input(fmt::format("{}: status must be ok, skipped or error, not \"{}\"", where, status));
  }
  const auto t0 = parse_iso_utc(start);
  const auto t1 = parse_iso_utc(end);
  if (!t0 || !t1) return bad_input(fmt::format("{}: start/end must be ISO 8601 UTC times", where));
  r.start = *t0;
  r.end = *t1;
  for (const auto& [name, value] : params->items()) {
    auto v = param_from_json(value, fmt::format("{}.params.{}", where, name));
    if (!v) return v.error();
    r.params.push_back({name, std::move(*v)});
  }
  std::size_t i = 0;
  r.metrics.reserve(metrics->size());
  for (const auto& mj : *metrics) {
    auto m = metric_from_json(mj, fmt::format("{}.metrics[{}]", where, i++));
    if (!m) return m.error();
    r.metrics.push_back(std::move(*m));
  }
  if (const Json* tables = f.optional_member("tables")) {
    auto read = tables_from_json(*tables, f.path("tables"));
    if (!read) return read.error();
    r.tables = std::move(*read);
  }
  JsonFields vf(*validation, f.path("validation"));
  r.validation.checked = vf.flag("checked");
  r.validation.passed = vf.flag("passed");
  r.validation.detail = vf.text("detail");
  if (!f.ok()) return f.error();
  if (!vf.ok()) return vf.error();
  return r;
}

Expected<Verdict> verdict_from_json(const Json& json, std::string_view where) {
  JsonFields f(json, std::string(where));
  Verdict v;
  v.node = f.text("node");
  v.subject = f.text("subject");
  v.key = f.text("key");
  const std::string status = f.text("status");
  const std::string unit = f.text("unit");
  v.measured = f.optional_number("measured");
  v.rated = f.optional_number("rated");
  v.ratio = f.optional_number("ratio");
  v.criterion = f.text("criterion");
  v.source = f.text("source");
  v.derived = f.flag("derived");
  v.inconclusive = f.flag("inconclusive");
  v.message = f.text("message");
  if (!f.ok()) return f.error();
  const auto s = verdict_status_from_name(status);
  if (!s) return bad_input(fmt::format("{}: unknown verdict status \"{}\"", where, status));
  v.status = *s;
  const auto u = unit_from_symbol(unit);
  if (!u) return bad_input(fmt::format("{}: unknown unit '{}'", where, unit));
  v.unit = *u;
  return v;
}

}  // namespace assay
