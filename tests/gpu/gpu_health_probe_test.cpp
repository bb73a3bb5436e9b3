// The gpu.health probe end to end inside the process: NVML loaded from the stand-in
// library by path, judged alone or against a baseline recorded earlier in the process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "probes/gpu/gpu_health_baseline.h"
#include "probes/gpu/gpu_health_probe.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kFakeVariables[] = {
    "FAKE_NVML_DEVICES",      "FAKE_NVML_ECC_UNCORRECTED", "FAKE_NVML_ECC_GROWTH",   "FAKE_NVML_PCIE_WIDTH",
    "FAKE_NVML_PCIE_GEN",     "FAKE_NVML_REMAP_FAILURE",   "FAKE_NVML_REMAP_PENDING", "FAKE_NVML_TEMPERATURE",
    "FAKE_NVML_LOST",         "FAKE_NVML_CLOCKS_EVENT_REASONS",
};

class GpuHealthProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kFakeVariables) ::unsetenv(name);
    clear_gpu_health_baseline();
  }
  void TearDown() override { SetUp(); }

  ProbeResult run(const char* library = ASSAY_FAKE_NVML, const char* baseline = "auto") const {
    const std::vector<ParamOverride> overrides = {{"nvml_library", std::string(library), "test"},
                                                  {"baseline", std::string(baseline), "test"}};
    const auto specs = probe_->params();
    auto params = resolve_params(probe_->name(), specs, overrides);
    EXPECT_TRUE(params.ok()) << params.error().message;
    ProbeContext context;
    context.node = "test-node";
    return probe_->run(*params, context);
  }

  static const Metric* metric(const ProbeResult& r, std::string_view key, std::string_view subject) {
    return find_metric(r, key, subject);
  }

  static std::string all_notes(const ProbeResult& r) {
    std::string text;
    for (const auto& n : r.notes) text += n + "\n";
    return text;
  }

  std::unique_ptr<Probe> probe_ = make_gpu_health_probe();
};

TEST_F(GpuHealthProbeTest, AHealthyNodeReportsItsFiguresPerGpu) {
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  const ProbeResult r = run();
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error << r.reason;
  EXPECT_EQ(r.subject, "gpu");
  EXPECT_TRUE(r.validation.checked && r.validation.passed) << r.validation.detail;
  for (const char* gpu : {"gpu0", "gpu1"}) {
    SCOPED_TRACE(gpu);
    ASSERT_NE(metric(r, "gpu.health.problems", gpu), nullptr);
    EXPECT_EQ(metric(r, "gpu.health.problems", gpu)->value, 0);
    EXPECT_EQ(metric(r, "gpu.health.problems", gpu)->note, "");
    EXPECT_EQ(metric(r, "gpu.health.ecc_uncorrected_new", gpu)->value, 0);
    EXPECT_NEAR(metric(r, "gpu.health.temperature", gpu)->value, 313.15, 1e-9);
    EXPECT_EQ(metric(r, "gpu.health.temperature", gpu)->unit, Unit::kelvin);
    EXPECT_EQ(metric(r, "gpu.health.pcie_width", gpu)->value, 16);
    EXPECT_EQ(metric(r, "gpu.health.pcie_gen", gpu)->value, 5);
    EXPECT_EQ(metric(r, "gpu.health.sm_clock", gpu)->value, 1755e6);
    EXPECT_EQ(metric(r, "gpu.health.power_limit", gpu)->value, 700);
  }
  const std::string notes = all_notes(r);
  EXPECT_THAT(notes, HasSubstr("driver 580.65.06, NVML 13.580.65.06, 2 GPU(s)"));
  EXPECT_THAT(notes, HasSubstr("baseline: none in this process"));
  EXPECT_THAT(notes, HasSubstr("gpu1: Fake GPU 1 (GPU-fa4e0000-0000-0000-0000-000000000001, 00000000:28:00.0): "
                               "serial 1650000000001, VBIOS 96.00.74.00.01, PCIe Gen5 x16 (max Gen5 x16), ECC on, "
                               "313.1 K, SM 1755/1980 MHz, power limit 700 W, 80 GiB"));
  EXPECT_THAT(notes, HasSubstr("no GPU has a problem that fails it"));
}

TEST_F(GpuHealthProbeTest, EveryEmittedMetricIsDeclaredWithItsUnit) {
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  const ProbeResult r = run();
  ASSERT_EQ(r.status, ProbeStatus::ok);
  for (const Metric& m : r.metrics) {
    bool declared = false;
    for (const MetricSpec& spec : probe_->metrics()) {
      if (spec.key == m.key) {
        declared = true;
        EXPECT_EQ(spec.unit, m.unit) << m.key;
        EXPECT_EQ(spec.better, m.better) << m.key;
      }
    }
    EXPECT_TRUE(declared) << m.key;
  }
}

