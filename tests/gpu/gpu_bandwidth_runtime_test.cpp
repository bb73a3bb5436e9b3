// gpu.hbm, gpu.pcie and gpu.p2p through the module on a real device, and through the
// probes. Skip, saying why, where there is no device (or, for p2p, no second one). The
// module is also driven here without a driver, where every operation must answer with
// an error naming the failing call, never crash.
#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "core/params.h"
#include "probes/gpu/gpu_hbm_probe.h"
#include "probes/gpu/gpu_module_loader.h"
#include "probes/gpu/gpu_p2p_probe.h"
#include "probes/gpu/gpu_pcie_probe.h"
#include "probes/gpu/gpu_probe_common.h"

namespace assay::gpu {
namespace {

using ::testing::HasSubstr;

constexpr std::uint64_t MiB = std::uint64_t{1} << 20;

// Sanity bounds for a healthy GPU of any kind assay supports: far above what a broken
// timing (host time, a wrong byte count) would give, far below any real peak.
constexpr double kSaneLowRate = 1e9;      // 1 GB/s
constexpr double kSaneHighRate = 100e12;  // 100 TB/s

void expect_sane_rates(const std::vector<double>& seconds, double bytes, std::size_t count, const char* what) {
  ASSERT_EQ(seconds.size(), count) << what;
  for (double s : seconds) {
    ASSERT_GT(s, 0.0) << what;
    EXPECT_GT(bytes / s, kSaneLowRate) << what;
    EXPECT_LT(bytes / s, kSaneHighRate) << what;
  }
}

ProbeResult run_probe(const Probe& probe, std::vector<ParamOverride> overrides) {
  auto params = resolve_params(probe.name(), probe.params(), overrides);
  EXPECT_TRUE(params) << params.error().message;
  if (!params) return {};
  EXPECT_TRUE(probe.check_params(*params)) << probe.name();
  return probe.run(*params, ProbeContext{});
}

TEST(BandwidthOnDevice, HbmKernelsAreTimedAndEveryRoundChecked) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  HbmRequest request;
  request.device = setup.devices.front().index;
  request.array_bytes = 64 * MiB + 16;  // not a multiple of the grid: the grid-stride remainders run too
  request.warmup = 1;
  request.repetitions = 3;
  const HbmOutcome outcome = setup.module->hbm(request);
  ASSERT_TRUE(outcome.error.empty()) << outcome.error;
  EXPECT_FALSE(outcome.cancelled);
  EXPECT_TRUE(outcome.check_failure.empty()) << outcome.check_failure;
  EXPECT_THAT(outcome.check_detail, HasSubstr("every round"));
  EXPECT_THAT(outcome.launch, HasSubstr("blocks"));
  const double n = static_cast<double>(request.array_bytes);
  expect_sane_rates(outcome.read_seconds, n, 3, "read");
  expect_sane_rates(outcome.write_seconds, n, 3, "write");
  expect_sane_rates(outcome.copy_seconds, 2 * n, 3, "copy");
}

TEST(BandwidthOnDevice, HbmRefusesArraysThatAreNotWholeVectors) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  HbmRequest request;
  request.array_bytes = 1000;
  EXPECT_THAT(setup.module->hbm(request).error, HasSubstr("multiple of 16"));
}

TEST(BandwidthOnDevice, HbmStopsWhenCancelled) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  std::atomic<bool> cancel{true};
  HbmRequest request;
  request.array_bytes = 16 * MiB;
  request.repetitions = 1000;
  request.control.cancel = &cancel;
  const HbmOutcome outcome = setup.module->hbm(request);
  EXPECT_TRUE(outcome.error.empty()) << outcome.error;
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_LT(outcome.read_seconds.size(), 1000u);
}

TEST(BandwidthOnDevice, PcieCopiesEachWayAndBothAtOnceAreCheckedAndTimed) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  PcieRequest request;
  request.device = setup.devices.front().index;
  request.bytes = 32 * MiB + 8;  // an odd number of words: the kernels' scalar tails run too
  request.warmup = 1;
  request.repetitions = 3;
  bool barrier_called = false;
  request.control.before_timing = [&] { barrier_called = true; };
  const PcieOutcome outcome = setup.module->pcie(request);
  ASSERT_TRUE(outcome.error.empty()) << outcome.error;
  EXPECT_TRUE(outcome.check_failure.empty()) << outcome.check_failure;
  EXPECT_TRUE(barrier_called);
  const double n = static_cast<double>(request.bytes);
  expect_sane_rates(outcome.h2d_seconds, n, 3, "h2d");
  expect_sane_rates(outcome.d2h_seconds, n, 3, "d2h");
  expect_sane_rates(outcome.bidir_seconds, 2 * n, 3, "bidir");
  // Both at once cannot take longer than one after the other (plus slack for noise).
  EXPECT_LT(outcome.bidir_seconds.back(), 1.5 * (outcome.h2d_seconds.back() + outcome.d2h_seconds.back()));
}

