// assay probe NAME [--set key=value ...] [--json]
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/result_json.h"
#include "core/text_match.h"
#include "reports/verdict_table.h"
#include "suites/fleet_coordinator.h"
#include "suites/inventory.h"
#include "suites/probe_registry.h"
#include "suites/probe_runner.h"

namespace assay::cli {
namespace {

Expected<std::vector<ParamOverride>> parse_sets(const std::vector<std::string>& sets) {
  std::vector<ParamOverride> overrides;
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      return bad_input(fmt::format("--set {}: expected key=value, e.g. --set threads=2", s));
    }
    overrides.push_back({s.substr(0, eq), ParamValue{s.substr(eq + 1)}, "--set " + s});
  }
  return overrides;
}

void print_result(const ProbeResult& result, std::ostream& out) {
  const double seconds = std::chrono::duration<double>(result.end - result.start).count();
  out << fmt::format("{} on {}: {} ({:.1f} s)\n", result.probe, result.node, result_status_text(result), seconds);
  std::string params_text;
  for (const auto& p : result.params) {
    params_text += (params_text.empty() ? "" : ", ") + p.name + "=" + param_value_text(p.value);
  }
  out << "parameters: " << params_text << "\n";
  if (!result.metrics.empty()) out << "\n" << render_metric_table(result) << "\n";
  for (const auto& m : result.metrics) {
    if (!m.note.empty()) out << m.key << ": " << m.note << "\n";
  }
  if (result.validation.checked) {
    out << "validation: " << (result.validation.passed ? "passed" : "FAILED") << " — " << result.validation.detail
        << "\n";
  }
  for (const auto& n : result.notes) out << "note: " << n << "\n";
}

}  // namespace

int probe_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Run one probe on this node and print its result. No bundle is written.\n"
               "Under mpirun or srun every rank runs it at once and rank 0 prints every result.\n"
               "'assay list --details' shows every probe's parameters.",
               "assay probe"};
  std::string name;
  std::vector<std::string> sets;
  bool json = false;
  int deadline_s = 30 * 60;
  std::string power = "auto";
  app.add_option("NAME", name, "probe name, e.g. cpu.fma")->required();
  app.add_option("--set", sets, "parameter as key=value (repeatable), e.g. --set threads=2");
  app.add_flag("--json", json, "print the result as JSON (schema assay.result/1, an array) and nothing else");
  app.add_option("--deadline", deadline_s, "seconds before the probe is stopped")
      ->capture_default_str()
      ->check(CLI::Range(1, 7 * 24 * 3600).description("1 s to one week"));
  app.add_option("--power", power,
                 "power sampled beside the probe: auto (every local source that answers: powercap, hwmon, nvml), "
                 "off, or one of powercap, hwmon, nvml (a BMC or meter: plans' [power], or the power.sample probe)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "off", "powercap", "hwmon", "nvml"}));
  if (auto code = parse_arguments(app, "probe", args, io)) return *code;

  const ProbeRegistry& registry = ProbeRegistry::builtin();
  const Probe* probe = registry.find(name);
  if (!probe) {
    std::vector<std::string> names;
    for (const auto& p : registry.probes()) names.emplace_back(p->name());
    return report_error(io, "probe", bad_input(fmt::format("unknown probe '{}'{}; 'assay list' shows them all",
                                                           name, did_you_mean(name, names))));
  }
  auto overrides = parse_sets(sets);
  if (!overrides) return report_error(io, "probe", overrides.error());
  const auto specs = probe->params();
  auto params = resolve_params(probe->name(), specs, *overrides);
  if (!params) return report_error(io, "probe", params.error());
  if (probe->availability().available) {
    if (auto checked = probe->check_params(*params); !checked) return report_error(io, "probe", checked.error());
  }

  install_interrupt_handlers();
  std::unique_ptr<Communicator> alone;
  std::unique_ptr<FleetCoordinator> own_fleet;
  if (!io.fleet) {
    alone = single_process_world();
    own_fleet = std::make_unique<FleetCoordinator>(*alone);
  }
  FleetCoordinator& fleet = io.fleet ? *io.fleet : *own_fleet;
  PowerSetup power_setup;
  power_setup.sources = power == "off" ? std::vector<std::string>{} : std::vector<std::string>{power};
  fleet.set_power(power_setup);
  if (auto started = fleet.start(std::chrono::seconds(120), [](const std::string& node) {
        return collect_node_inventory(node);
      });
      !started) {
    return report_error(io, "probe", started.error());
  }
  std::function<void(std::string_view)> progress;
  if (!json && io.err_is_terminal) {
    progress = [&](std::string_view text) { io.err << "\r\033[K" << name << " ... " << text << std::flush; };
  }
  ProbeDeadline deadline{std::chrono::seconds(deadline_s), std::chrono::seconds(30), [&](bool) {
                           std::fprintf(stderr, "assay probe: %s did not stop after being cancelled\n", name.c_str());
                           std::_Exit(exit_incomplete);
                         }};
  const FleetCoordinator::StepOutcome step =
      fleet.run_step(1, name, probe, *params, deadline, progress, [](const ProbeResult&) {});
  if (progress) io.err << "\r\033[K";

  if (json) {
    Json list = Json::array();
    for (const auto& result : step.results) list.push_back(to_json(result));
    io.out << list.dump(2) << "\n";
  } else {
    for (std::size_t i = 0; i < step.results.size(); ++i) {
      if (i > 0) io.out << "\n";
      print_result(step.results[i], io.out);
    }
    if (!step.text.empty()) io.out << "\n" << name << ": " << step.text << "\n";
  }
  int code = exit_accepted;
  for (const auto& result : step.results) {
    if (result.status != ProbeStatus::error) continue;
    code = std::max(code, result.validation.checked && !result.validation.passed ? int{exit_not_accepted}
                                                                                 : int{exit_incomplete});
  }
  return code;
}

}  // namespace assay::cli
