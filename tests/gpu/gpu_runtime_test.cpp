// gpu.gemm on a real device: every precision the device supports, through the module
// and through the probe, checked. Skips, saying why, where there is no device.
#include <gtest/gtest.h>

#include "core/params.h"
#include "probes/gpu/gemm_check.h"
#include "probes/gpu/gemm_precision.h"
#include "probes/gpu/gpu_gemm_probe.h"
#include "probes/gpu/gpu_module_loader.h"

namespace assay::gpu {
namespace {

const GpuSetup& device_or_skip_reason() { return gpu_setup(); }

TEST(GemmOnDevice, EveryPrecisionTheDeviceRunsGivesCheckedTimedResults) {
  const GpuSetup& setup = device_or_skip_reason();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  const Device& device = setup.devices.front();
  for (GemmPrecision precision : kAllGemmPrecisions) {
    if (auto why = gemm_unsupported_reason(precision, device.cc_major, device.cc_minor)) continue;
    GemmRequest request;
    request.device = device.index;
    request.precision = precision;
    request.m = request.n = request.k = 1024;
    request.seed_a = 1;
    request.seed_b = 2;
    request.workspace_bytes = 32 << 20;
    request.warmup_calls = 4;
    request.repetition_seconds = 0.02;
    request.repetitions = 2;
    request.check_entries = gemm_check_entries(1024, 1024, 32, 3);
    const GemmOutcome outcome = setup.module->gemm(request);
    ASSERT_TRUE(outcome.error.empty()) << gemm_precision_name(precision) << ": " << outcome.error;
    ASSERT_EQ(outcome.seconds.size(), 2u);
    EXPECT_GT(outcome.calls_per_repetition, 0);
    for (double s : outcome.seconds) EXPECT_GT(s, 0.0);
    ASSERT_EQ(outcome.checked_values.size(), 3u);  // warm-up + 2 repetitions
    const auto references = gemm_references(precision, 1, 2, 1024, request.check_entries);
    const GemmCheckResult check = check_gemm_values(precision, 1024, request.check_entries, references,
                                                    outcome.checked_values);
    EXPECT_TRUE(check.passed()) << gemm_precision_name(precision) << ": " << check.first_failure;
  }
}

TEST(GemmOnDevice, TheProbeReportsEverySupportedPrecisionPerGpu) {
  const GpuSetup& setup = device_or_skip_reason();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  const auto probe = make_gpu_gemm_probe();
  const std::vector<ParamOverride> overrides = {{"n", std::int64_t{1024}, "test"},
                                                {"seconds", 0.02, "test"},
                                                {"repetitions", std::int64_t{2}, "test"},
                                                {"devices", std::string("0"), "test"}};
  auto params = resolve_params(probe->name(), probe->params(), overrides);
  ASSERT_TRUE(params) << params.error().message;
  const ProbeResult result = probe->run(*params, ProbeContext{});
  ASSERT_EQ(result.status, ProbeStatus::ok) << result.error << result.reason;
  EXPECT_TRUE(result.validation.passed) << result.validation.detail;
  EXPECT_NE(find_metric(result, "gpu.gemm.fp32", "gpu0"), nullptr);
}

}  // namespace
}  // namespace assay::gpu
