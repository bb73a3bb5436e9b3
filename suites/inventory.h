#pragma once
// inventory.json: what each node is (CPU, memory, OS, GPUs, assay build), so a figure
// can be traced to the hardware and software that produced it.

#include <string>

#include "core/result_json.h"
#include "probes/common/host_topology.h"

namespace assay {

/// This node's inventory as JSON. `root` is "/" on a real machine; tests pass a fixture
/// tree. GPUs are read through NVML (the driver's libnvidia-ml.so.1, so not from
/// `root`): "gpus" has one health record per GPU (probes/gpu/gpu_health_json.h), or is
/// empty with "gpus_reason" saying why. That reading is also kept as this process's GPU
/// health baseline (probes/gpu/gpu_health_baseline.h), which gpu.health compares with.
Json collect_node_inventory(const std::string& node_name, const std::string& root = "/");

/// Warnings that make the numbers less trustworthy (google/benchmark style): running
/// under a hypervisor, a power-saving governor, a debug or sanitizer build, CPUs busy
/// with other work at start (sampled over 250 ms from /proc/stat).
std::vector<std::string> measurement_warnings(const HostCpu& cpu, const std::string& root = "/");

/// This machine's host name (gethostname), "localhost" if unavailable.
std::string local_host_name();

}  // namespace assay
