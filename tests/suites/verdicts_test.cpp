#include "suites/verdicts.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

ProbeResult result_with(const std::string& probe, std::vector<Metric> metrics, std::string node = "n1") {
  ProbeResult r;
  r.probe = probe;
  r.node = std::move(node);
  r.subject = "cpu";
  r.metrics = std::move(metrics);
  r.validation = {true, true, "ok"};
  return r;
}

Metric flops(const std::string& key, std::vector<double> samples) {
  return make_metric(key, Unit::flop_per_s, Better::higher, std::move(samples));
}

RatedTable rated(const std::string& key, double value, Unit unit = Unit::flop_per_s) {
  RatedTable t;
  t.add({key, {value, unit}, "contract 4.3", "", false});
  return t;
}

const Verdict& only(const std::vector<Verdict>& v) {
  EXPECT_EQ(v.size(), 1u);
  return v.front();
}

TEST(Judge, PassAtOrAboveTheFraction) {
  Plan plan;
  const ProbeResult r = result_with("cpu.gemm", {flops("cpu.gemm.fp64", {95, 96, 97})});
  const auto v = judge(plan, rated("cpu.gemm.fp64", 100), std::vector{r});
  EXPECT_EQ(only(v).status, VerdictStatus::pass);
  EXPECT_DOUBLE_EQ(*only(v).ratio, 0.96);
  EXPECT_DOUBLE_EQ(*only(v).rated, 100);
  EXPECT_EQ(only(v).source, "contract 4.3");
  EXPECT_NE(only(v).criterion.find("0.90"), std::string::npos);
  EXPECT_FALSE(only(v).inconclusive);
}

TEST(Judge, FailBelowTheFraction) {
  Plan plan;
  const ProbeResult r = result_with("cpu.gemm", {flops("cpu.gemm.fp64", {70, 71, 72})});
  const auto v = judge(plan, rated("cpu.gemm.fp64", 100), std::vector{r});
  EXPECT_EQ(only(v).status, VerdictStatus::fail);
  EXPECT_FALSE(is_accepted(v));
}

TEST(Judge, WarnBandBetweenMinAndWarnFractions) {
  Plan plan;
  plan.criteria.warn_fraction = 0.95;
  plan.criteria.rules.push_back({"cpu.gemm.*", 0.90, 0.95, {}});
  const ProbeResult r = result_with("cpu.gemm", {flops("cpu.gemm.fp64", {92, 92, 92, 92, 92, 92})});
  const auto v = judge(plan, rated("cpu.gemm.fp64", 100), std::vector{r});
  EXPECT_EQ(only(v).status, VerdictStatus::warn);
  EXPECT_TRUE(is_accepted(v));
}

TEST(Judge, AConfidenceIntervalAcrossTheThresholdIsInconclusive) {
  Plan plan;
  // Median 90.5 passes the 90 line, but the 95% interval of the median (ranks 2 and 9
  // of 10 samples: 85 .. 96) straddles it.
  const ProbeResult r =
      result_with("cpu.gemm", {flops("cpu.gemm.fp64", {80, 85, 88, 89, 90, 91, 92, 93, 96, 99})});
  const auto v = judge(plan, rated("cpu.gemm.fp64", 100), std::vector{r});
  EXPECT_TRUE(only(v).inconclusive);
  EXPECT_EQ(only(v).status, VerdictStatus::warn);
  EXPECT_NE(only(v).message.find("rerun with more repetitions"), std::string::npos);
}

TEST(Judge, LowerIsBetterUsesTheInverseBound) {
  Plan plan;
  Metric latency = make_metric("interconnect.p2p.latency", Unit::second, Better::lower, {2.1e-6, 2.1e-6, 2.1e-6});
  const ProbeResult r = result_with("interconnect.p2p", {latency});
  // Rated 2 us; min_fraction 0.9 allows up to 2.22 us.
  auto v = judge(plan, rated("interconnect.p2p.latency", 2e-6, Unit::second), std::vector{r});
  EXPECT_EQ(only(v).status, VerdictStatus::pass);
  latency = make_metric("interconnect.p2p.latency", Unit::second, Better::lower, {2.5e-6, 2.5e-6, 2.5e-6});
  v = judge(plan, rated("interconnect.p2p.latency", 2e-6, Unit::second),
            std::vector{result_with("interconnect.p2p", {latency})});
  EXPECT_EQ(only(v).status, VerdictStatus::fail);
}

TEST(Judge, NoRatedFigureIsInfo) {
  Plan plan;
  const ProbeResult r = result_with("memory.stream", {make_metric("memory.stream.triad", Unit::byte_per_s,
                                                                   Better::higher, {1e10}, ValueRule::best)});
  const auto v = judge(plan, RatedTable{}, std::vector{r});
  EXPECT_EQ(only(v).status, VerdictStatus::info);
  EXPECT_TRUE(is_accepted(v));
}

