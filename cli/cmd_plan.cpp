// assay plan check PLAN [--print] | assay plan init [--from-host] [-o FILE] [--force]
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "reports/verdict_table.h"
#include "suites/bundle.h"
#include "suites/host_plan.h"
#include "suites/inventory.h"
#include "suites/plan.h"
#include "suites/verdicts.h"
#include "suites/probe_runner.h"
#include "suites/rated.h"

namespace assay::cli {
namespace {

int check(const std::string& path, bool print, CommandIo& io) {
  auto catalog = Catalog::embedded();
  if (!catalog) return report_error(io, "plan check", catalog.error());
  auto plan = load_plan_file(path, *catalog, ProbeRegistry::builtin());
  if (!plan) return report_error(io, "plan check", plan.error());
  if (auto checked = check_planned_params(*plan, ProbeRegistry::builtin()); !checked) {
    return report_error(io, "plan check", checked.error());
  }
  if (print) {
    io.out << plan_to_toml(*plan);
    return exit_accepted;
  }
  io.out << fmt::format("{}: OK — \"{}\", {} node(s), suite {}\n\n", path, plan->system.name,
                        plan->system.nodes, plan->suite);
  std::vector<std::vector<std::string>> probes;
  for (const auto& p : plan->probes) {
    std::string params;
    for (const auto& e : p.params) params += (params.empty() ? "" : ", ") + e.name + "=" + param_value_text(e.value);
    probes.push_back({p.name, params});
  }
  io.out << render_text_table({"PROBE", "PARAMETERS"}, probes) << "\n";
  for (const auto& name : plan->unavailable_probes) {
    io.out << "not built into this assay (will be SKIP): " << name << "\n";
  }
  for (const auto& w : plan->warnings) io.out << "warning: " << w << "\n";
  if (!plan->unavailable_probes.empty() || !plan->warnings.empty()) io.out << "\n";
  const RatedTable rated = RatedTable::resolve(*plan, *catalog);
  std::vector<std::vector<std::string>> rows;
  bool any_limit = false;
  for (const auto& r : rated.all()) {
    any_limit = any_limit || is_limit_key(r.key);
    const EffectiveCriterion c = plan->criterion_for(r.key);
    rows.push_back({r.key, format_quantity(r.quantity),
                    is_limit_key(r.key) ? std::string("limit (<=)") : fmt::format("{:.2f}", c.min_fraction),
                    r.source});
  }
  if (rows.empty()) {
    io.out << "No rated figures: every measured figure will be INFO (cpu.fma and cpu.gemm are judged "
              "against the peak derived on the node).\n";
  } else {
    io.out << render_text_table({"RATED", "FIGURE", "MIN FRACTION", "SOURCE"}, rows);
    if (any_limit) io.out << "A limit: power and temperature figures pass when measured <= the figure (docs/probes/power.md "
                                "\"Budgets\", docs/probes/gpu.md \"gpu.health\").\n";
  }
  io.out << "\n'assay plan check " << path << " --print' shows the plan with every default filled in.\n";
  return exit_accepted;
}

int init(bool from_host, const std::string& output, bool force, CommandIo& io) {
  std::string text;
  if (from_host) {
    auto catalog = Catalog::embedded();
    if (!catalog) return report_error(io, "plan init", catalog.error());
    text = host_plan_toml(read_host_cpu(), read_host_memory(), *catalog, local_host_name());
  } else {
    text = template_plan_toml();
  }
  if (output.empty() || output == "-") {
    io.out << text;
    return exit_accepted;
  }
  if (std::filesystem::exists(output) && !force) {
    return report_error(io, "plan init", bad_input(fmt::format("{} exists; use --force to overwrite it", output)));
  }
  if (auto w = write_file_atomic(output, text); !w) {
    return report_error(io, "plan init", bad_input(w.error().message));
  }
  io.err << "wrote " << output << "; check it with 'assay plan check " << output << "'\n";
  return exit_accepted;
}

}  // namespace

int plan_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Check a plan, or write a new one.", "assay plan"};
  app.require_subcommand(1);
  auto* check_cmd = app.add_subcommand("check", "load a plan strictly and show what it will run and judge");
  std::string path;
  bool print = false;
  check_cmd->add_option("PLAN", path, "plan file (TOML)")->required();
  check_cmd->add_flag("--print", print, "print the plan with every default filled in, as TOML");
  auto* init_cmd = app.add_subcommand("init", "write a plan to start from");
  bool from_host = false, force = false;
  std::string output;
  init_cmd->add_flag("--from-host", from_host, "describe this node (CPU model, sockets, memory)");
  init_cmd->add_option("-o,--output", output, "file to write (default: standard output)");
  init_cmd->add_flag("--force", force, "overwrite the output file if it exists");
  if (auto code = parse_arguments(app, "plan", args, io)) return *code;
  if (check_cmd->parsed()) return check(path, print, io);
  return init(from_host, output, force, io);
}

}  // namespace assay::cli
