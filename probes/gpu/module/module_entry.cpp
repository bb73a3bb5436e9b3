// The module's one export and the Module it returns: devices and versions here, each
// operation in its own file (module_parts.h).
#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include "probes/gpu/gpu_module.h"
#include "probes/gpu/module/module_parts.h"

namespace assay::gpu {
namespace {

std::string uuid_text(const cudaUUID_t& uuid) {
  std::string text = "GPU-";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += fmt::format("{:02x}", static_cast<unsigned char>(uuid.bytes[i]));
  }
  return text;
}

std::string cuda_version_text(int version) {
  return version <= 0 ? std::string("none") : fmt::format("{}.{}", version / 1000, version % 1000 / 10);
}

class CudaModule final : public Module {
 public:
  std::string versions() override {
    int runtime = 0, driver = 0;
    cudaRuntimeGetVersion(&runtime);
    cudaDriverGetVersion(&driver);  // 0 when no driver is installed
    std::string architectures;
    for (int cc : kernel_architectures()) architectures += fmt::format(" sm_{}", cc);
    return fmt::format("CUDA runtime {}, driver supports CUDA {}, {}, {}; kernels built for{}",
                       cuda_version_text(runtime), cuda_version_text(driver), cublaslt_version_text(),
                       nccl_version_text(), architectures);
  }

  std::vector<int> kernel_architectures() override {
    std::vector<int> result;
    std::istringstream list(ASSAY_CUDA_ARCHITECTURES);
    std::string item;
    while (std::getline(list, item, ',')) {
      // "90", "90-real", "90a": the number is what a device's compute capability meets.
      int cc = 0;
      if (std::sscanf(item.c_str(), "%d", &cc) == 1) result.push_back(cc);
    }
    return result;
  }

  DeviceList devices() override {
    DeviceList list;
    int count = 0;
    if (const cudaError_t status = cudaGetDeviceCount(&count); status != cudaSuccess) {
      list.error = fmt::format("cudaGetDeviceCount: {} ({})", cudaGetErrorString(status), cudaGetErrorName(status));
      return list;
    }
    for (int i = 0; i < count; ++i) {
      cudaDeviceProp prop{};
      if (const cudaError_t status = cudaGetDeviceProperties(&prop, i); status != cudaSuccess) {
        list.error = fmt::format("cudaGetDeviceProperties(gpu{}): {} ({})", i, cudaGetErrorString(status),
                                 cudaGetErrorName(status));
        return list;
      }
      Device d;
      d.index = i;
      d.name = prop.name;
      d.uuid = uuid_text(prop.uuid);
      d.pci_bus_id = fmt::format("{:08x}:{:02x}:{:02x}.0", prop.pciDomainID, prop.pciBusID, prop.pciDeviceID);
      d.cc_major = prop.major;
      d.cc_minor = prop.minor;
      d.multiprocessors = prop.multiProcessorCount;
      d.memory_bytes = prop.totalGlobalMem;
      d.l2_bytes = static_cast<std::uint64_t>(prop.l2CacheSize);
      d.memory_bus_bits = prop.memoryBusWidth;
      int khz = 0;
      if (cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, i) == cudaSuccess) d.sm_clock_hz = khz * 1e3;
      if (cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, i) == cudaSuccess) d.memory_clock_hz = khz * 1e3;
      list.devices.push_back(std::move(d));
    }
    return list;
  }

  GemmOutcome gemm(const GemmRequest& request) override { return run_gemm(request); }
  HbmOutcome hbm(const HbmRequest& request) override { return run_hbm(request); }
  PcieOutcome pcie(const PcieRequest& request) override { return run_pcie(request); }
  P2pOutcome p2p(const P2pRequest& request) override { return run_p2p(request); }
  NcclId nccl_unique_id() override { return make_nccl_unique_id(); }
  NcclOpenOutcome nccl_open(const NcclOpenRequest& request) override { return open_nccl(request); }
};

}  // namespace
}  // namespace assay::gpu

extern "C" __attribute__((visibility("default"))) assay::gpu::Module* assay_gpu_module_create(int abi, char* error,
                                                                                               unsigned long error_size) {
  if (abi != assay::gpu::kModuleAbi) {
    if (error != nullptr && error_size > 0) {
      std::snprintf(error, error_size,
                    "the GPU module was built for interface version %d but this assay expects %d; rebuild both "
                    "from the same tree",
                    assay::gpu::kModuleAbi, abi);
    }
    return nullptr;
  }
  return new assay::gpu::CudaModule();
}
