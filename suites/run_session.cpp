#include "suites/run_session.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/build_info.h"
#include "core/iso_time.h"
#include "core/result_json.h"
#include "reports/manifest.h"
#include "reports/journal_evidence.h"
#include "reports/report_input.h"
#include "suites/bundle.h"
#include "suites/inventory.h"
#include "suites/journal.h"
#include "suites/probe_runner.h"
#include "probes/common/communicator.h"
#include "suites/probe_watchdog.h"
#include "suites/run_summary.h"

namespace assay {
namespace fs = std::filesystem;

namespace {

// What a session has so far, shared with the watchdog thread that may have to write
// the bundle while a probe is stuck.
struct SessionState {
  std::mutex mutex;
  std::vector<ProbeResult> results;  // journal order
};

// The MANIFEST comes last: it hashes every other file of the bundle, which must be final.
Expected<void> seal_bundle(const std::string& dir, const std::optional<SigningKey>& key) {
  if (auto manifest = write_manifest(dir); !manifest) return manifest.error();
  if (key) {
    if (auto signature = add_signature(dir, *key); !signature) return signature.error();
  }
  return {};
}

// Signatures over the MANIFEST of a bundle being resumed stop being valid as soon as it
// changes: they are removed, and the signers sign the finished bundle again.
// Returns what was removed, for the user; nullopt when there was nothing to remove.
std::optional<std::string> drop_old_signatures(const std::string& dir) {
  const fs::path path = fs::path(dir) / manifest_signature_file;
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::vector<std::string> signers;
  if (auto text = read_file(path.string())) {
    if (auto signatures = parse_signatures(*text, path.string())) {
      for (const auto& s : *signatures) {
        signers.push_back(s.signer.empty() ? public_key_hex(s.public_key).substr(0, 16) : s.signer);
      }
    }
  }
  fs::remove(path, ec);
  return fmt::format("removed {} (signed by {}): it signs the bundle as it was before this resume; sign the "
                     "finished bundle again (assay sign {} --key KEYFILE)",
                     path.string(), signers.empty() ? std::string("?") : fmt::format("{}", fmt::join(signers, ", ")),
                     dir);
}

// summary.json, then every report drawn from it, each exactly as `assay report DIR
// --format F --lang L` draws it again from the bundle alone (the evidence lines from
// summary.journal_lines, which summary.json carries).
Expected<void> write_outputs(const std::string& dir, const Summary& summary, const Json& inventory, Lang lang) {
  const ReportInput input{summary, inventory, lang, summary.journal_lines};
  for (const ReportFormat format : {ReportFormat::json, ReportFormat::md, ReportFormat::html,
                                    ReportFormat::junit, ReportFormat::csv}) {
    if (auto w = write_file_atomic((fs::path(dir) / report_file_name(format)).string(),
                                   render_report(format, input));
        !w) {
      return w;
    }
  }
  return {};
}

}  // namespace

Expected<RunOutcome> run_plan(const Plan& plan, const Catalog& catalog, const ProbeRegistry& registry,
                              const RunOptions& options) {
  const auto started = std::chrono::system_clock::now();
  const auto emit = [&](RunEvent e) {
    if (options.on_event) options.on_event(e);
  };
  std::unique_ptr<Communicator> alone;
  std::unique_ptr<FleetCoordinator> own_fleet;
  if (!options.fleet) {
    alone = single_process_world();
    own_fleet = std::make_unique<FleetCoordinator>(*alone);
  }
  FleetCoordinator& fleet = options.fleet ? *options.fleet : *own_fleet;
  fleet.set_power(plan.power);

  RunOutcome outcome;
  SessionState state;
  Json inventory;
  if (options.resume_dir) {
    outcome.bundle_dir = *options.resume_dir;
    const std::string journal_path = (fs::path(outcome.bundle_dir) / bundle_file::journal).string();
    if (fs::exists(journal_path)) {
      auto contents = Journal::read(journal_path);
      if (!contents) return contents.error();
      state.results = std::move(contents->results);
    }
    if (auto removed = drop_old_signatures(outcome.bundle_dir)) {
      RunEvent notice;
      notice.kind = RunEvent::Kind::notice;
      notice.text = *removed;
      emit(notice);
    }
  } else {
    auto dir = create_bundle_dir(options.out_root, plan.system.name, started);
    if (!dir) return dir.error();
    outcome.bundle_dir = *dir;
    if (auto w = write_file_atomic((fs::path(outcome.bundle_dir) / bundle_file::plan).string(),
                                   plan_to_toml(plan));
        !w) {
      return w.error();
    }
  }
  emit({RunEvent::Kind::bundle_created, 0, plan.probes.size(), {}, outcome.bundle_dir, nullptr});

  // Greet the other nodes (if any) and record what every node is.
  if (auto greeted = fleet.start(std::chrono::seconds(120),
                                 [](const std::string& name) { return collect_node_inventory(name); });
      !greeted) {
    return greeted.error();
  }
  if (fleet.node_count() > 1) {
    emit({RunEvent::Kind::fleet_ready, 0, plan.probes.size(), {}, fleet.describe(), nullptr});
  }
  // A resumed bundle keeps the inventory of the run it began with.
  const std::string inventory_path = (fs::path(outcome.bundle_dir) / bundle_file::inventory).string();
  if (options.resume_dir) {
    auto text = read_file(inventory_path);
    if (text) inventory = Json::parse(*text, nullptr, false);
  }
  if (inventory.is_discarded() || !inventory.is_object() || !inventory.contains("nodes")) {
    inventory = Json::object({{"schema", "assay.inventory/1"}, {"nodes", fleet.inventories()}});
  }
  if (auto w = write_file_atomic(inventory_path, inventory.dump(2) + "\n");
      !w) {
    return w.error();
  }

  auto journal = Journal::open((fs::path(outcome.bundle_dir) / bundle_file::journal).string());
  if (!journal) return journal.error();

  std::vector<std::string> warnings = measurement_warnings(read_host_cpu());
  if (fleet.node_count() > 1) {
    std::vector<std::string> shared;
    std::map<std::string, int> ranks_on_host;
    for (const auto& n : fleet.nodes()) {
      if (const auto hash = n.name.rfind('#'); hash != std::string::npos) ++ranks_on_host[n.name.substr(0, hash)];
    }
    for (const auto& [host, ranks] : ranks_on_host) shared.push_back(fmt::format("{} ranks on {}", ranks, host));
    std::string text = fmt::format("measured on {} nodes ({}); warnings about the CPU are rank 0's ({})",
                                   fleet.node_count(), fleet.describe(), fleet.own_name());
    if (!shared.empty()) {
      text += fmt::format("; ranks share hosts ({}): they compete for its CPUs and memory, so per-node "
                          "figures are lower than one rank per node would measure",
                          fmt::join(shared, ", "));
    }
    warnings.insert(warnings.begin(), text);
  }
  const std::string started_text = iso_utc(started);
  // `results` is the journal's, in file order: each result's journal line is recorded
  // in the summary, so reports never read the journal again (docs/scale.md).
  const auto finish = [&](const std::vector<ProbeResult>& results) {
    Summary summary = summarize_run(plan, catalog, latest_results(results), fleet.nodes(), started_text,
                                    iso_utc(std::chrono::system_clock::now()), warnings);
    summary.journal_lines = journal_lines_for(summary, results);
    return summary;
  };

  // Probes already measured in a resumed bundle are kept, per node; a step runs again
  // when any node still answering lacks its result (errors are run again).
  std::set<std::pair<std::string, std::string>> kept;
  for (const auto& r : latest_results(state.results)) {
    if (r.status != ProbeStatus::error) kept.insert({r.node, r.probe});
  }
  const auto all_kept = [&](const std::string& probe) {
    for (const auto& n : fleet.nodes()) {
      if (n.status == "ok" && !kept.count({n.name, probe})) return false;
    }
    return true;
  };

  // Probes of the suite that this build lacks are reported, not silently dropped.
  std::vector<PlannedProbe> work = plan.probes;
  for (const auto& name : plan.unavailable_probes) work.push_back({name, {}});
  for (std::size_t i = 0; i < work.size(); ++i) {
    const PlannedProbe& planned = work[i];
    RunEvent event{RunEvent::Kind::probe_started, i + 1, work.size(), planned.name, {}, nullptr};
    if (all_kept(planned.name)) {
      for (const auto& r : state.results) {
        if (r.node == fleet.own_name() && r.probe == planned.name) event.result = &r;
      }
      event.kind = RunEvent::Kind::probe_kept;
      emit(event);
      continue;
    }
    if (interrupt_requested().load()) {
      outcome.interrupted = true;
      break;
    }
    emit(event);

    const Probe* probe = registry.find(planned.name);
    const std::string bundle_dir = outcome.bundle_dir;
    ProbeDeadline deadline{options.probe_deadline, options.cancel_grace, {}};
    // If this node's probe ignores its cancel flag, record that it was abandoned and
    // leave a complete bundle behind before ending the process: a run never hangs.
    deadline.on_abandon = [&, bundle_dir](bool interrupted) {
      std::lock_guard lock(state.mutex);
      ProbeResult lost;
      lost.probe = planned.name;
      lost.node = fleet.own_name();
      lost.params = planned.params;
      lost.status = ProbeStatus::error;
      lost.error = interrupted
          ? fmt::format("{}: interrupted, and did not stop within {} s", planned.name,
                        options.cancel_grace.count())
          : fmt::format("{}: exceeded its deadline of {} s and did not stop within {} s more",
                        planned.name, options.probe_deadline.count(), options.cancel_grace.count());
      lost.start = lost.end = std::chrono::system_clock::now();
      (void)journal->append(lost);
      state.results.push_back(lost);
      (void)write_outputs(bundle_dir, finish(state.results), inventory, options.lang);
      (void)seal_bundle(bundle_dir, options.sign_key);
      std::fprintf(stderr, "assay: %s; bundle written to %s\n", lost.error.c_str(), bundle_dir.c_str());
      std::_Exit(3);
    };
    const auto progress = [&](std::string_view text) {
      emit({RunEvent::Kind::probe_progress, i + 1, work.size(), planned.name, std::string(text), nullptr});
    };
    Expected<void> journaled;
    FleetCoordinator::StepOutcome step =
        fleet.run_step(i + 1, planned.name, probe, planned.params, deadline, progress, [&](const ProbeResult& r) {
          std::lock_guard lock(state.mutex);
          if (auto w = journal->append(r); !w && journaled) journaled = w;
          state.results.push_back(r);
        });
    if (!journaled) return journaled.error();
    if (step.interrupted) outcome.interrupted = true;
    RunEvent finished{RunEvent::Kind::probe_finished, i + 1, work.size(), planned.name, step.text, nullptr};
    if (!step.results.empty()) finished.result = &step.results.front();
    emit(finished);
    if (outcome.interrupted) break;
  }

  std::lock_guard lock(state.mutex);
  outcome.summary = finish(state.results);
  for (const auto& r : outcome.summary.results) {
    if (r.status == ProbeStatus::error && !(r.validation.checked && !r.validation.passed)) {
      outcome.incomplete = true;
    }
  }
  if (fleet.any_missing()) {
    outcome.incomplete = true;
    outcome.summary.accepted = false;
  }
  if (outcome.interrupted) {
    outcome.incomplete = true;
    outcome.summary.accepted = false;
    outcome.summary.context.warnings.push_back(fmt::format(
        "the run was interrupted before every probe had run; continue it with "
        "`assay run --resume {}`", outcome.bundle_dir));
  }
  if (auto w = write_outputs(outcome.bundle_dir, outcome.summary, inventory, options.lang); !w) {
    return w.error();
  }
  if (auto sealed = seal_bundle(outcome.bundle_dir, options.sign_key); !sealed) return sealed.error();
  return outcome;
}

}  // namespace assay
