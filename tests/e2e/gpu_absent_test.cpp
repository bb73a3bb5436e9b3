// On a machine without the NVIDIA driver (this one): the binary starts, every GPU probe
// reports SKIP with the reason, `assay list` says why, and a run with GPU probes still
// completes and writes its bundle.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

// What a GPU probe says on this machine: no driver where the CUDA module was built, or
// that it was not built at all (the asan preset builds without CUDA).
#if defined(ASSAY_TEST_GPU_MODULE_BUILT)
constexpr const char* kAbsentReason = "no CUDA device: driver not loaded";
constexpr const char* kAbsentWords = "driver not loaded";
#else
constexpr const char* kAbsentReason = "this assay was built without CUDA";
constexpr const char* kAbsentWords = "built without CUDA";
#endif


namespace fs = std::filesystem;
using testing::run_assay;

bool driver_present() { return ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL) != nullptr; }

TEST(GpuAbsent, ProbeGemmIsSkippedWithTheReason) {
  if (driver_present()) GTEST_SKIP() << "this machine has the NVIDIA driver; the GPU tests cover it";
  const auto r = run_assay({"probe", "gpu.gemm", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["probe"], "gpu.gemm");
  EXPECT_EQ(j[0]["status"], "skipped");
  const std::string reason = j[0].value("reason", "");
  EXPECT_EQ(reason.rfind(kAbsentReason, 0), 0u) << reason;
}

TEST(GpuAbsent, ListShowsWhyTheGpuProbesCannotRun) {
  if (driver_present()) GTEST_SKIP() << "this machine has the NVIDIA driver";
  const auto r = run_assay({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("gpu.gemm");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kAbsentWords, at), std::string::npos) << r.out;
}

TEST(GpuAbsent, ARunWithGpuProbesCompletesAndRecordsTheSkip) {
  if (driver_present()) GTEST_SKIP() << "this machine has the NVIDIA driver";
  const std::string dir = testing::make_temp_dir("gpu-absent");
  std::ofstream(dir + "/plan.toml") << R"([system]
name = "gpu absent"

[run]
probes = ["memory.stream", "gpu.gemm"]

[probes.memory.stream]
elements = 1000000
repetitions = 3
)";
  const auto r = run_assay({"run", dir + "/plan.toml", "--out", dir + "/bundle"}, dir);
  // Nothing rated (STREAM has no derived peak to miss on a busy machine), nothing
  // failed: accepted, with the GPU probe as SKIP.
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // --out names the parent; the bundle is the one directory made under it.
  std::string bundle;
  for (const auto& entry : fs::directory_iterator(dir + "/bundle")) bundle = entry.path().string();
  std::ifstream summary_file(bundle + "/summary.json");
  ASSERT_TRUE(summary_file) << "no summary.json under " << dir << "/bundle\n" << r.err;
  const Json summary = Json::parse(summary_file, nullptr, false);
  ASSERT_FALSE(summary.is_discarded());
  bool gpu_skipped = false;
  for (const Json& v : summary["verdicts"]) {
    if (v.value("key", "").starts_with("gpu.gemm") || v.value("probe", "") == "gpu.gemm") {
      gpu_skipped |= v["status"] == "SKIP";
    }
  }
  for (const Json& result : summary["results"]) {
    if (result["probe"] == "gpu.gemm") gpu_skipped |= result["status"] == "skipped";
  }
  EXPECT_TRUE(gpu_skipped) << summary.dump(2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace assay
