// The gpu.health rules as pure functions: snapshots in, problems and notes out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probes/gpu/gpu_clock_events.h"
#include "probes/gpu/gpu_health_judgement.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// A healthy H100 at idle: every reading present, nothing wrong.
GpuHealthSnapshot healthy(unsigned index = 0) {
  GpuHealthSnapshot g;
  g.index = index;
  g.name = "NVIDIA H100 80GB HBM3";
  g.uuid = "GPU-" + std::to_string(index);
  g.pci_bus_id = "00000000:18:00.0";
  g.pcie = {5, 5, 5, 16, 16};
  g.ecc_enabled = true;
  g.ecc_pending_enabled = true;
  g.ecc = {0, 0, 0, 0};
  g.retired_pages = {0, 0, false};
  g.remapped_rows = RemappedRowsReading{};
  g.sm_clock_hz = 1755e6;
  g.sm_clock_max_hz = 1980e6;
  g.clocks_event_reasons = nvml::kEventGpuIdle;
  g.temperature_kelvin = 313.15;
  g.slowdown_temperature_kelvin = 360.15;
  g.power_limit_watts = 700;
  g.default_power_limit_watts = 700;
  return g;
}

TEST(GpuHealthJudgement, AHealthyGpuHasNoProblemAndNoNote) {
  const GpuHealthJudgement j = judge_gpu_health(healthy(3), nullptr);
  EXPECT_EQ(j.subject, "gpu3");
  EXPECT_EQ(j.label, "NVIDIA H100 80GB HBM3 (GPU-3, 00000000:18:00.0)");
  EXPECT_THAT(j.problems, IsEmpty());
  EXPECT_THAT(j.notes, IsEmpty());
  EXPECT_EQ(j.ecc_uncorrected_new, 0u);
  EXPECT_FALSE(j.compared_with_baseline);
}

TEST(GpuHealthJudgement, ALinkNarrowerThanItsMaximumFails) {
  GpuHealthSnapshot g = healthy();
  g.pcie.width_current = 8;
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  ASSERT_THAT(j.problems, SizeIs(1));
  EXPECT_THAT(j.problems[0], AllOf(HasSubstr("x8"), HasSubstr("maximum x16")));
}

TEST(GpuHealthJudgement, ALowerGenerationAtIdleIsOnlyANote) {
  GpuHealthSnapshot g = healthy();
  g.pcie.gen_current = 1;
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  EXPECT_THAT(j.problems, IsEmpty());
  ASSERT_THAT(j.notes, SizeIs(1));
  EXPECT_THAT(j.notes[0], AllOf(HasSubstr("Gen1 now, Gen5 at most"), HasSubstr("idle")));
}

TEST(GpuHealthJudgement, ASlotThatHoldsTheGenerationBackFails) {
  GpuHealthSnapshot g = healthy();
  g.pcie.gen_current = 4;
  g.pcie.gen_max = 4;
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  ASSERT_THAT(j.problems, SizeIs(1));
  EXPECT_THAT(j.problems[0], AllOf(HasSubstr("only Gen4"), HasSubstr("supports Gen5"), HasSubstr("slot")));
}

TEST(GpuHealthJudgement, WithoutTheGpusOwnMaximumTheGenerationIsNotJudged) {
  GpuHealthSnapshot g = healthy();
  g.pcie.gen_max = 4;
  g.pcie.gen_current = 4;
  g.pcie.gen_gpu_max.reset();  // an older driver
  EXPECT_THAT(judge_gpu_health(g, nullptr).problems, IsEmpty());
}

TEST(GpuHealthJudgement, RowRemappingFailureAndPendingRepairsFail) {
  GpuHealthSnapshot g = healthy();
  g.remapped_rows = RemappedRowsReading{2, 1, true, true};
  g.retired_pages.pending = true;
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  ASSERT_THAT(j.problems, SizeIs(3));
  EXPECT_THAT(j.problems[0], HasSubstr("row remapping has failed"));
  EXPECT_THAT(j.problems[1], HasSubstr("row remapping is pending"));
  EXPECT_THAT(j.problems[2], HasSubstr("pending retirement"));
  EXPECT_THAT(j.notes, ElementsAre("rows remapped: 1 for uncorrectable, 2 for correctable errors"));
}

TEST(GpuHealthJudgement, RetiredPagesAreANote) {
  GpuHealthSnapshot g = healthy();
  g.remapped_rows.reset();
  g.retired_pages = {3, 1, false};
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  EXPECT_THAT(j.problems, IsEmpty());
  EXPECT_THAT(j.notes, ElementsAre("4 memory pages retired (1 for double-bit, 3 for repeated single-bit errors)"));
}

