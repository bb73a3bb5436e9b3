#pragma once
// Plans written for people to edit: `assay plan init` (an example) and
// `assay plan init --from-host` (this node, filled in from /proc and the catalog).

#include <string>

#include "probes/common/host_topology.h"
#include "suites/catalog.h"

namespace assay {

/// A commented plan for this node: CPU model, cores, sockets and memory in comments,
/// [node] cpu set when the catalog has an entry for the CPU (else a comment saying
/// which model name matched nothing and how to give rated figures in [rated]),
/// default [criteria], [run] suite = "standard". It loads with parse_plan().
std::string host_plan_toml(const HostCpu& cpu, const HostMemory& memory, const Catalog& catalog,
                           std::string host_name);

/// A commented example plan for an 8-GPU H100 node lot, for `assay plan init`: the
/// embedded configs/examples/h100-lot.toml. It loads with parse_plan() against the
/// embedded catalog.
std::string template_plan_toml();

}  // namespace assay
