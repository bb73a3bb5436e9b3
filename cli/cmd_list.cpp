// assay list [--details] [--json]
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/result_json.h"
#include "reports/verdict_table.h"
#include "suites/probe_registry.h"

namespace assay::cli {
namespace {

std::string kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::integer: return "integer";
    case ParamKind::real: return "number";
    case ParamKind::size_bytes: return "size";
    case ParamKind::seconds: return "duration";
    case ParamKind::text: return "text";
    case ParamKind::flag: return "flag";
  }
  return "?";
}

Json probe_json(const Probe& p) {
  const Availability a = p.availability();
  Json params = Json::array();
  for (const auto& s : p.params()) {
    params.push_back({{"name", s.name}, {"kind", kind_name(s.kind)},
                      {"default", param_value_text(s.default_value)}, {"help", s.help}});
  }
  Json metrics = Json::array();
  for (const auto& m : p.metrics()) {
    metrics.push_back({{"key", m.key}, {"unit", unit_symbol(m.unit)},
                       {"better", m.better == Better::higher ? "higher" : "lower"},
                       {"description", m.description}});
  }
  return {{"name", p.name()}, {"description", p.description()}, {"available", a.available},
          {"reason", a.reason}, {"params", params}, {"metrics", metrics}};
}

}  // namespace

int list_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"List the probes: what each measures, and why any is unavailable on this node.", "assay list"};
  bool details = false, json = false;
  app.add_flag("--details,-d", details, "also show each probe's parameters and metrics");
  app.add_flag("--json", json, "print the list as JSON and nothing else");
  if (auto code = parse_arguments(app, "list", args, io)) return *code;

  const auto& probes = ProbeRegistry::builtin().probes();
  if (json) {
    Json list = Json::array();
    for (const auto& p : probes) list.push_back(probe_json(*p));
    io.out << list.dump(2) << "\n";
    return exit_accepted;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : probes) {
    const Availability a = p->availability();
    rows.push_back({std::string(p->name()), a.available ? "available" : "unavailable: " + a.reason,
                    std::string(p->description())});
  }
  io.out << render_text_table({"PROBE", "HERE", "MEASURES"}, rows);
  if (!details) {
    io.out << "\n'assay list --details' shows parameters and metrics; 'assay probe NAME' runs one.\n";
    return exit_accepted;
  }
  for (const auto& p : probes) {
    io.out << "\n" << p->name() << ": " << p->description() << "\n";
    std::vector<std::vector<std::string>> prow;
    for (const auto& s : p->params()) {
      prow.push_back({s.name, kind_name(s.kind), param_value_text(s.default_value), s.help});
    }
    if (!prow.empty()) io.out << render_text_table({"  PARAMETER", "KIND", "DEFAULT", "MEANING"}, [&] {
      for (auto& r : prow) r[0] = "  " + r[0];
      return prow;
    }());
    std::vector<std::vector<std::string>> mrow;
    for (const auto& m : p->metrics()) {
      mrow.push_back({"  " + m.key, std::string(unit_symbol(m.unit)),
                      m.better == Better::higher ? "higher" : "lower", m.description});
    }
    if (!mrow.empty()) io.out << render_text_table({"  METRIC", "UNIT", "BETTER", "MEANING"}, mrow);
  }
  return exit_accepted;
}

}  // namespace assay::cli
