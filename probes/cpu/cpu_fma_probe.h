#pragma once
// cpu.fma: peak floating-point throughput of the CPU with hand-written SIMD kernels
// chosen at run time (AVX-512, AVX2+FMA, portable), the effective clock measured under
// the same load, and the theoretical peak derived from them (docs/probes/cpu-fma.md).

#include <memory>

#include "probes/probe.h"

namespace assay {

/// The cpu.fma probe. Metrics: cpu.fma.fp64, cpu.fma.fp32, cpu.fma.bf16 and
/// cpu.fma.fp16 where the CPU has them, cpu.clock, cpu.fma.fp64_peak_derived and
/// cpu.fma.fp32_peak_derived.
std::unique_ptr<Probe> make_cpu_fma_probe();

}  // namespace assay