TEST(Judge, CpuFiguresFallBackToThePeakDerivedOnTheSameNode) {
  Plan plan;
  Metric peak = flops("cpu.fma.fp64_peak_derived", {200, 200, 200});
  peak.note = "2 cores x 3.125 GHz x 32 FLOP/cycle";
  const ProbeResult fma = result_with("cpu.fma", {flops("cpu.fma.fp64", {196, 196, 196}), peak});
  const ProbeResult gemm = result_with("cpu.gemm", {flops("cpu.gemm.fp64", {150, 150, 150})});
  const ProbeResult other_node = result_with("cpu.gemm", {flops("cpu.gemm.fp64", {150, 150, 150})}, "n2");
  const auto v = judge(plan, RatedTable{}, std::vector{fma, gemm, other_node});
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].status, VerdictStatus::pass);
  EXPECT_TRUE(v[0].derived);
  EXPECT_NE(v[0].source.find("derived on n1"), std::string::npos);
  EXPECT_EQ(v[1].status, VerdictStatus::info);  // the derived peak itself
  // GEMM against a derived peak is information, not a verdict (its BLAS may not use
  // the CPU's widest vectors); the fraction is still shown.
  EXPECT_EQ(v[2].status, VerdictStatus::info);
  EXPECT_TRUE(v[2].derived);
  EXPECT_DOUBLE_EQ(*v[2].ratio, 0.75);
  EXPECT_EQ(v[3].status, VerdictStatus::info);  // n2 has no cpu.fma result to derive from
  const auto rated_list = rated_for_summary(RatedTable{}, v);
  ASSERT_EQ(rated_list.size(), 1u);
  EXPECT_TRUE(rated_list[0].derived);
}

TEST(Judge, ARatedGemmFigureIsJudged) {
  Plan plan;
  const ProbeResult fma = result_with("cpu.fma", {flops("cpu.fma.fp64_peak_derived", {200})});
  const ProbeResult gemm = result_with("cpu.gemm", {flops("cpu.gemm.fp64", {150, 150, 150})});
  const auto v = judge(plan, rated("cpu.gemm.fp64", 200), std::vector{fma, gemm});
  EXPECT_EQ(v[1].status, VerdictStatus::fail);
  EXPECT_FALSE(v[1].derived);
}

TEST(Judge, AnExplicitRatedFigureWinsOverTheDerivedPeak) {
  Plan plan;
  const ProbeResult fma =
      result_with("cpu.fma", {flops("cpu.fma.fp64", {196}), flops("cpu.fma.fp64_peak_derived", {200})});
  const auto v = judge(plan, rated("cpu.fma.fp64", 400), std::vector{fma});
  EXPECT_EQ(v[0].status, VerdictStatus::fail);
  EXPECT_FALSE(v[0].derived);
}

TEST(Judge, SkippedAndFailedProbes) {
  Plan plan;
  ProbeResult skipped;
  skipped.probe = "gpu.gemm";
  skipped.node = "n1";
  skipped.status = ProbeStatus::skipped;
  skipped.reason = "no CUDA device";
  ProbeResult errored = skipped;
  errored.probe = "cpu.gemm";
  errored.status = ProbeStatus::error;
  errored.error = "out of memory";
  ProbeResult wrong = errored;
  wrong.probe = "memory.stream";
  wrong.error = "validation failed";
  wrong.validation = {true, false, "a[17] = 2, expected 3"};
  const auto v = judge(plan, RatedTable{}, std::vector{skipped, errored, wrong});
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].status, VerdictStatus::skip);
  EXPECT_EQ(v[0].message, "no CUDA device");
  EXPECT_EQ(v[1].status, VerdictStatus::error);
  EXPECT_EQ(v[2].status, VerdictStatus::fail);
  EXPECT_EQ(v[2].key, "memory.stream.validation");
  EXPECT_EQ(v[2].message, "a[17] = 2, expected 3");
  EXPECT_FALSE(is_accepted(v));
}

TEST(Judge, AFigureThePlanPromisesButNobodyMeasuredFails) {
  Plan plan;
  PlanRatedFigure promised;
  promised.key = "storage.seq.read";
  promised.quantity = {2e10, Unit::byte_per_s};
  promised.source = "contract 4.3";
  plan.rated.push_back(promised);
  // A catalog figure for a part the plan names is not a promise of its own.
  PlanRatedFigure from_catalog = promised;
  from_catalog.key = "power.cpu.tdp";
  from_catalog.quantity = {360, Unit::watt};
  from_catalog.from_catalog = true;
  plan.rated.push_back(from_catalog);
  const auto v = judge(plan, RatedTable{}, std::vector<ProbeResult>{});
  EXPECT_EQ(only(v).status, VerdictStatus::fail);
  EXPECT_EQ(only(v).key, "storage.seq.read");
  EXPECT_NE(only(v).message.find("no probe of the run measured it"), std::string::npos);
}

TEST(Judge, AUnitMismatchIsNotJudged) {
  Plan plan;
  const ProbeResult r = result_with("cpu.gemm", {flops("cpu.gemm.fp64", {95})});
  const auto v = judge(plan, rated("cpu.gemm.fp64", 100, Unit::byte_per_s), std::vector{r});
  EXPECT_EQ(only(v).status, VerdictStatus::info);
}

}  // namespace
}  // namespace assay