TEST_F(GpuHealthProbeTest, AloneFailWorthyProblemsAreCountedPerGpuAndNamed) {
  ::setenv("FAKE_NVML_DEVICES", "4", 1);
  ::setenv("FAKE_NVML_PCIE_WIDTH", "16/16,8/16,16/16", 1);
  ::setenv("FAKE_NVML_REMAP_FAILURE", "0,0,1,0", 1);
  ::setenv("FAKE_NVML_ECC_UNCORRECTED", "0,0,0,2", 1);
  ::setenv("FAKE_NVML_PCIE_GEN", "1/5/5", 1);  // idle: a note, never a problem
  const ProbeResult r = run(ASSAY_FAKE_NVML, "none");
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu0")->value, 0);
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu1")->value, 1);
  EXPECT_THAT(metric(r, "gpu.health.problems", "gpu1")->note, HasSubstr("PCIe link trained at x8"));
  EXPECT_EQ(metric(r, "gpu.health.pcie_width", "gpu1")->value, 8);
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu2")->value, 1);
  EXPECT_THAT(metric(r, "gpu.health.problems", "gpu2")->note, HasSubstr("row remapping has failed"));
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu3")->value, 1);
  EXPECT_EQ(metric(r, "gpu.health.ecc_uncorrected_new", "gpu3")->value, 2);
  EXPECT_EQ(metric(r, "gpu.health.ecc_uncorrected_new", "gpu3")->note, "since the driver was loaded (no baseline)");
  const std::string notes = all_notes(r);
  EXPECT_THAT(notes, HasSubstr("baseline: none (baseline=none)"));
  EXPECT_THAT(notes, HasSubstr("gpu2: FAIL: a row remapping has failed"));
  EXPECT_THAT(notes, HasSubstr("gpu0: PCIe link at Gen1 now, Gen5 at most"));
  EXPECT_THAT(notes, HasSubstr("3 of 4 GPU(s) fail"));
}

TEST_F(GpuHealthProbeTest, InAProcessWithABaselineOnlyNewErrorsAreNew) {
  ::setenv("FAKE_NVML_DEVICES", "3", 1);
  ::setenv("FAKE_NVML_ECC_GROWTH", "0,4,0", 1);  // gpu1 gains 4 errors between reads
  auto before = read_gpu_health(std::string(ASSAY_FAKE_NVML));
  ASSERT_TRUE(before.ok()) << before.error().message;
  record_gpu_health_baseline(*before, "the test's inventory");

  const ProbeResult r = run();
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  EXPECT_EQ(metric(r, "gpu.health.ecc_uncorrected_new", "gpu0")->value, 0);
  EXPECT_EQ(metric(r, "gpu.health.ecc_uncorrected_new", "gpu1")->value, 4);
  EXPECT_EQ(metric(r, "gpu.health.ecc_uncorrected_new", "gpu1")->note, "since the baseline");
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu1")->value, 1);
  EXPECT_THAT(metric(r, "gpu.health.problems", "gpu1")->note,
              StartsWith("4 new uncorrectable ECC errors since the baseline (volatile"));
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu2")->value, 0);
  EXPECT_THAT(all_notes(r), HasSubstr("baseline: GPU health taken at " + before->taken_at +
                                      " with the test's inventory through " ASSAY_FAKE_NVML " (3 GPUs)"));

  // baseline=none ignores it: every count is then since the driver was loaded.
  const ProbeResult alone = run(ASSAY_FAKE_NVML, "none");
  EXPECT_THAT(all_notes(alone), HasSubstr("baseline: none (baseline=none)"));
  EXPECT_EQ(metric(alone, "gpu.health.ecc_uncorrected_new", "gpu1")->value, 8);
}

TEST_F(GpuHealthProbeTest, OnlyTheFirstBaselineOfTheProcessCounts) {
  auto first = read_gpu_health(std::string(ASSAY_FAKE_NVML));
  ASSERT_TRUE(first.ok());
  first->taken_at = "first";
  record_gpu_health_baseline(*first, "run start");
  first->taken_at = "second";
  record_gpu_health_baseline(*first, "later");
  ASSERT_TRUE(gpu_health_baseline().has_value());
  EXPECT_EQ(gpu_health_baseline()->health.taken_at, "first");
  EXPECT_EQ(gpu_health_baseline()->origin, "run start");
}

