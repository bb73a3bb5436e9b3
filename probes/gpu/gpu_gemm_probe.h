#pragma once
// gpu.gemm: matrix-multiply throughput per precision through cuBLASLt, per GPU alone and
// then all GPUs of the node at once, every result checked on sampled entries against
// exact references. See docs/probes/gpu.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_gpu_gemm_probe();

}  // namespace assay
