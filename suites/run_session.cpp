#include "suites/run_session.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "core/build_info.h"
#include "core/iso_time.h"
#include "core/result_json.h"
#include "reports/report_markdown.h"
#include "suites/bundle.h"
#include "suites/inventory.h"
#include "suites/journal.h"
#include "suites/probe_runner.h"
#include "suites/probe_watchdog.h"
#include "suites/rated.h"
#include "suites/verdicts.h"

namespace assay {
namespace fs = std::filesystem;

Summary summarize_run(const Plan& plan, const Catalog& catalog, const std::vector<ProbeResult>& results,
                      std::string started, std::string finished, std::vector<std::string> warnings) {
  Summary s;
  s.plan_name = plan.system.name;
  s.plan_file = plan.file;
  s.suite = plan.suite;
  s.assay = build_info();
  s.started = std::move(started);
  s.finished = std::move(finished);
  std::set<std::string> seen;
  for (const auto& r : results) {
    if (seen.insert(r.node).second) s.nodes.push_back({r.node, "ok"});
  }
  s.results = results;
  const RatedTable rated = RatedTable::resolve(plan, catalog);
  s.verdicts = judge(plan, rated, s.results);
  s.rated = rated_for_summary(rated, s.verdicts);
  s.context.warnings = std::move(warnings);
  s.accepted = is_accepted(s.verdicts);
  return s;
}

namespace {

// What a session has so far, shared with the watchdog thread that may have to write
// the bundle while a probe is stuck.
struct SessionState {
  std::mutex mutex;
  std::vector<ProbeResult> results;  // journal order
};

Expected<void> write_outputs(const std::string& dir, const Summary& summary, const Json& inventory) {
  if (auto w = write_file_atomic((fs::path(dir) / bundle_file::summary).string(),
                                 to_json(summary).dump(2) + "\n");
      !w) {
    return w;
  }
  return write_file_atomic((fs::path(dir) / bundle_file::report_md).string(),
                           render_markdown(summary, inventory));
}

}  // namespace

Expected<RunOutcome> run_plan(const Plan& plan, const Catalog& catalog, const ProbeRegistry& registry,
                              const RunOptions& options) {
  const auto started = std::chrono::system_clock::now();
  const std::string node = local_host_name();
  const auto emit = [&](RunEvent e) {
    if (options.on_event) options.on_event(e);
  };

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
    auto inv_text = read_file((fs::path(outcome.bundle_dir) / bundle_file::inventory).string());
    inventory = inv_text ? Json::parse(*inv_text, nullptr, false) : Json();
    if (inventory.is_discarded() || inventory.is_null()) {
      inventory = Json::object({{"nodes", Json::array({collect_node_inventory(node)})}});
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
    inventory = Json::object({{"schema", "assay.inventory/1"},
                              {"nodes", Json::array({collect_node_inventory(node)})}});
    if (auto w = write_file_atomic((fs::path(outcome.bundle_dir) / bundle_file::inventory).string(),
                                   inventory.dump(2) + "\n");
        !w) {
      return w.error();
    }
  }
  emit({RunEvent::Kind::bundle_created, 0, plan.probes.size(), {}, outcome.bundle_dir, nullptr});

  auto journal = Journal::open((fs::path(outcome.bundle_dir) / bundle_file::journal).string());
  if (!journal) return journal.error();

  const std::vector<std::string> warnings = measurement_warnings(read_host_cpu());
  const std::string started_text = iso_utc(started);
  const auto finish = [&](std::vector<ProbeResult> results) {
    return summarize_run(plan, catalog, latest_results(results), started_text,
                         iso_utc(std::chrono::system_clock::now()), warnings);
  };

  // Probes already measured in a resumed bundle are kept; errors are run again.
  std::set<std::string> kept;
  for (const auto& r : latest_results(state.results)) {
    if (r.node == node && r.status != ProbeStatus::error) kept.insert(r.probe);
  }

  // Probes of the suite that this build lacks are reported, not silently dropped.
  std::vector<PlannedProbe> work = plan.probes;
  for (const auto& name : plan.unavailable_probes) work.push_back({name, {}});
  for (std::size_t i = 0; i < work.size(); ++i) {
    const PlannedProbe& planned = work[i];
    RunEvent event{RunEvent::Kind::probe_started, i + 1, work.size(), planned.name, {}, nullptr};
    if (kept.count(planned.name)) {
      for (const auto& r : state.results) {
        if (r.node == node && r.probe == planned.name) event.result = &r;
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

    ProbeResult result;
    const Probe* probe = registry.find(planned.name);
    if (!probe) {
      result = skipped_result(planned.name, node, "not built into this assay");
    } else {
      ProbeContext context;
      context.node = node;
      context.progress = [&](std::string_view text) {
        emit({RunEvent::Kind::probe_progress, i + 1, work.size(), planned.name, std::string(text), nullptr});
      };
      const std::string bundle_dir = outcome.bundle_dir;
      ProbeDeadline deadline{options.probe_deadline, options.cancel_grace, {}};
      // If the probe ignores its cancel flag, record that it was abandoned and leave
      // a complete bundle behind before ending the process: a run never hangs.
      deadline.on_abandon = [&, bundle_dir](bool interrupted) {
        std::lock_guard lock(state.mutex);
        ProbeResult lost;
        lost.probe = planned.name;
        lost.node = node;
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
        (void)write_outputs(bundle_dir, finish(state.results), inventory);
        std::fprintf(stderr, "assay: %s; bundle written to %s\n", lost.error.c_str(), bundle_dir.c_str());
        std::_Exit(3);
      };
      GuardedRun run = run_probe_guarded(*probe, planned.params, context, deadline);
      result = std::move(run.result);
      if (run.interrupted) outcome.interrupted = true;
    }
    {
      std::lock_guard lock(state.mutex);
      if (auto w = journal->append(result); !w) return w.error();
      state.results.push_back(result);
    }
    emit({RunEvent::Kind::probe_finished, i + 1, work.size(), planned.name, {}, &state.results.back()});
    if (outcome.interrupted) break;
  }

  std::lock_guard lock(state.mutex);
  outcome.summary = finish(state.results);
  for (const auto& r : outcome.summary.results) {
    if (r.status == ProbeStatus::error && !(r.validation.checked && !r.validation.passed)) {
      outcome.incomplete = true;
    }
  }
  if (outcome.interrupted) {
    outcome.incomplete = true;
    outcome.summary.accepted = false;
    outcome.summary.context.warnings.push_back(fmt::format(
        "the run was interrupted before every probe had run; continue it with "
        "`assay run --resume {}`", outcome.bundle_dir));
  }
  if (auto w = write_outputs(outcome.bundle_dir, outcome.summary, inventory); !w) return w.error();
  return outcome;
}

}  // namespace assay
