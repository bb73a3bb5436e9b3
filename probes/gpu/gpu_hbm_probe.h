#pragma once
// gpu.hbm: device-memory bandwidth with assay's own kernels (read: a sum of every word;
// write: a pattern; copy), per GPU alone and then all selected GPUs at once, every
// kernel's result checked in every round. See docs/probes/gpu.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_gpu_hbm_probe();

}  // namespace assay
