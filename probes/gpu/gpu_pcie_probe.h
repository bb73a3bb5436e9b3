#pragma once
// gpu.pcie: host-to-device, device-to-host and bidirectional copy bandwidth between
// pinned host memory and each GPU, per GPU alone and then all selected GPUs at once (a
// shared PCIe switch or a NUMA bottleneck shows there), the host side bound to the
// GPU's NUMA node, every copy checked. See docs/probes/gpu.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_gpu_pcie_probe();

}  // namespace assay
