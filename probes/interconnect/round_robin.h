#pragma once
// The pair schedule of interconnect.p2p: a round-robin tournament by the circle method.
// N nodes meet in N-1 rounds when N is even and in N rounds when N is odd (then one node
// sits out each round, its "bye"); every pair meets exactly once and no node plays
// twice in a round, so the pairs of a round can be measured at the same time and the
// whole link matrix takes O(N) rounds instead of O(N^2) one-pair steps.
//
// Everything is computed on demand in O(1) per node and round, so a fleet of thousands
// of nodes never materialises the N^2/2 pairs on one rank.

#include <optional>
#include <vector>

namespace assay {

/// Two nodes that meet, `a` < `b` (node numbers are 0-based ranks).
struct RoundPair {
  int a = 0;
  int b = 0;
  friend bool operator==(const RoundPair&, const RoundPair&) = default;
};

/// Rounds a tournament of `nodes` takes: nodes-1 when even, nodes when odd, 0 for fewer
/// than 2 nodes.
int round_robin_rounds(int nodes);

/// The node that `node` meets in `round` (0-based), or nullopt when it has the bye
/// (odd `nodes` only). Arguments outside [0, nodes) and [0, rounds) give nullopt.
std::optional<int> round_robin_partner(int nodes, int round, int node);

/// The pairs of `round`, ordered by `a`; nodes/2 of them.
std::vector<RoundPair> round_robin_pairs(int nodes, int round);

/// The node with the bye in `round`: nullopt when `nodes` is even.
std::optional<int> round_robin_bye(int nodes, int round);

}  // namespace assay
