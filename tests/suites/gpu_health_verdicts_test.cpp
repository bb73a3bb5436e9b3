// How gpu.health's findings become verdicts: one per GPU, FAIL naming the GPU and its
// problems, with no rated figure needed; a rated temperature is a limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "suites/verdicts.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

Metric problems(const std::string& gpu, double count, std::string note = {}) {
  return make_metric("gpu.health.problems", Unit::ratio, Better::lower, {count}, ValueRule::median, gpu,
                     std::move(note));
}

ProbeResult health_result(std::vector<Metric> metrics) {
  ProbeResult r;
  r.probe = "gpu.health";
  r.node = "gpu-017";
  r.subject = "gpu";
  r.metrics = std::move(metrics);
  r.validation = {true, true, "ok"};
  return r;
}

TEST(GpuHealthVerdicts, EachFailingGpuIsAFailVerdictNamingItAndWhy) {
  const ProbeResult r = health_result({problems("gpu0", 0), problems("gpu2", 2, "PCIe link trained at x8, below its "
                                                                                 "maximum x16; a row remapping is "
                                                                                 "pending")});
  const auto verdicts = judge(Plan{}, RatedTable{}, std::vector{r});
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].status, VerdictStatus::pass);
  EXPECT_EQ(verdicts[0].subject, "gpu0");
  EXPECT_EQ(verdicts[0].message, "none found");
  const Verdict& failed = verdicts[1];
  EXPECT_EQ(failed.status, VerdictStatus::fail);
  EXPECT_EQ(failed.node, "gpu-017");
  EXPECT_EQ(failed.subject, "gpu2");
  EXPECT_EQ(failed.key, "gpu.health.problems");
  // No measured figure: every report then shows the message, which names the problems.
  EXPECT_FALSE(failed.measured.has_value());
  EXPECT_FALSE(failed.rated.has_value());
  EXPECT_THAT(failed.criterion, AllOf(HasSubstr("no GPU health problem"), HasSubstr("docs/probes/gpu.md")));
  EXPECT_EQ(failed.message, "PCIe link trained at x8, below its maximum x16; a row remapping is pending");
  EXPECT_FALSE(is_accepted(verdicts));
}

TEST(GpuHealthVerdicts, AHealthyNodeIsAccepted) {
  const ProbeResult r = health_result({problems("gpu0", 0), problems("gpu1", 0)});
  EXPECT_TRUE(is_accepted(judge(Plan{}, RatedTable{}, std::vector{r})));
}

TEST(GpuHealthVerdicts, APlanCannotRateTheRuleAway) {
  RatedTable rated;
  rated.add({"gpu.health.problems", {5, Unit::ratio}, "a lenient contract", "", false});
  const ProbeResult r = health_result({problems("gpu0", 1, "a row remapping is pending")});
  const auto verdicts = judge(Plan{}, rated, std::vector{r});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].status, VerdictStatus::fail);
}

TEST(GpuHealthVerdicts, ARatedTemperatureIsAMaximum) {
  EXPECT_TRUE(is_limit_key("gpu.health.temperature"));
  EXPECT_FALSE(is_limit_key("gpu.health.pcie_width"));
  RatedTable rated;
  rated.add({"gpu.health.temperature", {358, Unit::kelvin}, "contract 7.1", "", false});
  const ProbeResult r =
      health_result({make_metric("gpu.health.temperature", Unit::kelvin, Better::lower, {361.15}, ValueRule::median,
                                 "gpu3"),
                     make_metric("gpu.health.temperature", Unit::kelvin, Better::lower, {340.15}, ValueRule::median,
                                 "gpu4")});
  const auto verdicts = judge(Plan{}, rated, std::vector{r});
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].status, VerdictStatus::fail);
  EXPECT_EQ(verdicts[0].criterion, "measured <= the limit (358 K)");
  EXPECT_EQ(verdicts[1].status, VerdictStatus::pass);
}

TEST(GpuHealthVerdicts, OtherHealthFiguresAreInformation) {
  const ProbeResult r = health_result(
      {make_metric("gpu.health.pcie_width", Unit::ratio, Better::higher, {16}, ValueRule::median, "gpu0")});
  const auto verdicts = judge(Plan{}, RatedTable{}, std::vector{r});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].status, VerdictStatus::info);
}

}  // namespace
}  // namespace assay
