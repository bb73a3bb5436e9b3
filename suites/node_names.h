#pragma once
// What each rank of a run is called in the bundle.

#include <string>
#include <vector>

namespace assay {

/// Names the ranks of a run from their host names (index = world rank): a host with one
/// rank keeps its name; ranks sharing a host become "host#0", "host#1"... in rank order
/// (DESIGN.md "Running"), so two ranks on one machine are two distinct nodes.
std::vector<std::string> node_names(const std::vector<std::string>& hosts);

}  // namespace assay
