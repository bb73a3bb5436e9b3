#pragma once
// cpu.gemm: DGEMM and SGEMM throughput through OpenBLAS' cblas with n large enough to
// be compute-bound, each result checked on sampled entries against an extended-
// precision reference. See docs/probes/cpu-gemm.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

/// The probe, for the registry.
std::unique_ptr<Probe> make_cpu_gemm_probe();

}  // namespace assay