TEST(BandwidthOnDevice, P2pEveryKindOfCopyBetweenTwoGpusIsCheckedAndTimed) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  if (setup.devices.size() < 2) GTEST_SKIP() << "gpu.p2p needs two GPUs; this machine has one";
  for (const auto& [source, destination] : {std::pair{0, 1}, std::pair{1, 0}}) {
    P2pRequest request;
    request.source = source;
    request.destination = destination;
    request.bytes = 32 * MiB;
    request.latency_bytes = 16;
    request.latency_copies = 50;
    request.bidirectional = source == 0;
    request.warmup = 1;
    request.repetitions = 3;
    const P2pOutcome outcome = setup.module->p2p(request);
    ASSERT_TRUE(outcome.error.empty()) << outcome.error;
    EXPECT_TRUE(outcome.check_failure.empty()) << outcome.check_failure;
    EXPECT_FALSE(outcome.path.empty());
    const double n = static_cast<double>(request.bytes);
    expect_sane_rates(outcome.unidirectional_seconds, n, 3, "unidirectional");
    if (request.bidirectional) {
      expect_sane_rates(outcome.bidirectional_seconds, 2 * n, 3, "bidirectional");
    } else {
      EXPECT_TRUE(outcome.bidirectional_seconds.empty());
    }
    ASSERT_EQ(outcome.latency_seconds.size(), 3u);
    for (double s : outcome.latency_seconds) {
      EXPECT_GT(s, 100e-9);  // no copy between two GPUs takes less than 0.1 us
      EXPECT_LT(s, 1e-3);
    }
  }
}

TEST(BandwidthOnDevice, P2pRefusesAPairOfOneDevice) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  P2pRequest request;
  request.bytes = MiB;
  request.latency_copies = 1;
  EXPECT_THAT(setup.module->p2p(request).error, HasSubstr("two different devices"));
}

TEST(BandwidthOnDevice, TheProbesReportEveryFigurePerGpuAndAllAtOnce) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  const ProbeResult hbm = run_probe(*make_gpu_hbm_probe(), {{"array_bytes", std::string("256 MiB"), "test"},
                                                            {"repetitions", std::int64_t{3}, "test"}});
  ASSERT_EQ(hbm.status, ProbeStatus::ok) << hbm.error << hbm.reason;
  EXPECT_TRUE(hbm.validation.checked && hbm.validation.passed) << hbm.validation.detail;
  for (const char* key : {"gpu.hbm.read", "gpu.hbm.write", "gpu.hbm.copy"}) {
    for (const Device& d : setup.devices) {
      EXPECT_NE(find_metric(hbm, key, gpu_subject(d.index)), nullptr) << key;
      if (setup.devices.size() > 1) {
        EXPECT_NE(find_metric(hbm, key, concurrent_subject(d.index)), nullptr) << key;
      }
    }
  }

  const ProbeResult pcie = run_probe(*make_gpu_pcie_probe(), {{"bytes", std::string("32 MiB"), "test"},
                                                              {"repetitions", std::int64_t{3}, "test"}});
  ASSERT_EQ(pcie.status, ProbeStatus::ok) << pcie.error << pcie.reason;
  for (const char* key : {"gpu.pcie.h2d", "gpu.pcie.d2h", "gpu.pcie.bidir"}) {
    EXPECT_NE(find_metric(pcie, key, gpu_subject(setup.devices.front().index)), nullptr) << key;
  }

  if (setup.devices.size() < 2) return;
  const ProbeResult p2p = run_probe(*make_gpu_p2p_probe(), {{"devices", std::string("0,1"), "test"},
                                                            {"bytes", std::string("32 MiB"), "test"},
                                                            {"repetitions", std::int64_t{3}, "test"}});
  ASSERT_EQ(p2p.status, ProbeStatus::ok) << p2p.error << p2p.reason;
  EXPECT_NE(find_metric(p2p, "gpu.p2p.bandwidth", "gpu0->gpu1"), nullptr);
  EXPECT_NE(find_metric(p2p, "gpu.p2p.bandwidth", "gpu1->gpu0"), nullptr);
  EXPECT_NE(find_metric(p2p, "gpu.p2p.latency", "gpu1->gpu0"), nullptr);
  EXPECT_NE(find_metric(p2p, "gpu.p2p.bibandwidth", "gpu0<->gpu1"), nullptr);
  EXPECT_EQ(find_metric(p2p, "gpu.p2p.bibandwidth", "gpu1<->gpu0"), nullptr);
}

#if defined(ASSAY_GPU_MODULE_PATH)

bool driver_present() { return ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL) != nullptr; }

TEST(BandwidthWithoutDriver, EveryOperationAnswersWithAnErrorNamingTheCall) {
  if (driver_present()) GTEST_SKIP() << "a driver is installed; the device tests cover this module";
  ModuleAccess access = load_gpu_module({.module_path = ASSAY_GPU_MODULE_PATH, .require_driver = false});
  ASSERT_NE(access.module, nullptr) << access.unavailable;

  HbmRequest hbm;
  hbm.array_bytes = MiB;
  const HbmOutcome hbm_outcome = access.module->hbm(hbm);
  EXPECT_THAT(hbm_outcome.error, HasSubstr("on gpu0"));
  EXPECT_TRUE(hbm_outcome.read_seconds.empty());

  PcieRequest pcie;
  pcie.bytes = MiB;
  EXPECT_THAT(access.module->pcie(pcie).error, HasSubstr("on gpu0"));

  P2pRequest p2p;
  p2p.destination = 1;
  p2p.bytes = MiB;
  p2p.latency_copies = 1;
  EXPECT_THAT(access.module->p2p(p2p).error, HasSubstr("cudaGetDeviceCount"));

  // Requests that are wrong in themselves are refused before any CUDA call.
  hbm.array_bytes = 24;
  EXPECT_THAT(access.module->hbm(hbm).error, HasSubstr("multiple of 16"));
  pcie.bytes = 12;
  EXPECT_THAT(access.module->pcie(pcie).error, HasSubstr("multiple of 8"));
}

#endif

}  // namespace
}  // namespace assay::gpu
