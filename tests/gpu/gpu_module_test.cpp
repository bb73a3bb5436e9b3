// Loading the CUDA module: the real libassay_gpu.so this build made, loaded through the
// same loader assay uses, on a machine that may have no driver; and the order in which
// the loader names what is missing.
#include "probes/gpu/gpu_module_loader.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <string>

namespace assay::gpu {
namespace {

bool driver_present() { return ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL) != nullptr; }

#if defined(ASSAY_GPU_MODULE_PATH)

TEST(GpuModule, TheBuiltModuleLoadsWithoutTheDriverAndSaysWhatItIs) {
  ModuleAccess access = load_gpu_module({.module_path = ASSAY_GPU_MODULE_PATH, .require_driver = false});
  ASSERT_NE(access.module, nullptr) << access.unavailable;
  const std::string versions = access.module->versions();
  EXPECT_NE(versions.find("CUDA runtime 13."), std::string::npos) << versions;
  EXPECT_NE(versions.find("cuBLASLt 13."), std::string::npos) << versions;
  EXPECT_NE(versions.find("NCCL"), std::string::npos) << versions;
  EXPECT_FALSE(access.module->kernel_architectures().empty());
  for (int cc : access.module->kernel_architectures()) EXPECT_GE(cc, 75);

  // Without a driver the runtime answers with an error, not a crash; with one, devices.
  const DeviceList list = access.module->devices();
  if (driver_present()) {
    if (list.error.empty()) {
      EXPECT_FALSE(list.devices.empty());
    }
  } else {
    EXPECT_NE(list.error.find("cudaGetDeviceCount"), std::string::npos) << list.error;
    const GpuSetup setup = gpu_setup_from(access);
    EXPECT_FALSE(setup.available());
    EXPECT_EQ(setup.unavailable.rfind("no CUDA device: ", 0), 0u) << setup.unavailable;
  }
}

TEST(GpuModule, AMissingDriverIsNamedBeforeAnythingElse) {
  ModuleAccess access = load_gpu_module(
      {.module_path = ASSAY_GPU_MODULE_PATH, .require_driver = true, .driver_library = "libassay-no-such-driver.so.1"});
  EXPECT_EQ(access.module, nullptr);
  EXPECT_EQ(access.unavailable.rfind("no CUDA device: driver not loaded (", 0), 0u) << access.unavailable;
  EXPECT_NE(access.unavailable.find("libassay-no-such-driver.so.1"), std::string::npos) << access.unavailable;
}

#else

TEST(GpuModule, TheBuiltModuleLoadsWithoutTheDriverAndSaysWhatItIs) {
  GTEST_SKIP() << "this build has no GPU module (nvcc was not found when it was configured)";
}

#endif

TEST(GpuModule, GpusOlderThanTheBuiltKernelsAreNamedWithTheFix) {
  Device t4;
  t4.name = "Tesla T4";
  t4.cc_major = 7;
  t4.cc_minor = 5;
  const auto gap = kernel_gap({t4}, {80, 90, 100});
  ASSERT_TRUE(gap);
  EXPECT_NE(gap->find("Tesla T4, compute capability 7.5"), std::string::npos) << *gap;
  EXPECT_NE(gap->find("sm_80 sm_90 sm_100"), std::string::npos) << *gap;
  EXPECT_NE(gap->find("-DASSAY_CUDA_ARCHITECTURES=\"75;80;90;100\""), std::string::npos) << *gap;
  // 8.6, 8.9 (sm_80 code), 9.0, 10.0 and 12.0 (PTX compiled at load) all run them.
  for (auto [major, minor] : {std::pair{8, 6}, std::pair{8, 9}, std::pair{9, 0}, std::pair{12, 0}}) {
    Device d;
    d.cc_major = major;
    d.cc_minor = minor;
    EXPECT_FALSE(kernel_gap({d}, {80, 90, 100})) << major << "." << minor;
    EXPECT_FALSE(kernel_gap({t4, d}, {80, 90, 100})) << "one GPU that runs them is enough";
  }
}

TEST(GpuModule, AnUnloadableFileIsReportedWithTheLoadersText) {
  ModuleAccess access = load_gpu_module({.module_path = "/nonexistent/libassay_gpu.so", .require_driver = false});
  EXPECT_EQ(access.module, nullptr);
  EXPECT_NE(access.unavailable.find("could not be loaded"), std::string::npos) << access.unavailable;
  EXPECT_NE(access.unavailable.find("/nonexistent/libassay_gpu.so"), std::string::npos) << access.unavailable;
}

TEST(GpuModule, ALibraryThatIsNotTheModuleIsRefused) {
  ModuleAccess access = load_gpu_module({.module_path = "libm.so.6", .require_driver = false});
  EXPECT_EQ(access.module, nullptr);
  EXPECT_NE(access.unavailable.find("is not assay's GPU module"), std::string::npos) << access.unavailable;
}

TEST(GpuModule, WithoutADriverEveryGpuProbeHasAReason) {
  if (driver_present()) GTEST_SKIP() << "this machine has the NVIDIA driver (libcuda.so.1 loads)";
  const GpuSetup& setup = gpu_setup();
  EXPECT_FALSE(setup.available());
  EXPECT_FALSE(setup.unavailable.empty());
}

}  // namespace
}  // namespace assay::gpu
