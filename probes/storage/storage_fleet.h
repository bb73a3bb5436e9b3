#pragma once
// A storage probe run by several nodes at once against the plan's (shared) path, IO500
// style: every phase (write, read, create, ...) starts on all nodes together, and ends
// on each node when its work is done or the stonewall time has passed, whichever comes
// first. Each node reports its own rate; the lowest rank also reports the aggregate,
// the work of all nodes over the longest node's time, so neither a slow node's tail
// nor a fast node's early finish can stretch or hide the figure. Alone, a phase is just
// timed and no aggregate is reported.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "core/result.h"
#include "probes/probe.h"

namespace assay {

/// One node's share of a phase: what it did and for how long.
struct PhaseWork {
  double amount = 0;   ///< bytes or operations
  double seconds = 0;  ///< from the common start to this node's end
};

/// The phase as all nodes did it.
struct PhaseTotals {
  double amount = 0;       ///< summed over the nodes
  double seconds = 0;      ///< the longest node's time
  int nodes = 1;
  double rate() const { return seconds > 0 ? amount / seconds : 0; }
};

/// What this node saw in a phase, for StorageFleet::end_phase().
struct PhaseEnd {
  PhaseWork work;
  std::string error;  ///< a failure on this node (I/O error, failed check), naming file and offset
  bool interrupted = false;
};

class StorageFleet {
 public:
  /// `timeout` bounds every wait for the other nodes (a node that does not arrive is
  /// named in the error by the communicator).
  StorageFleet(const ProbeContext& context, std::chrono::seconds timeout);

  /// More than one node runs this probe now.
  bool together() const;
  int nodes() const;
  /// This node reports the aggregate figures (lowest rank, and together()).
  bool reports_aggregate() const;

  /// Returns when every node is ready to start `phase` (a barrier; alone: at once).
  Expected<void> start_phase(std::string_view phase);
  /// Sums `work.amount` and takes the largest `work.seconds` over the nodes.
  Expected<PhaseTotals> finish_phase(std::string_view phase, PhaseWork work);
  /// Whether any node failed (`failed` on this node); every node learns the same
  /// answer, so all of them leave the phase sequence at the same point.
  Expected<bool> any_failed(bool failed);
  /// Ends a phase on every node (finish_phase(), then any_failed()) and turns what
  /// went wrong into one message naming `probe`, this `node` and `where` ("write
  /// phase, repetition 2"): this node's failure, its interruption, another node's
  /// failure, or a phase in which this node did nothing.
  Expected<PhaseTotals> end_phase(std::string_view probe, std::string_view node, std::string_view where,
                                  const PhaseEnd& end);

 private:
  Communicator* peers_;
  std::chrono::seconds timeout_;
  const std::atomic<bool>* cancel_;
};

/// The aggregate metric a storage probe adds on the reporting node: key
/// `<key>_aggregate` (e.g. storage.seq.write_aggregate), subject "fleet", one sample
/// per repetition, with a note naming the node count and the stonewall.
Metric aggregate_metric(std::string_view key, Unit unit, std::vector<double> samples, int nodes,
                        std::string_view stonewall_note);

}  // namespace assay
