#pragma once
// FMA throughput per core by microarchitecture, from the vendors' optimisation
// manuals: the "FLOPs per cycle" of the derived peak (cores x clock x FLOPs/cycle).

#include <string>

#include "probes/common/host_topology.h"

namespace assay {

/// How many FMA instructions one core completes per cycle, by vector width. A core
/// whose datapath is narrower than the vector splits the instruction (Zen 4 runs a zmm
/// FMA as two 256-bit halves: 2 ymm but 1 zmm per cycle).
struct CpuUarch {
  std::string name;  ///< e.g. "AMD Zen 5 (EPYC Turin)"
  double fma_per_cycle_128 = 0;
  double fma_per_cycle_256 = 0;
  double fma_per_cycle_512 = 0;  ///< 0: no AVX-512
  /// False when the CPU is not in the table and the figures are the fallback
  /// assumption (two FMA pipes of every width), which the probe's notes then say.
  bool known = false;
  std::string source;  ///< where the figures come from
};

/// The entry for this CPU (vendor, family, model; for Skylake-SP/Cascade Lake also the
/// model name, because the number of 512-bit FMA units differs by SKU).
CpuUarch lookup_cpu_uarch(const HostCpu& cpu);

/// FLOPs one core does per cycle with `vector_bits`-wide FMAs on `element_bits`-wide
/// elements: FMA/cycle x lanes x 2. 0 for widths the entry has no figure for.
double fma_flops_per_cycle(const CpuUarch& uarch, int vector_bits, int element_bits);

}  // namespace assay
