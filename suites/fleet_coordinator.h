#pragma once
// Rank 0's side of a run across nodes (DESIGN.md "Running"). It greets every rank,
// names the nodes, collects their inventories, then runs the plan step by step: each
// probe on every node still answering at the same time, the results gathered as they
// arrive. A node that sends nothing before a step's deadline is missing: it gets an
// error result for that step and skipped results for the later ones, and the run goes
// on without it. On a world of one it simply runs the probes here.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result_json.h"
#include "core/summary.h"
#include "probes/common/communicator.h"
#include "probes/power/power_monitor.h"
#include "probes/power/power_setup.h"
#include "probes/probe.h"
#include "suites/probe_runner.h"

namespace assay {

class FleetCoordinator {
 public:
  /// `world` must be rank 0 of the launch's world and outlive this.
  explicit FleetCoordinator(Communicator& world);

  /// Greets the other ranks; those that do not answer within `limit` are missing.
  /// Collects each node's inventory (this node's with `collect_inventory(name)`).
  /// Calling it again does nothing.
  Expected<void> start(std::chrono::seconds limit, const std::function<Json(const std::string&)>& collect_inventory);

  std::size_t node_count() const { return nodes_.size(); }
  const std::string& own_name() const { return nodes_.front().name; }
  /// Every node in rank order, "ok" or "missing".
  std::vector<NodeStatus> nodes() const;
  bool any_missing() const;
  /// The nodes' inventories in rank order; a missing node has {"node", "status"} only.
  Json inventories() const;
  /// "Open MPI v4.1.4, 4 ranks" or "single process".
  std::string describe() const;

  /// What one step produced.
  struct StepOutcome {
    std::vector<ProbeResult> results;  ///< one per node, arrival order (this node's first)
    bool interrupted = false;          ///< Ctrl-C / SIGTERM stopped it
    std::string text;                  ///< e.g. "ok on 3 of 4 nodes; node-c missing"
  };

  /// Runs `probe` (nullptr: not built into this assay) with `params` on every node
  /// still answering. `deadline` guards this node's own run (its on_abandon must end
  /// the process); the other nodes get the same limit and grace. `on_result` sees each
  /// result as it arrives.
  StepOutcome run_step(std::size_t index, const std::string& name, const Probe* probe, const ParamList& params,
                       const ProbeDeadline& deadline, const std::function<void(std::string_view)>& progress,
                       const std::function<void(const ProbeResult&)>& on_result);

  /// Tells every node still answering that the run is over. Idempotent.
  void finish();

  /// How long after every node's deadline and grace a result may still arrive before
  /// its node counts as missing (default 10 s; tests shorten it).
  void set_delivery_margin(std::chrono::milliseconds margin) { delivery_margin_ = margin; }

  /// Samples power beside every following step on every node (the plan's [power]).
  void set_power(PowerSetup setup);

 private:
  struct Node {
    std::string name;
    bool missing = false;
    std::string missing_since;  ///< the probe during which it stopped answering
    Json inventory;
  };

  std::vector<int> live_ranks() const;
  Expected<Communicator*> peers_for(const std::vector<int>& members);
  ProbeResult missing_result(std::size_t rank, const std::string& probe, const ParamList& params,
                             std::chrono::seconds waited) const;

  Communicator& world_;
  std::vector<Node> nodes_;
  bool started_ = false;
  bool finished_ = false;
  std::unique_ptr<Communicator> peers_;
  std::vector<int> peer_ranks_;
  std::chrono::milliseconds delivery_margin_{std::chrono::seconds(10)};
  std::optional<PowerSetup> power_setup_;
  std::unique_ptr<PowerMonitor> power_;  // this node's, opened at the first step
};

}  // namespace assay
