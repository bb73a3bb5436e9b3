#pragma once
// The link matrix of a run: interconnect.p2p figures of every pair of nodes, arranged
// over the run's nodes so the bad pairs can be found by both ends.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/summary.h"

namespace assay {

/// The metric keys the matrix is built from.
inline constexpr std::string_view p2p_latency_key = "interconnect.p2p.latency";
inline constexpr std::string_view p2p_bandwidth_key = "interconnect.p2p.bandwidth";
inline constexpr std::string_view p2p_bibandwidth_key = "interconnect.p2p.bibandwidth";

/// The ends of a link subject: "A->B" (from A to B) or "A<->B" (both ways).
struct LinkEnds {
  std::string from;
  std::string to;
  bool both_ways = false;
};

/// Parses "A->B" or "A<->B"; nullopt for anything else (no arrow, an empty or equal end).
std::optional<LinkEnds> parse_link_subject(std::string_view subject);

/// The matrix of the interconnect.p2p metrics of the ok results, over `nodes` in their
/// order (then any other node a link names, in order of appearance). "A->B" fills the
/// cell (A, B); "A<->B" fills (A, B) and (B, A). nullopt when no result has a link metric.
std::optional<LinkMatrix> build_link_matrix(std::span<const NodeStatus> nodes,
                                            std::span<const ProbeResult> results);

}  // namespace assay
