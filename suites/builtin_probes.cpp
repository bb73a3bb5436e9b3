// The one place that lists the built-in probes. Explicit, because static
// self-registration inside a static library is silently dropped by the linker.
#include "probes/cpu/cpu_fma_probe.h"
#include "probes/cpu/cpu_gemm_probe.h"
#include "probes/gpu/gpu_health_probe.h"
#include "probes/gpu/gpu_gemm_probe.h"
#include "probes/gpu/gpu_hbm_probe.h"
#include "probes/gpu/gpu_p2p_probe.h"
#include "probes/gpu/gpu_pcie_probe.h"
#include "probes/gpu/nccl_probe.h"
#include "probes/interconnect/collective_probe.h"
#include "probes/interconnect/p2p_probe.h"
#include "probes/memory/stream_probe.h"
#include "probes/power/power_sample_probe.h"
#include "probes/power/pue_probe.h"
#include "probes/storage/meta_probe.h"
#include "probes/storage/rand_probe.h"
#include "probes/storage/seq_probe.h"
#include "suites/probe_registry.h"

namespace assay {

const ProbeRegistry& ProbeRegistry::builtin() {
  static const ProbeRegistry registry = [] {
    ProbeRegistry r;
    r.add(make_cpu_fma_probe());
    r.add(make_cpu_gemm_probe());
    r.add(make_memory_stream_probe());
    r.add(make_gpu_gemm_probe());
    r.add(make_gpu_hbm_probe());
    r.add(make_gpu_pcie_probe());
    r.add(make_gpu_p2p_probe());
    r.add(make_interconnect_p2p_probe());
    for (auto& collective : make_interconnect_collective_probes()) r.add(std::move(collective));
    r.add(make_interconnect_nccl_probe());
    r.add(make_storage_seq_probe());
    r.add(make_storage_rand_probe());
    r.add(make_storage_meta_probe());
    r.add(make_gpu_health_probe());
    r.add(make_power_sample_probe());
    r.add(make_power_pue_probe());
    return r;
  }();
  return registry;
}

}  // namespace assay
