#pragma once
// The measuring half of interconnect.p2p: the round-robin tournament over all ranks,
// and per pair the osu_latency, osu_bw (both directions) and osu_bibw loops with their
// data checks. Plain data in, metrics out; the probe class (p2p_probe.cpp) reads the
// parameters and builds the result.

#include <cstddef>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/result.h"
#include "probes/common/communicator.h"
#include "probes/probe.h"

namespace assay {

/// What one run measures, from the probe's parameters.
struct P2pSettings {
  std::size_t latency_bytes = 8;
  std::size_t bandwidth_bytes = std::size_t{4} << 20;
  int window = 64;
  int latency_iterations = 10000;
  int latency_warmup = 1000;
  int bandwidth_iterations = 20;
  int bandwidth_warmup = 2;
  int repetitions = 5;
  double timeout_seconds = 60;  ///< one step (one loop of one pair) at most

  /// The memory one rank allocates: the latency buffer, the send buffer, the pattern
  /// expected from the peer, and one receive buffer per window slot.
  std::size_t buffer_bytes() const;
  /// How long a node waits at the barrier that ends a round: every step of the
  /// slowest pair may take `timeout_seconds`.
  double round_limit_seconds() const;
};

/// What this node measured and checked.
struct P2pOutcome {
  std::vector<Metric> metrics;          ///< the figures this node reports
  std::vector<std::string> mismatches;  ///< failed data checks, each naming both nodes
  std::size_t ping_buffers_checked = 0;
  std::size_t window_slots_checked = 0;
  double bytes_checked = 0;
  int rounds = 0;
  int pairs = 0;  ///< pairs this node took part in (ranks - 1)
};

/// Runs the tournament over `comm` (every rank calls it at the same time); `names`
/// are the node names by rank of `comm`. An Error when a peer did not answer in time,
/// the run was cancelled, or MPI failed; its message names both nodes. Data that does
/// not match is not an Error but a mismatch in the outcome: the schedule goes on, so the
/// other nodes are not left waiting.
Expected<P2pOutcome> measure_p2p(const P2pSettings& settings, Communicator& comm,
                                 const std::vector<std::string>& names, const ProbeContext& context);

}  // namespace assay
