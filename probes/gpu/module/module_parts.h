#pragma once
// The module's operations, one file each (gpu_module.h says what each does);
// module_entry.cpp routes the Module interface to them.

#include "probes/gpu/gpu_module.h"

namespace assay::gpu {

GemmOutcome run_gemm(const GemmRequest& request);
HbmOutcome run_hbm(const HbmRequest& request);
PcieOutcome run_pcie(const PcieRequest& request);
P2pOutcome run_p2p(const P2pRequest& request);
NcclId make_nccl_unique_id();
NcclOpenOutcome open_nccl(const NcclOpenRequest& request);
/// "cuBLASLt 13.0.0" / "NCCL 2.27.7" for versions().
std::string cublaslt_version_text();
std::string nccl_version_text();

}  // namespace assay::gpu
