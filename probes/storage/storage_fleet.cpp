#include "probes/storage/storage_fleet.h"

#include <fmt/format.h>

namespace assay {

StorageFleet::StorageFleet(const ProbeContext& context, std::chrono::seconds timeout)
    : peers_(context.peers), timeout_(timeout), cancel_(context.cancel) {}

bool StorageFleet::together() const { return peers_ && peers_->size() > 1; }

int StorageFleet::nodes() const { return together() ? peers_->size() : 1; }

bool StorageFleet::reports_aggregate() const { return together() && peers_->rank() == 0; }

Expected<void> StorageFleet::start_phase(std::string_view phase) {
  if (!together()) return {};
  if (auto met = peers_->barrier(CommStop::within(timeout_, cancel_)); !met) {
    return Error{met.error().kind, fmt::format("starting the {} phase on all {} nodes: {}", phase, nodes(),
                                               met.error().message)};
  }
  return {};
}

Expected<PhaseTotals> StorageFleet::finish_phase(std::string_view phase, PhaseWork work) {
  PhaseTotals totals{work.amount, work.seconds, 1};
  if (!together()) return totals;
  const CommStop stop = CommStop::within(timeout_, cancel_);
  auto amount = peers_->sum_over_ranks(work.amount, stop);
  auto seconds = amount ? peers_->max_over_ranks(work.seconds, stop) : Expected<double>(amount.error());
  if (!seconds) {
    return Error{seconds.error().kind, fmt::format("adding up '{}' over all {} nodes: {}", phase, nodes(),
                                                   seconds.error().message)};
  }
  totals.amount = *amount;
  totals.seconds = *seconds;
  totals.nodes = nodes();
  return totals;
}

Expected<bool> StorageFleet::any_failed(bool failed) {
  if (!together()) return failed;
  auto worst = peers_->max_over_ranks(failed ? 1.0 : 0.0, CommStop::within(timeout_, cancel_));
  if (!worst) {
    return Error{worst.error().kind,
                 fmt::format("agreeing with the other {} nodes whether to go on: {}", nodes() - 1,
                             worst.error().message)};
  }
  return *worst > 0.5;
}

Expected<PhaseTotals> StorageFleet::end_phase(std::string_view probe, std::string_view node, std::string_view where,
                                              const PhaseEnd& end) {
  auto totals = finish_phase(where, end.work);
  if (!totals) return totals.error();
  auto any = any_failed(!end.error.empty() || end.interrupted);
  if (!any) return any.error();
  if (!end.error.empty()) return environment_error(fmt::format("{} on {}: {}: {}", probe, node, where, end.error));
  if (end.interrupted) return environment_error(fmt::format("{}: interrupted during the {}", probe, where));
  if (*any) {
    return environment_error(
        fmt::format("{}: another node failed in the {} (see its result); this node stopped with it", probe, where));
  }
  if (end.work.amount <= 0 || end.work.seconds <= 0) {
    return environment_error(fmt::format("{} on {}: nothing was done in the {} (stonewall or window too short?)",
                                         probe, node, where));
  }
  return totals;
}

Metric aggregate_metric(std::string_view key, Unit unit, std::vector<double> samples, int nodes,
                        std::string_view stonewall_note) {
  return make_metric(fmt::format("{}_aggregate", key), unit, Better::higher, std::move(samples),
                     ValueRule::median, "fleet",
                     fmt::format("all {} nodes at once: their total over the longest node's time; {}", nodes,
                                 stonewall_note));
}

}  // namespace assay
