#include <fmt/format.h>

#include "core/json_fields.h"
#include "core/result_json.h"
#include "core/summary_json_parts.h"

namespace assay {
namespace {

Json optional_json(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

}  // namespace

Json to_json(const FleetStat& f) {
  Json outliers = Json::array();
  for (const auto& o : f.outliers) {
    outliers.push_back({{"node", o.node}, {"subject", o.subject}, {"value", o.value}});
  }
  Json json{{"key", f.key}};
  if (!f.scope.empty()) json["scope"] = f.scope;
  json.update(Json{{"unit", unit_symbol(f.unit)},
          {"better", f.better == Better::higher ? "higher" : "lower"},
          {"n", f.n},
          {"nodes", f.nodes},
          {"median", f.median},
          {"mean", f.mean},
          {"min", f.min},
          {"max", f.max},
          {"cv", f.cv},
          {"mad", f.mad},
          {"outlier_limit", optional_json(f.outlier_limit)},
          {"outliers", std::move(outliers)}});
  return json;
}

namespace {

Json grid_json(const LinkMatrix::Grid& grid) {
  Json rows = Json::array();
  for (const auto& row : grid) {
    Json cells = Json::array();
    for (const auto& cell : row) cells.push_back(optional_json(cell));
    rows.push_back(std::move(cells));
  }
  return rows;
}

Json links_json(const LinkMatrix& m) {
  return {{"nodes", m.nodes},
          {"latency", grid_json(m.latency)},
          {"bandwidth", grid_json(m.bandwidth)},
          {"bibandwidth", grid_json(m.bibandwidth)}};
}

}  // namespace

Expected<FleetStat> fleet_from_json(const Json& json, const std::string& where) {
  JsonFields f(json, where);
  FleetStat s;
  s.key = f.text("key");
  s.scope = f.optional_text("scope");
  const std::string unit = f.text("unit");
  const std::string better = f.text("better");
  const std::int64_t n = f.integer("n");
  const std::int64_t nodes = f.integer("nodes");
  s.median = f.number("median");
  s.mean = f.number("mean");
  s.min = f.number("min");
  s.max = f.number("max");
  s.cv = f.number("cv");
  s.mad = f.number("mad");
  if (!f.optional_member("outlier_limit")) f.fail("missing 'outlier_limit' (a number, or null)");
  s.outlier_limit = f.optional_number("outlier_limit");
  const Json* outliers = f.member("outliers", Json::value_t::array);
  if (!f.ok()) return f.error();
  const auto u = unit_from_symbol(unit);
  if (!u) return bad_input(fmt::format("{}: unknown unit '{}'", where, unit));
  s.unit = *u;
  if (better != "higher" && better != "lower") {
    return bad_input(fmt::format("{}: 'better' must be \"higher\" or \"lower\", not \"{}\"", where, better));
  }
  s.better = better == "higher" ? Better::higher : Better::lower;
  if (n < 2 || nodes < 2 || nodes > n) {
    return bad_input(fmt::format("{}: expected 2 <= nodes <= n (a fleet group spans several nodes), got "
                                 "n = {} and nodes = {}", where, n, nodes));
  }
  s.n = static_cast<std::size_t>(n);
  s.nodes = static_cast<std::size_t>(nodes);
  std::size_t i = 0;
  for (const auto& oj : *outliers) {
    JsonFields of(oj, fmt::format("{}.outliers[{}]", where, i++));
    FleetOutlier o{of.text("node"), of.text("subject"), of.number("value")};
    if (!of.ok()) return of.error();
    s.outliers.push_back(std::move(o));
  }
  return s;
}

namespace {

Expected<LinkMatrix::Grid> grid_from_json(const Json* json, std::size_t size, const std::string& where) {
  const auto wrong = [&] {
    return bad_input(fmt::format("{}: expected {} rows of {} cells, each a number or null (one row and "
                                 "column per entry of 'nodes')", where, size, size));
  };
  if (!json->is_array() || json->size() != size) return wrong();
  LinkMatrix::Grid grid;
  for (const auto& row : *json) {
    if (!row.is_array() || row.size() != size) return wrong();
    auto& cells = grid.emplace_back();
    for (const auto& cell : row) {
      if (cell.is_null()) {
        cells.push_back(std::nullopt);
      } else if (cell.is_number()) {
        cells.push_back(cell.get<double>());
      } else {
        return wrong();
      }
    }
  }
  return grid;
}

}  // namespace

Expected<LinkMatrix> links_from_json(const Json& json, const std::string& where) {
  JsonFields f(json, where);
  const Json* nodes = f.member("nodes", Json::value_t::array);
  const Json* latency = f.member("latency", Json::value_t::array);
  const Json* bandwidth = f.member("bandwidth", Json::value_t::array);
  const Json* bibandwidth = f.member("bibandwidth", Json::value_t::array);
  if (!f.ok()) return f.error();
  LinkMatrix m;
  for (const auto& n : *nodes) {
    if (!n.is_string()) return bad_input(fmt::format("{}.nodes: expected an array of node names", where));
    m.nodes.push_back(n.get<std::string>());
  }
  const std::pair<const Json*, LinkMatrix::Grid*> grids[] = {
      {latency, &m.latency}, {bandwidth, &m.bandwidth}, {bibandwidth, &m.bibandwidth}};
  const char* names[] = {"latency", "bandwidth", "bibandwidth"};
  for (std::size_t g = 0; g < 3; ++g) {
    auto grid = grid_from_json(grids[g].first, m.nodes.size(), f.path(names[g]));
    if (!grid) return grid.error();
    *grids[g].second = std::move(*grid);
  }
  return m;
}

Json to_json(const SummaryRated& r) {
  return {{"key", r.key}, {"unit", unit_symbol(r.unit)}, {"value", r.value},
          {"source", r.source}, {"basis", r.basis}, {"derived", r.derived}};
}

std::string element_where(std::string_view where, std::string_view array, std::size_t index) {
  return fmt::format("{}.{}[{}]", where, array, index);
}

Json summary_json_head(const Summary& s) {
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
  j["rated"] = Json::array();
  j["verdicts"] = Json::array();
  j["fleet"] = Json::array();
  if (s.links) j["links"] = links_json(*s.links);
  j["results"] = Json::array();
  if (!s.journal_lines.empty()) j["journal_lines"] = s.journal_lines;
  return j;
}

Json to_json(const Summary& s) {
  Json j = summary_json_head(s);
  for (const auto& r : s.rated) j["rated"].push_back(to_json(r));
  for (const auto& v : s.verdicts) j["verdicts"].push_back(to_json(v));
  for (const auto& f : s.fleet) j["fleet"].push_back(to_json(f));
  for (const auto& r : s.results) j["results"].push_back(to_json(r));
  return j;
}

Expected<SummaryRated> rated_from_json(const Json& json, const std::string& where) {
  JsonFields rf(json, where);
  SummaryRated r;
  r.key = rf.text("key");
  const std::string unit = rf.text("unit");
  r.value = rf.number("value");
  r.source = rf.text("source");
  r.basis = rf.optional_text("basis");
  r.derived = rf.optional_flag("derived", false);
  if (!rf.ok()) return rf.error();
  const auto u = unit_from_symbol(unit);
  if (!u) return bad_input(fmt::format("{}: unknown unit '{}'", where, unit));
  r.unit = *u;
  return r;
}

Expected<SummaryArrays> summary_head_from_json(const Json& json, std::string_view where, Summary& s) {
  JsonFields f(json, std::string(where));
  SummaryArrays arrays;
  const std::string schema = f.text("schema");
  const Json* plan = f.member("plan", Json::value_t::object);
  const Json* assay = f.member("assay", Json::value_t::object);
  s.started = f.text("started");
  s.finished = f.text("finished");
  s.accepted = f.flag("accepted");
  const Json* nodes = f.member("nodes", Json::value_t::array);
  const Json* context = f.optional_member("context");
  arrays.rated = f.member("rated", Json::value_t::array);
  arrays.verdicts = f.member("verdicts", Json::value_t::array);
  arrays.results = f.member("results", Json::value_t::array);
  // Bundles written before fleet judgement existed have neither; present, they are read strictly.
  arrays.fleet = f.optional_member("fleet");
  arrays.links = f.optional_member("links");
  arrays.journal_lines = f.optional_member("journal_lines");
  if (arrays.fleet && !arrays.fleet->is_array()) {
    f.fail(fmt::format("'fleet' must be array, not {}", arrays.fleet->type_name()));
  }
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
    JsonFields nf(nj, element_where(where, "nodes", i++));
    NodeStatus n{nf.text("name"), nf.text("status")};
    if (!nf.ok()) return nf.error();
    s.nodes.push_back(std::move(n));
  }
  if (context) {
    JsonFields cf(*context, f.path("context"));
    s.context.warnings = cf.optional_texts("warnings");
    if (!cf.ok()) return cf.error();
  }
  return arrays;
}

Expected<void> journal_lines_from_json(const Json* json, std::string_view where, Summary& s) {
  if (!json) return {};
  const auto wrong = [&] {
    return bad_input(fmt::format("{}.journal_lines: expected an array of {} non-negative integers (each result's "
                                 "line in journal.jsonl, 0 where it has none), one per entry of 'results'",
                                 where, s.results.size()));
  };
  if (!json->is_array() || json->size() != s.results.size()) return wrong();
  s.journal_lines.clear();
  s.journal_lines.reserve(json->size());
  for (const auto& line : *json) {
    if (!line.is_number_unsigned()) return wrong();
    s.journal_lines.push_back(line.get<std::size_t>());
  }
  return {};
}

Expected<Summary> summary_from_json(const Json& json, std::string_view where) {
  Summary s;
  auto arrays = summary_head_from_json(json, where, s);
  if (!arrays) return arrays.error();
  if (auto r = read_elements(*arrays->rated, where, "rated", rated_from_json, s.rated); !r) return r.error();
  if (auto r = read_elements(*arrays->verdicts, where, "verdicts", verdict_from_json, s.verdicts); !r) {
    return r.error();
  }
  if (arrays->fleet) {
    if (auto r = read_elements(*arrays->fleet, where, "fleet", fleet_from_json, s.fleet); !r) return r.error();
  }
  if (arrays->links) {
    auto m = links_from_json(*arrays->links, fmt::format("{}.links", where));
    if (!m) return m.error();
    s.links = std::move(*m);
  }
  if (auto r = read_elements(*arrays->results, where, "results", result_from_json, s.results); !r) {
    return r.error();
  }
  if (auto r = journal_lines_from_json(arrays->journal_lines, where, s); !r) return r.error();
  return s;
}

}  // namespace assay
