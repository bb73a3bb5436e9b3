#pragma once
// The side of a run across nodes that every rank but 0 takes: say hello, send this
// node's inventory, then run each step rank 0 sends and send back the result, until
// rank 0 says the run is over. Workers write nothing to disk; rank 0 writes the bundle.

#include "probes/common/communicator.h"
#include "suites/probe_registry.h"

namespace assay {

/// How a worker's service ended.
struct WorkerOutcome {
  /// 0, or 3 when rank 0 stopped answering (waited for as long as its own deadlines
  /// allow) or this node was interrupted.
  int exit_code = 0;
  /// Rank 0 said every node answered to the end, so MPI may be ended collectively.
  bool all_nodes_answered = false;
};

/// Serves rank 0 until it sends "finish".
WorkerOutcome serve_fleet_worker(Communicator& world, const ProbeRegistry& registry);

}  // namespace assay
