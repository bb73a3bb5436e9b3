#include <fmt/format.h>

#include "core/json_fields.h"
#include "core/result_json.h"

namespace assay {

Json to_json(const Summary& s) {
  Json j;
  j["schema"] = "assay.summary/1";
  j["plan"] = {{"name", s.plan_name}, {"file", s.plan_file}, {"suite", s.suite}};
  j["assay"] = {{"version", s.assay.version},       {"build", s.assay.git},
                {"build_type", s.assay.build_type}, {"compiler", s.assay.compiler},
                {"flags", s.assay.flags},           {"mpi", s.assay.mpi},
                {"cuda", s.assay.cuda}};
  j["started"] = s.started;
  j["finished"] = s.finished;
  j["accepted"] = s.accepted;
  const VerdictCounts c = count_verdicts(s.verdicts);
  j["counts"] = {{"PASS", c.pass}, {"WARN", c.warn}, {"FAIL", c.fail},
                 {"INFO", c.info}, {"SKIP", c.skip}, {"ERROR", c.error}};
  Json nodes = Json::array();
  for (const auto& n : s.nodes) nodes.push_back({{"name", n.name}, {"status", n.status}});
  j["nodes"] = std::move(nodes);
  j["context"] = {{"warnings", s.context.warnings}};
  Json rated = Json::array();
  for (const auto& r : s.rated) {
    rated.push_back({{"key", r.key}, {"unit", unit_symbol(r.unit)}, {"value", r.value},
                     {"source", r.source}, {"basis", r.basis}, {"derived", r.derived}});
  }
  j["rated"] = std::move(rated);
  Json verdicts = Json::array();
  for (const auto& v : s.verdicts) verdicts.push_back(to_json(v));
  j["verdicts"] = std::move(verdicts);
  Json results = Json::array();
  for (const auto& r : s.results) results.push_back(to_json(r));
  j["results"] = std::move(results);
  return j;
}

Expected<Summary> summary_from_json(const Json& json, std::string_view where) {
  JsonFields f(json, std::string(where));
  Summary s;
  const std::string schema = f.text("schema");
  const Json* plan = f.member("plan", Json::value_t::object);
  const Json* assay = f.member("assay", Json::value_t::object);
  s.started = f.text("started");
  s.finished = f.text("finished");
  s.accepted = f.flag("accepted");
  const Json* nodes = f.member("nodes", Json::value_t::array);
  const Json* context = f.optional_member("context");
  const Json* rated = f.member("rated", Json::value_t::array);
  const Json* verdicts = f.member("verdicts", Json::value_t::array);
  const Json* results = f.member("results", Json::value_t::array);
  if (!f.ok()) return f.error();
  if (schema != "assay.summary/1") {
    return bad_input(fmt::format("{}: schema is \"{}\", expected \"assay.summary/1\"", where, schema));
  }
  JsonFields pf(*plan, f.path("plan"));
  s.plan_name = pf.text("name");
  s.plan_file = pf.optional_text("file");
  s.suite = pf.optional_text("suite");
  if (!pf.ok()) return pf.error();
  JsonFields af(*assay, f.path("assay"));
  s.assay.version = af.text("version");
  s.assay.git = af.optional_text("build");
  s.assay.build_type = af.optional_text("build_type");
  s.assay.compiler = af.optional_text("compiler");
  s.assay.flags = af.optional_text("flags");
  s.assay.mpi = af.optional_flag("mpi", false);
  s.assay.cuda = af.optional_flag("cuda", false);
  if (!af.ok()) return af.error();
  std::size_t i = 0;
  for (const auto& nj : *nodes) {
    JsonFields nf(nj, fmt::format("{}.nodes[{}]", where, i++));
    NodeStatus n{nf.text("name"), nf.text("status")};
    if (!nf.ok()) return nf.error();
    s.nodes.push_back(std::move(n));
  }
  if (context) {
    JsonFields cf(*context, f.path("context"));
    s.context.warnings = cf.optional_texts("warnings");
    if (!cf.ok()) return cf.error();
  }
  i = 0;
  for (const auto& rj : *rated) {
    JsonFields rf(rj, fmt::format("{}.rated[{}]", where, i++));
    SummaryRated r;
    r.key = rf.text("key");
    const std::string unit = rf.text("unit");
    r.value = rf.number("value");
    r.source = rf.text("source");
    r.basis = rf.optional_text("basis");
    r.derived = rf.optional_flag("derived", false);
    if (!rf.ok()) return rf.error();
    const auto u = unit_from_symbol(unit);
    if (!u) return bad_input(fmt::format("{}.rated[{}]: unknown unit '{}'", where, i - 1, unit));
    r.unit = *u;
    s.rated.push_back(std::move(r));
  }
  i = 0;
  for (const auto& vj : *verdicts) {
    auto v = verdict_from_json(vj, fmt::format("{}.verdicts[{}]", where, i++));
    if (!v) return v.error();
    s.verdicts.push_back(std::move(*v));
  }
  i = 0;
  for (const auto& rj : *results) {
    auto r = result_from_json(rj, fmt::format("{}.results[{}]", where, i++));
    if (!r) return r.error();
    s.results.push_back(std::move(*r));
  }
  return s;
}

}  // namespace assay
