#include <cblas.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probes/probe_test_helpers.h"
#include <sched.h>

#include <set>

#include "probes/common/thread_team.h"
#include "probes/cpu/cpu_gemm_probe.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

using testing::resolved;

TEST(CpuGemmProbe, DeclaresItsParametersAndMetrics) {
  const auto probe = make_cpu_gemm_probe();
  EXPECT_EQ(probe->name(), "cpu.gemm");
  std::set<std::string> names;
  for (const auto& spec : probe->params()) names.insert(spec.name);
  EXPECT_EQ(names, (std::set<std::string>{"n", "threads", "repetitions", "check_entries"}));
  const auto params = resolved(*probe, {});
  EXPECT_EQ(param_int(params, "n"), 4096);
  EXPECT_EQ(param_int(params, "repetitions"), 3);
  EXPECT_GE(param_int(params, "threads"), 1);
  std::set<std::string> keys;
  for (const auto& m : probe->metrics()) {
    keys.insert(m.key);
    EXPECT_EQ(m.unit, Unit::flop_per_s);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"cpu.gemm.fp64", "cpu.gemm.fp32"}));
  EXPECT_TRUE(probe->availability().available);
}

TEST(CpuGemmProbe, SmallRunGivesCheckedPositiveFigures) {
  const auto probe = make_cpu_gemm_probe();
  const auto params = resolved(
      *probe, {{"n", std::int64_t{256}, "test"}, {"repetitions", std::int64_t{2}, "test"}});
  const ProbeResult result = probe->run(params, ProbeContext{});
  ASSERT_EQ(result.status, ProbeStatus::ok) << result.error;
  EXPECT_EQ(result.subject, "cpu");
  EXPECT_TRUE(result.validation.checked);
  EXPECT_TRUE(result.validation.passed) << result.validation.detail;
  EXPECT_THAT(result.validation.detail, HasSubstr("fp64"));
  EXPECT_THAT(result.validation.detail, HasSubstr("fp32"));
  for (const char* key : {"cpu.gemm.fp64", "cpu.gemm.fp32"}) {
    const Metric* metric = find_metric(result, key);
    ASSERT_NE(metric, nullptr) << key;
    EXPECT_EQ(metric->unit, Unit::flop_per_s);
    EXPECT_EQ(metric->samples.size(), 2u);
    EXPECT_GT(metric->value, 0.0);
    for (double s : metric->samples) EXPECT_GT(s, 0.0);
  }
  bool names_openblas = false;
  for (const auto& note : result.notes)
    names_openblas |= note.find("OpenBLAS") != std::string::npos;
  EXPECT_TRUE(names_openblas);
}

TEST(CpuGemmProbe, GivesOpenblasThreadsTheirAffinityBack) {
  const auto cpus = allowed_cpus();
  if (cpus.size() < 2) GTEST_SKIP() << "needs two CPUs for an OpenBLAS worker thread";
  if (openblas_get_parallel() != 1) GTEST_SKIP() << "pins only the pthreads build of OpenBLAS";
  const auto probe = make_cpu_gemm_probe();
  const auto params = resolved(
      *probe, {{"n", std::int64_t{128}, "test"}, {"repetitions", std::int64_t{1}, "test"}});
  openblas_set_num_threads(static_cast<int>(cpus.size()));
  std::vector<int> counts_before;
  for (int i = 0; i + 1 < openblas_get_num_threads(); ++i) {
    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(openblas_getaffinity(i, sizeof(set), &set), 0);
    counts_before.push_back(CPU_COUNT(&set));
  }
  ASSERT_EQ(probe->run(params, ProbeContext{}).status, ProbeStatus::ok);
  ASSERT_EQ(openblas_get_num_threads(), static_cast<int>(cpus.size()));
  for (int i = 0; i + 1 < openblas_get_num_threads(); ++i) {
    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(openblas_getaffinity(i, sizeof(set), &set), 0);
    EXPECT_EQ(CPU_COUNT(&set), counts_before[static_cast<std::size_t>(i)]) << "worker " << i;
  }
  // The test's own thread was not pinned either: the probe calls from a thread of its own.
  cpu_set_t mine;
  CPU_ZERO(&mine);
  ASSERT_EQ(sched_getaffinity(0, sizeof(mine), &mine), 0);
  EXPECT_EQ(CPU_COUNT(&mine), static_cast<int>(cpus.size()));
}

TEST(CpuGemmProbe, SingleThreadRunWorks) {
  const auto probe = make_cpu_gemm_probe();
  const auto params = resolved(*probe, {{"n", std::int64_t{128}, "test"},
                                        {"threads", std::int64_t{1}, "test"},
                                        {"repetitions", std::int64_t{1}, "test"}});
  const ProbeResult result = probe->run(params, ProbeContext{});
  ASSERT_EQ(result.status, ProbeStatus::ok) << result.error;
  EXPECT_TRUE(result.validation.passed);
}

TEST(CpuGemmProbe, RefusesTooSmallAnOrder) {
  const auto probe = make_cpu_gemm_probe();
  auto params = resolved(*probe, {});
  set_param(params, "n", std::int64_t{8});
  const ProbeResult result = probe->run(params, ProbeContext{});
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("n=8"));
  // The spec itself refuses it too, so `--set n=8` never reaches run().
  const auto specs = probe->params();
  const std::vector<ParamOverride> bad{{"n", std::int64_t{8}, "--set n=8"}};
  EXPECT_FALSE(resolve_params(probe->name(), specs, bad).ok());
}

TEST(CpuGemmProbe, RefusesMatricesThatDoNotFitInMemory) {
  const auto probe = make_cpu_gemm_probe();
  auto params = resolved(*probe, {});
  set_param(params, "n", std::int64_t{131072});  // 412 GB of fp64 matrices
  const ProbeResult result = probe->run(params, ProbeContext{});
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("MemAvailable"));
  EXPECT_THAT(result.error, HasSubstr("n=131072"));
}

TEST(CpuGemmProbe, RefusesMoreThreadsThanAllowedCpus) {
  const auto probe = make_cpu_gemm_probe();
  auto params = resolved(*probe, {});
  const auto too_many = static_cast<std::int64_t>(allowed_cpus().size()) + 1;
  set_param(params, "threads", too_many);
  const ProbeResult result = probe->run(params, ProbeContext{});
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("threads=" + std::to_string(too_many)));
}

TEST(CpuGemmProbe, StopsWhenCancelled) {
  const auto probe = make_cpu_gemm_probe();
  const auto params = resolved(*probe, {{"n", std::int64_t{128}, "test"}});
  std::atomic<bool> cancel{true};
  ProbeContext context;
  context.cancel = &cancel;
  const ProbeResult result = probe->run(params, context);
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("cancelled"));
  EXPECT_TRUE(result.metrics.empty());
}

}  // namespace
}  // namespace assay
