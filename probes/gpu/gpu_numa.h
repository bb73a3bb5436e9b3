#pragma once
// Where a GPU sits among the host's NUMA nodes, and binding a host thread there. A copy
// between a GPU and pinned memory on the far socket crosses the inter-socket link as
// well as PCIe, and comes out slower for reasons that are not the GPU's; gpu.pcie binds
// the thread that allocates its pinned buffers and issues its copies to the GPU's own
// node (first touch then places the pages there too), as nvbandwidth's users do with
// numactl. The sysfs root is a parameter so tests read fixture trees.

#include <string>
#include <string_view>
#include <vector>

namespace assay::gpu {

/// sysfs's name of a PCI function ("0000:17:00.0") from CUDA's bus id, which may print
/// the domain with 8 digits ("00000000:17:00.0"); lower case. Empty for text that is
/// not a PCI address.
std::string sysfs_pci_address(std::string_view bus_id);

/// "0-3,8,10-11" -> {0,1,2,3,8,10,11}; malformed parts are skipped.
std::vector<int> parse_cpu_list(std::string_view text);

/// Where a GPU's host thread should run.
struct NumaPlacement {
  int node = -1;          ///< -1: unknown (no numa_node file, or the firmware says -1)
  std::vector<int> cpus;  ///< the node's CPUs this process may use; empty: do not bind
  std::string text;       ///< for the notes: the node and its usable CPUs, or why they are unknown
};

/// The NUMA node of the PCI device `bus_id` (/sys/bus/pci/devices/<address>/numa_node
/// under `root`) and those of its CPUs (/sys/devices/system/node/node<N>/cpulist) that
/// are in `allowed`.
NumaPlacement numa_placement(std::string_view bus_id, const std::vector<int>& allowed, const std::string& root = "/");

/// Binds the calling thread to `cpus` (any of them); false when `cpus` is empty or the
/// kernel refuses.
bool bind_current_thread(const std::vector<int>& cpus);

}  // namespace assay::gpu
