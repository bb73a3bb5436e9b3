// `assay probe interconnect.nccl --json` on a machine without the NVIDIA driver (this
// one): the result is "skipped" with the reason, and the JSON is the result schema.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

// What a GPU probe says on this machine: no driver where the CUDA module was built, or
// that it was not built at all (the asan preset builds without CUDA).
#if defined(ASSAY_TEST_GPU_MODULE_BUILT)
constexpr const char* kNcclAbsentReason = "no CUDA device: driver not loaded";
constexpr const char* kNcclAbsentWords = "driver not loaded";
#else
constexpr const char* kNcclAbsentReason = "this assay was built without CUDA";
constexpr const char* kNcclAbsentWords = "built without CUDA";
#endif


bool nccl_driver_present() { return ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL) != nullptr; }

TEST(NcclAbsent, ProbeIsSkippedWithTheReason) {
  if (nccl_driver_present()) GTEST_SKIP() << "this machine has the NVIDIA driver; tests/gpu/nccl_runtime_test covers it";
  const auto r = testing::run_assay({"probe", "interconnect.nccl", "--json", "--set", "max_bytes=64MiB"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "stdout is not only JSON:\n" << r.out;
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  const Json& result = j[0];
  EXPECT_EQ(result["schema"], "assay.result/1");
  EXPECT_EQ(result["probe"], "interconnect.nccl");
  EXPECT_EQ(result["status"], "skipped");
  const std::string reason = result.value("reason", "");
  EXPECT_EQ(reason.rfind(kNcclAbsentReason, 0), 0u) << reason;
  EXPECT_TRUE(result["metrics"].empty());
  // The parameters it would have used are recorded, as given.
  EXPECT_EQ(result["params"]["max_bytes"], 64 << 20);
  EXPECT_EQ(result["params"]["collectives"], "all");
  auto parsed = result_from_json(result, "stdout");
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
}

TEST(NcclAbsent, ListNamesTheProbeAndWhyItCannotRun) {
  if (nccl_driver_present()) GTEST_SKIP() << "this machine has the NVIDIA driver";
  const auto r = testing::run_assay({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("interconnect.nccl");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kNcclAbsentWords, at), std::string::npos) << r.out;
}

}  // namespace
}  // namespace assay