TEST(GpuHealthJudgement, AloneAnyVolatileUncorrectableErrorFails) {
  GpuHealthSnapshot g = healthy();
  g.ecc.volatile_uncorrected = 2;
  g.ecc.aggregate_uncorrected = 9;
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  ASSERT_THAT(j.problems, SizeIs(1));
  EXPECT_THAT(j.problems[0], AllOf(HasSubstr("2 uncorrectable ECC errors since the driver was loaded"),
                                   HasSubstr("no baseline")));
  EXPECT_EQ(j.ecc_uncorrected_new, 2u);
}

TEST(GpuHealthJudgement, AloneLifetimeErrorsWithNoneSinceTheDriverLoadedAreANote) {
  GpuHealthSnapshot g = healthy();
  g.ecc.aggregate_uncorrected = 4;
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  EXPECT_THAT(j.problems, IsEmpty());
  EXPECT_THAT(j.notes, ElementsAre(HasSubstr("4 uncorrectable ECC errors over the GPU's life")));
}

TEST(GpuHealthJudgement, NewUncorrectableErrorsSinceTheBaselineFail) {
  GpuHealthSnapshot before = healthy(), after = healthy();
  before.ecc.aggregate_uncorrected = 5;
  after.ecc.volatile_uncorrected = 2;
  after.ecc.aggregate_uncorrected = 7;
  const GpuHealthJudgement j = judge_gpu_health(after, &before);
  EXPECT_TRUE(j.compared_with_baseline);
  EXPECT_EQ(j.ecc_uncorrected_new, 2u);
  EXPECT_THAT(j.problems, ElementsAre("2 new uncorrectable ECC errors since the baseline (volatile 0 -> 2, "
                                      "aggregate 5 -> 7)"));
}

TEST(GpuHealthJudgement, GrowthOfTheAggregateCountAloneFails) {
  GpuHealthSnapshot before = healthy(), after = healthy();
  before.ecc.aggregate_uncorrected = 5;
  after.ecc.aggregate_uncorrected = 6;
  const GpuHealthJudgement j = judge_gpu_health(after, &before);
  EXPECT_EQ(j.ecc_uncorrected_new, 1u);
  EXPECT_THAT(j.problems, ElementsAre(HasSubstr("1 new uncorrectable ECC error since the baseline")));
}

TEST(GpuHealthJudgement, ErrorsAlreadyThereAtTheBaselineStillFailButAreNotNew) {
  GpuHealthSnapshot before = healthy(), after = healthy();
  before.ecc.volatile_uncorrected = after.ecc.volatile_uncorrected = 3;
  before.ecc.aggregate_uncorrected = after.ecc.aggregate_uncorrected = 3;
  const GpuHealthJudgement j = judge_gpu_health(after, &before);
  EXPECT_EQ(j.ecc_uncorrected_new, 0u);
  ASSERT_THAT(j.problems, SizeIs(1));
  EXPECT_THAT(j.problems[0], AllOf(HasSubstr("3 uncorrectable ECC errors since the driver was loaded"),
                                   HasSubstr("all before the baseline")));
}

TEST(GpuHealthJudgement, AReloadedDriverRestartsTheVolatileCount) {
  GpuHealthSnapshot before = healthy(), after = healthy();
  before.ecc.volatile_uncorrected = 5;
  after.ecc.volatile_uncorrected = 1;
  const GpuHealthJudgement j = judge_gpu_health(after, &before);
  EXPECT_EQ(j.ecc_uncorrected_new, 1u);
  EXPECT_THAT(j.problems, ElementsAre(HasSubstr("1 new uncorrectable ECC error since the baseline")));
  EXPECT_THAT(j.notes, ElementsAre(HasSubstr("driver was reloaded")));
}

TEST(GpuHealthJudgement, CorrectableErrorsAreNotes) {
  GpuHealthSnapshot before = healthy(), after = healthy();
  before.ecc.volatile_corrected = 10;
  after.ecc.volatile_corrected = 14;
  const GpuHealthJudgement j = judge_gpu_health(after, &before);
  EXPECT_THAT(j.problems, IsEmpty());
  EXPECT_THAT(j.notes, ElementsAre("4 correctable ECC errors since the baseline (corrected; watch for growth)"));
}

TEST(GpuHealthJudgement, EccDisabledOrAboutToChangeIsANote) {
  GpuHealthSnapshot g = healthy();
  g.ecc_enabled = false;
  g.ecc = {};  // not counted while disabled
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  EXPECT_THAT(j.problems, IsEmpty());
  EXPECT_THAT(j.notes, ElementsAre(HasSubstr("ECC is disabled"), "ECC will be enabled after the next reboot"));
  EXPECT_FALSE(j.ecc_uncorrected_new.has_value());
}