TEST_F(GpuHealthProbeTest, AGpuThatLeftSinceTheBaselineFails) {
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  auto before = read_gpu_health(std::string(ASSAY_FAKE_NVML));
  ASSERT_TRUE(before.ok());
  record_gpu_health_baseline(*before, "inventory");
  ::setenv("FAKE_NVML_DEVICES", "1", 1);
  const ProbeResult r = run();
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu0")->value, 0);
  ASSERT_NE(metric(r, "gpu.health.problems", "gpu1"), nullptr);
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu1")->value, 1);
  EXPECT_THAT(metric(r, "gpu.health.problems", "gpu1")->note, HasSubstr("not found now"));
  EXPECT_EQ(metric(r, "gpu.health.temperature", "gpu1"), nullptr) << "nothing can be read of it";
}

TEST_F(GpuHealthProbeTest, ALostGpuFailsAndTheOthersAreStillRead) {
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  ::setenv("FAKE_NVML_LOST", "0", 1);
  const ProbeResult r = run();
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu0")->value, 1);
  EXPECT_THAT(metric(r, "gpu.health.problems", "gpu0")->note, HasSubstr("GPU is lost (15)"));
  EXPECT_NE(metric(r, "gpu.health.temperature", "gpu1"), nullptr);
}

TEST_F(GpuHealthProbeTest, AnOlderDriverSaysWhatItLacksAndStillJudges) {
  ::setenv("FAKE_NVML_PCIE_WIDTH", "4/16", 1);
  ::setenv("FAKE_NVML_CLOCKS_EVENT_REASONS", "0x80", 1);
  const ProbeResult r = run(ASSAY_FAKE_NVML_OLD);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  const std::string notes = all_notes(r);
  EXPECT_THAT(notes, HasSubstr("lacks nvmlDeviceGetGpuMaxPcieLinkGeneration, nvmlDeviceGetRemappedRows (an older "
                               "driver): those readings are not available"));
  EXPECT_THAT(notes, HasSubstr("gpu0: clocks held back by hw_power_brake_slowdown when read"))
      << "read through nvmlDeviceGetCurrentClocksThrottleReasons";
  EXPECT_EQ(metric(r, "gpu.health.problems", "gpu0")->value, 1);
  EXPECT_THAT(metric(r, "gpu.health.problems", "gpu0")->note, HasSubstr("x4"));
}

TEST_F(GpuHealthProbeTest, AnImplausibleReadingFailsTheSelfCheck) {
  ::setenv("FAKE_NVML_TEMPERATURE", "400", 1);
  const ProbeResult r = run();
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_TRUE(r.validation.checked);
  EXPECT_FALSE(r.validation.passed);
  EXPECT_THAT(r.validation.detail, HasSubstr("gpu0: NVML reported an implausible temperature 673.15 K"));
}

TEST_F(GpuHealthProbeTest, WithoutNvmlItSkipsSayingWhy) {
  const ProbeResult r = run("/nonexistent/libnvidia-ml.so.1");
  EXPECT_EQ(r.status, ProbeStatus::skipped);
  EXPECT_THAT(r.reason, StartsWith("no NVIDIA GPU: NVML not available: /nonexistent/libnvidia-ml.so.1"));
  ::setenv("FAKE_NVML_DEVICES", "0", 1);
  const ProbeResult none = run();
  EXPECT_EQ(none.status, ProbeStatus::skipped);
  EXPECT_EQ(none.reason, "no NVIDIA GPU (NVML reports 0 devices)");
}

// The binary must run where the driver is absent; where it is present, this is a GPU box.
TEST_F(GpuHealthProbeTest, AvailabilityOnThisMachineNamesTheMissingLibrary) {
  const Availability a = probe_->availability();
  if (a.available) GTEST_SKIP() << "the NVIDIA driver is installed here";
  EXPECT_THAT(a.reason, AnyOf(StartsWith("no NVIDIA GPU: NVML not available: libnvidia-ml.so.1"),
                              StartsWith("no NVIDIA GPU (NVML reports 0 devices)"),
                              AllOf(StartsWith("no NVIDIA GPU: "), HasSubstr("failed to initialise"))));
}

TEST_F(GpuHealthProbeTest, ParametersAreCheckedAsUsual) {
  const std::vector<ParamOverride> bad = {{"baseline", std::string("sometimes"), "--set baseline=sometimes"}};
  const auto specs = probe_->params();
  auto params = resolve_params(probe_->name(), specs, bad);
  ASSERT_FALSE(params.ok());
  EXPECT_THAT(params.error().message, HasSubstr("baseline"));
}

}  // namespace
}  // namespace assay
