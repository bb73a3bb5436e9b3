// interconnect.nccl through the real module: NCCL collectives over this process's GPUs
// (skipped, saying why, where there is no device), and the module's NCCL entry points on
// a machine without the driver, which must answer with errors naming the call, not crash.
#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "core/params.h"
#include "probes/gpu/gpu_module_loader.h"
#include "probes/gpu/nccl_plan.h"
#include "probes/gpu/nccl_probe.h"

namespace assay::gpu {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

std::vector<int> all_devices(const GpuSetup& setup) {
  std::vector<int> devices;
  for (const Device& d : setup.devices) devices.push_back(d.index);
  return devices;
}

TEST(NcclOnDevice, EveryCollectiveOverTheLocalGpusIsTimedAndChecked) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  const std::vector<int> devices = all_devices(setup);
  const int ranks = static_cast<int>(devices.size());
  const NcclId id = setup.module->nccl_unique_id();
  ASSERT_TRUE(id.error.empty()) << id.error;
  ASSERT_EQ(id.bytes.size(), 128u);
  NcclOpenRequest open;
  open.unique_id = id.bytes;
  open.world_ranks = ranks;  // one GPU is a world of one: NCCL still runs (a copy)
  open.first_rank = 0;
  open.devices = devices;
  open.timeout_seconds = 60;
  NcclOpenOutcome opened = setup.module->nccl_open(open);
  ASSERT_TRUE(opened.error.empty()) << opened.error;
  ASSERT_NE(opened.session, nullptr);
  for (NcclCollective collective : kAllNcclCollectives) {
    NcclRunRequest request;
    request.collective = collective;
    request.sizes = nccl_sweep(collective, 4096, std::int64_t{4} << 20, ranks);
    request.warmup = 2;
    request.iterations = 40;  // more than one chunk of enqueued calls
    request.repetitions = 2;
    request.timeout_seconds = 60;
    int synchronized = 0;
    request.synchronize = [&]() -> std::string {
      ++synchronized;
      return {};
    };
    const NcclRunOutcome outcome = opened.session->run(request);
    const std::string name(nccl_collective_name(collective));
    ASSERT_TRUE(outcome.error.empty()) << name << ": " << outcome.error;
    EXPECT_TRUE(outcome.check_failure.empty()) << name << ": " << outcome.check_failure;
    EXPECT_EQ(synchronized, static_cast<int>(request.sizes.size())) << name;
    ASSERT_EQ(outcome.seconds.size(), request.sizes.size()) << name;
    for (const auto& samples : outcome.seconds) {
      ASSERT_EQ(samples.size(), 2u);
      for (double t : samples) EXPECT_GT(t, 0.0) << name;
    }
    EXPECT_GT(outcome.elements_checked, 0u) << name;
  }
}

TEST(NcclOnDevice, CancellingAbortsTheCommunicatorsAndEndsTheSession) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  const std::vector<int> devices = all_devices(setup);
  const NcclId id = setup.module->nccl_unique_id();
  ASSERT_TRUE(id.error.empty()) << id.error;
  NcclOpenOutcome opened = setup.module->nccl_open(
      {id.bytes, static_cast<int>(devices.size()), 0, devices, 60, nullptr});
  ASSERT_TRUE(opened.error.empty()) << opened.error;
  std::atomic<bool> cancel{true};
  NcclRunRequest request;
  request.sizes = nccl_sweep(NcclCollective::all_reduce, 1 << 20, 1 << 20, static_cast<int>(devices.size()));
  request.iterations = 100;
  request.control.cancel = &cancel;
  const NcclRunOutcome cancelled = opened.session->run(request);
  EXPECT_TRUE(cancelled.cancelled) << cancelled.error;
  EXPECT_THAT(cancelled.error, HasSubstr("ncclCommAbort"));
  cancel = false;
  const NcclRunOutcome after = opened.session->run(request);
  EXPECT_THAT(after.error, HasSubstr("aborted earlier"));
}

TEST(NcclOnDevice, TheProbeRunsOnTheGpusOfThisNode) {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  if (setup.devices.size() < 2) GTEST_SKIP() << "one GPU: interconnect.nccl needs two or more in all";
  const auto probe = make_interconnect_nccl_probe();
  const std::vector<ParamOverride> overrides = {{"min_bytes", std::int64_t{1} << 20, "test"},
                                                {"max_bytes", std::int64_t{16} << 20, "test"},
                                                {"repetitions", std::int64_t{2}, "test"}};
  auto params = resolve_params(probe->name(), probe->params(), overrides);
  ASSERT_TRUE(params) << params.error().message;
  const ProbeResult result = probe->run(*params, ProbeContext{});
  ASSERT_EQ(result.status, ProbeStatus::ok) << result.error << result.reason;
  EXPECT_TRUE(result.validation.passed) << result.validation.detail;
  for (NcclCollective c : kAllNcclCollectives) {
    const Metric* m = find_metric(result, nccl_busbw_key(c));
    ASSERT_NE(m, nullptr) << nccl_busbw_key(c);
    EXPECT_GT(m->value, 0.0);
  }
}

#if defined(ASSAY_GPU_MODULE_PATH)

bool nccl_driver_present() { return ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL) != nullptr; }

TEST(NcclModule, WithoutTheDriverOpeningFailsNamingTheCall) {
  if (nccl_driver_present()) GTEST_SKIP() << "the driver is here; NcclOnDevice covers this";
  ModuleAccess access = load_gpu_module({.module_path = ASSAY_GPU_MODULE_PATH, .require_driver = false});
  ASSERT_NE(access.module, nullptr) << access.unavailable;
  EXPECT_THAT(access.module->versions(), HasSubstr("NCCL 2."));

  // A malformed request is refused before NCCL is asked.
  NcclOpenOutcome bad = access.module->nccl_open({std::vector<char>(3, 'x'), 2, 0, {0}, 5, nullptr});
  EXPECT_THAT(bad.error, HasSubstr("unique id has 3 bytes"));
  bad = access.module->nccl_open({std::vector<char>(128, 'x'), 1, 0, {0, 1}, 5, nullptr});
  EXPECT_THAT(bad.error, HasSubstr("do not fit"));

  // Without a driver the first CUDA call fails and says so; nothing hangs or crashes.
  const NcclOpenOutcome opened = access.module->nccl_open({std::vector<char>(128, 0), 2, 0, {0, 1}, 5, nullptr});
  EXPECT_EQ(opened.session, nullptr);
  EXPECT_THAT(opened.error, AnyOf(HasSubstr("cudaSetDevice on gpu0"), HasSubstr("ncclCommInitRankConfig"),
                                  HasSubstr("ncclGroupEnd")))
      << opened.error;
}

TEST(NcclModule, TheUniqueIdNeedsNoGpuAndSurvivesTheBroadcastEncoding) {
  ModuleAccess access = load_gpu_module({.module_path = ASSAY_GPU_MODULE_PATH, .require_driver = false});
  ASSERT_NE(access.module, nullptr) << access.unavailable;
  // ncclGetUniqueId only opens NCCL's bootstrap socket; where no network interface is
  // usable it fails, and says which call did.
  const NcclId id = access.module->nccl_unique_id();
  if (!id.error.empty()) {
    EXPECT_THAT(id.error, HasSubstr("ncclGetUniqueId"));
    return;
  }
  ASSERT_EQ(id.bytes.size(), 128u);
  auto back = decode_nccl_id(encode_nccl_id(id));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, id.bytes);
}

#endif

}  // namespace
}  // namespace assay::gpu