TEST(GpuHealthJudgement, HardwareSlowdownHeatAndACappedPowerLimitAreNotes) {
  GpuHealthSnapshot g = healthy();
  g.clocks_event_reasons = nvml::kEventSwPowerCap | nvml::kEventHwSlowdown | nvml::kEventHwThermalSlowdown;
  g.temperature_kelvin = 357.15;
  g.power_limit_watts = 500;
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  EXPECT_THAT(j.problems, IsEmpty());
  EXPECT_THAT(j.notes, ElementsAre("clocks held back by hw_slowdown, hw_thermal_slowdown when read",
                                   "temperature 357 K (84 \xC2\xB0" "C) is within 5 K of its slowdown threshold "
                                   "360 K (87 \xC2\xB0" "C)",
                                   HasSubstr("enforced power limit 500 W is below the default 700 W")));
}

TEST(GpuHealthJudgement, AnIdleOrPowerCappedGpuIsNormal) {
  GpuHealthSnapshot g = healthy();
  g.clocks_event_reasons = nvml::kEventGpuIdle | nvml::kEventSwPowerCap;
  EXPECT_THAT(judge_gpu_health(g, nullptr).notes, IsEmpty());
}

TEST(GpuHealthJudgement, AGpuNvmlCannotReadFails) {
  GpuHealthSnapshot g;
  g.index = 2;
  g.lost = "nvmlDeviceGetName: GPU is lost (15)";
  const GpuHealthJudgement j = judge_gpu_health(g, nullptr);
  EXPECT_EQ(j.subject, "gpu2");
  EXPECT_THAT(j.problems, ElementsAre("NVML cannot read this GPU: nvmlDeviceGetName: GPU is lost (15)"));
}

TEST(GpuHealthJudgement, TheNodeMatchesGpusByUuidAndNamesOnesThatLeft) {
  NodeGpuHealth before, after;
  before.taken_at = "2026-11-22T01:00:00.000Z";
  before.gpus = {healthy(0), healthy(1), healthy(2)};
  // gpu1 is gone; NVML renumbers the rest; a new GPU appeared.
  after.gpus = {healthy(0), healthy(2), healthy(3)};
  after.gpus[1].index = 1;
  after.gpus[1].ecc.volatile_uncorrected = 1;
  after.gpus[2].index = 2;
  after.gpus[2].uuid = "GPU-new";
  const auto judgements = judge_node_gpu_health(after, &before);
  ASSERT_THAT(judgements, SizeIs(4));
  EXPECT_THAT(judgements[0].problems, IsEmpty());
  EXPECT_TRUE(judgements[0].compared_with_baseline);
  // Matched by UUID with the old gpu2, whose count was 0: the error is new.
  EXPECT_EQ(judgements[1].subject, "gpu1");
  EXPECT_THAT(judgements[1].problems, ElementsAre(HasSubstr("1 new uncorrectable ECC error")));
  EXPECT_FALSE(judgements[2].compared_with_baseline);
  EXPECT_THAT(judgements[2].notes, ElementsAre(HasSubstr("not in the baseline")));
  EXPECT_EQ(judgements[3].subject, "gpu1");
  EXPECT_EQ(judgements[3].label, "NVIDIA H100 80GB HBM3 (GPU-1, 00000000:18:00.0)");
  EXPECT_THAT(judgements[3].problems,
              ElementsAre(AllOf(HasSubstr("present at the baseline (2026-11-22T01:00:00.000Z) as gpu1"),
                                HasSubstr("left the bus"))));
}

TEST(GpuHealthJudgement, ALostGpuIsNotAlsoReportedAsGone) {
  NodeGpuHealth before, after;
  before.gpus = {healthy(0), healthy(1)};
  after.gpus = {healthy(0), GpuHealthSnapshot{}};
  after.gpus[1].index = 1;
  after.gpus[1].lost = "nvmlDeviceGetHandleByIndex_v2: GPU is lost (15)";
  const auto judgements = judge_node_gpu_health(after, &before);
  ASSERT_THAT(judgements, SizeIs(2));
  EXPECT_EQ(judgements[1].label, "NVIDIA H100 80GB HBM3 (GPU-1, 00000000:18:00.0)");
  EXPECT_THAT(judgements[1].problems, ElementsAre(HasSubstr("NVML cannot read this GPU")));
}

TEST(ClocksEventReasons, EveryBitHasItsNvmlName) {
  EXPECT_THAT(clocks_event_reason_names(0), IsEmpty());
  EXPECT_THAT(clocks_event_reason_names(0x1FF),
              ElementsAre("gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown", "sync_boost",
                          "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown",
                          "display_clock_setting"));
  EXPECT_THAT(clocks_event_reason_names(0x80 | 0x200), ElementsAre("hw_power_brake_slowdown", "unknown_0x200"));
  EXPECT_EQ(clocks_event_slowdown_mask(), 0x8u | 0x20u | 0x40u | 0x80u);
}

}  // namespace
}  // namespace assay
