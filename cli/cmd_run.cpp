// assay run [PLAN] [--suite quick|standard|burnin] [--out DIR] [--deadline S] [--resume DIR]
//           [--lang en|zh] [--sign KEYFILE]
#include <algorithm>
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "reports/manifest.h"
#include "reports/verdict_table.h"
#include "suites/bundle.h"
#include "suites/plan.h"
#include "suites/probe_registry.h"
#include "suites/probe_runner.h"
#include "suites/run_session.h"

namespace assay::cli {

int run_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Run a plan on this node and write an acceptance bundle.\n"
               "Without PLAN, runs the quick suite with the rated figures the catalog knows "
               "for this node's CPU.\n"
               "Across nodes, launch it with the site's launcher, one rank per node: "
               "'mpirun -np N assay run PLAN' or 'srun assay run PLAN'; rank 0 writes the one "
               "bundle (docs/fleet.md).",
               "assay run"};
  std::string plan_path, suite, out_root = "assay-results", resume_dir;
  app.add_option("PLAN", plan_path, "plan file (TOML); see docs/plans.md");
  app.add_option("--suite", suite, "suite preset: the probes and their parameters")
      ->check(CLI::IsMember(suite_names()));
  app.add_option("--out", out_root, "directory the bundle is created in")->capture_default_str();
  int deadline_s = 30 * 60;
  app.add_option("--deadline", deadline_s,
                 "seconds each probe may run before it is stopped; across nodes, a node with no "
                 "result by then (plus a grace period) is reported missing")
      ->capture_default_str()
      ->check(CLI::Range(1, 7 * 24 * 3600).description("1 s to one week"));
  app.add_option("--resume", resume_dir,
                 "continue an interrupted run in this bundle, keeping what it measured");
  std::string lang = "en";
  app.add_option("--lang", lang,
                 "language of report.md, report.html and junit.xml: en or zh (Simplified Chinese); "
                 "'assay report DIR --lang' redraws them in the other")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  std::string sign_key_path;
  app.add_option("--sign", sign_key_path,
                 "sign the bundle's MANIFEST with this secret key (made by 'assay keygen'); "
                 "see docs/evidence.md")
      ->type_name("KEYFILE");
  if (auto code = parse_arguments(app, "run", args, io)) return *code;

  auto catalog = Catalog::embedded();
  if (!catalog) return report_error(io, "run", catalog.error());
  const ProbeRegistry& registry = ProbeRegistry::builtin();

  Expected<Plan> plan = bad_input("no plan");
  RunOptions options;
  options.out_root = out_root;
  options.fleet = io.fleet;
  options.lang = lang == "zh" ? Lang::zh : Lang::en;
  options.probe_deadline = std::chrono::seconds(deadline_s);
  // A stuck probe gets a tenth of its time, 2 s to 30 s, to notice its cancel flag.
  options.cancel_grace = std::chrono::seconds(std::clamp(deadline_s / 10, 2, 30));
  // The key is read now, so that a bad key file fails at once, not after the run.
  if (!sign_key_path.empty()) {
    auto key = read_signing_key(sign_key_path);
    if (!key) return report_error(io, "run", key.error());
    options.sign_key = std::move(*key);
  }
  if (!resume_dir.empty()) {
    if (!plan_path.empty() || !suite.empty()) {
      return report_error(io, "run", bad_input("--resume continues the bundle's own plan; "
                                               "do not give PLAN or --suite with it"));
    }
    const std::filesystem::path bundle(resume_dir);
    const std::string bundle_plan = (bundle / bundle_file::plan).string();
    for (const char* required : {bundle_file::plan, bundle_file::inventory}) {
      if (!std::filesystem::is_regular_file(bundle / required)) {
        return report_error(io, "run", bad_input(fmt::format(
            "--resume {}: not a bundle (no {} in it)", resume_dir, required)));
      }
    }
    // The bundle's plan may come from another build of assay; load it as recorded.
    PlanLoadOptions load;
    load.recorded = true;
    plan = load_plan_file(bundle_plan, *catalog, registry, load);
    options.resume_dir = resume_dir;
  } else if (!plan_path.empty()) {
    PlanLoadOptions load;
    if (!suite.empty()) load.suite_override = suite;
    plan = load_plan_file(plan_path, *catalog, registry, load);
  } else {
    plan = default_plan(suite.empty() ? "quick" : suite, *catalog, registry);
  }
  if (!plan) return report_error(io, "run", plan.error());
  if (auto checked = check_planned_params(*plan, registry); !checked) {
    return report_error(io, "run", checked.error());
  }

  install_interrupt_handlers();
  ProgressPrinter progress(io.err, io.err_is_terminal);
  options.on_event = [&](const RunEvent& e) { progress.on_event(e); };
  auto outcome = run_plan(*plan, *catalog, registry, options);
  if (!outcome) return report_error(io, "run", outcome.error());

  const Summary& s = outcome->summary;
  io.out << "\n" << render_verdict_table(s.verdicts) << "\n";
  for (const auto& w : s.context.warnings) io.out << "warning: " << w << "\n";
  const VerdictCounts c = count_verdicts(s.verdicts);
  io.out << fmt::format("{}: {} PASS, {} WARN, {} FAIL, {} INFO, {} SKIP, {} ERROR\n",
                        s.accepted ? "ACCEPTED" : "NOT ACCEPTED", c.pass, c.warn, c.fail, c.info, c.skip,
                        c.error);
  io.out << "bundle: " << outcome->bundle_dir << "\n";
  if (options.sign_key) {
    io.out << fmt::format("signed: MANIFEST.sig by {} (public key {})\n",
                          options.sign_key->signer.empty() ? "(no name)" : options.sign_key->signer,
                          public_key_hex(options.sign_key->public_key));
  }
  std::vector<std::string> missing;
  for (const auto& n : s.nodes) {
    if (n.status == "missing") missing.push_back(n.name);
  }
  if (!missing.empty()) {
    io.out << fmt::format("missing nodes ({} of {}): {}\n", missing.size(), s.nodes.size(), fmt::join(missing, ", "));
  }
  if (outcome->incomplete) {
    io.out << "the run is incomplete (a probe failed or was stopped, or a node went missing); continue it "
           << "with 'assay run --resume " << outcome->bundle_dir << "'\n";
    return exit_incomplete;
  }
  return s.accepted ? exit_accepted : exit_not_accepted;
}

}  // namespace assay::cli
