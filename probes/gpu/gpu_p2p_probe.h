#pragma once
// gpu.p2p: GPU-to-GPU copy bandwidth (one way, and both ways at once) and latency for
// every ordered pair of the node's GPUs, with peer access where the GPUs allow it
// (NVLink or PCIe peer-to-peer) and staged by the driver where they do not, every copy
// checked; the matrices and the pairs that fall short of the others are in the notes.
// See docs/probes/gpu.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_gpu_p2p_probe();

}  // namespace assay
