#include "suites/fleet_judgement.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "suites/fleet_stats.h"
#include "suites/fleet_test_results.h"
#include "suites/run_summary.h"
#include "suites/verdicts.h"

namespace assay {
namespace {

using testing::fp64;
using testing::fp64_fleet;
using testing::node_result;
using testing::steady;

std::vector<const Verdict*> verdicts_of(const FleetJudgement& j, std::string_view node) {
  std::vector<const Verdict*> out;
  for (const auto& v : j.verdicts) {
    if (v.node == node) out.push_back(&v);
  }
  return out;
}

const Verdict& spread_of(const FleetJudgement& j, std::string_view key) {
  const auto it = std::find_if(j.verdicts.begin(), j.verdicts.end(),
                               [&](const Verdict& v) { return v.node == fleet_node && v.key == key; });
  EXPECT_NE(it, j.verdicts.end()) << "no spread verdict for " << key;
  static const Verdict none;
  return it == j.verdicts.end() ? none : *it;
}

TEST(JudgeFleet, GpuHealthRecordsAreNotComparedAcrossNodes) {
  // Idle clocks and temperatures differ between sound GPUs; gpu.health has its own limits.
  std::vector<ProbeResult> results;
  for (int i = 0; i < 5; ++i) {
    results.push_back(node_result("n" + std::to_string(i),
                                  {steady("gpu.health.sm_clock", Unit::hertz, Better::higher, i == 4 ? 2.1e8 : 1.98e9,
                                          "gpu0")},
                                  "gpu.health"));
  }
  const FleetJudgement j = judge_fleet(Plan{}, results);
  EXPECT_TRUE(j.stats.empty());
  EXPECT_TRUE(j.verdicts.empty());
}

TEST(JudgeFleet, OutlierBelowTheMedianIsNamed) {
  const auto results = fp64_fleet({1.00e11, 1.01e11, 0.99e11, 1.00e11, 0.80e11});
  const FleetJudgement j = judge_fleet(Plan{}, results);
  ASSERT_EQ(j.stats.size(), 1u);
  const FleetStat& s = j.stats[0];
  EXPECT_EQ(s.key, "cpu.fma.fp64");
  EXPECT_EQ(s.unit, Unit::flop_per_s);
  EXPECT_EQ(s.n, 5u);
  EXPECT_EQ(s.nodes, 5u);
  EXPECT_DOUBLE_EQ(s.median, 1.00e11);
  ASSERT_EQ(s.outliers.size(), 1u);
  EXPECT_EQ(s.outliers[0].node, "n4");
  EXPECT_EQ(s.outliers[0].subject, "cpu");
  EXPECT_DOUBLE_EQ(s.outliers[0].value, 0.80e11);

  const auto named = verdicts_of(j, "n4");
  ASSERT_EQ(named.size(), 1u);
  const Verdict& v = *named[0];
  EXPECT_EQ(v.status, VerdictStatus::fail);
  EXPECT_EQ(v.key, "cpu.fma.fp64");
  EXPECT_EQ(v.subject, "cpu");
  EXPECT_EQ(v.unit, Unit::flop_per_s);
  EXPECT_DOUBLE_EQ(*v.measured, 0.80e11);
  EXPECT_DOUBLE_EQ(*v.rated, 1.00e11);
  EXPECT_DOUBLE_EQ(*v.ratio, 0.8);
  EXPECT_NE(v.criterion.find("within 3 MADs of the fleet median 100 GFLOP/s"), std::string::npos) << v.criterion;
  EXPECT_EQ(v.message, "80 GFLOP/s is 80.0% of the fleet median 100 GFLOP/s, 13.5 MADs below it") << v.message;
  EXPECT_FALSE(v.inconclusive);
  // The others are in line: only n4 and the fleet's spread have verdicts.
  EXPECT_EQ(j.verdicts.size(), 2u);
}

TEST(JudgeFleet, LatencyOutliersAreAboveTheMedian) {
  std::vector<ProbeResult> results;
  const double latencies[] = {2.0e-6, 2.1e-6, 1.9e-6, 2.0e-6, 1.0e-6, 4.0e-6};
  for (int i = 0; i < 6; ++i) {
    results.push_back(node_result("n" + std::to_string(i),
                                  {steady("memory.latency.load", Unit::second, Better::lower, latencies[i])},
                                  "memory.latency"));
  }
  const FleetJudgement j = judge_fleet(Plan{}, results);
  ASSERT_EQ(j.stats.size(), 1u);
  ASSERT_EQ(j.stats[0].outliers.size(), 1u);
  // The fast node (1 us) is good news; the slow one (4 us) is named.
  EXPECT_EQ(j.stats[0].outliers[0].node, "n5");
  EXPECT_GT(*j.stats[0].outlier_limit, j.stats[0].median);
  const auto named = verdicts_of(j, "n5");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_NE(named[0]->criterion.find("(<= "), std::string::npos) << named[0]->criterion;
  EXPECT_NE(named[0]->message.find("MADs above it"), std::string::npos) << named[0]->message;
  EXPECT_TRUE(verdicts_of(j, "n4").empty());
}

TEST(JudgeFleet, IdenticalValuesHaveNoOutlier) {
  // A 0.1% deviation among otherwise identical nodes: the MAD is 0, the floor keeps it in.
  const FleetJudgement j = judge_fleet(Plan{}, fp64_fleet({1e11, 1e11, 1e11, 1e11, 0.999e11}));
  ASSERT_EQ(j.stats.size(), 1u);
  EXPECT_TRUE(j.stats[0].outliers.empty());
  ASSERT_EQ(j.verdicts.size(), 1u);
  EXPECT_EQ(j.verdicts[0].status, VerdictStatus::pass);
}

TEST(JudgeFleet, TwoNodesGiveASpreadButNoOutlierVerdict) {
  const FleetJudgement j = judge_fleet(Plan{}, fp64_fleet({1e11, 0.5e11}));
  ASSERT_EQ(j.stats.size(), 1u);
  EXPECT_FALSE(j.stats[0].outlier_limit);
  EXPECT_TRUE(j.stats[0].outliers.empty());
  ASSERT_EQ(j.verdicts.size(), 1u);
  EXPECT_EQ(j.verdicts[0].node, fleet_node);
  EXPECT_EQ(j.verdicts[0].status, VerdictStatus::fail);
}

TEST(JudgeFleet, OneNodeIsNoFleet) {
  // Eight GPUs of one node are not a fleet.
  std::vector<Metric> gpus;
  for (int g = 0; g < 8; ++g) {
    gpus.push_back(steady("gpu.gemm.bf16", Unit::flop_per_s, Better::higher, g == 3 ? 5e14 : 9e14,
                          "gpu" + std::to_string(g)));
  }
  const FleetJudgement j = judge_fleet(Plan{}, std::vector{node_result("n0", gpus, "gpu.gemm")});
  EXPECT_TRUE(j.stats.empty());
  EXPECT_TRUE(j.verdicts.empty());
}

TEST(JudgeFleet, SpreadVerdictAtTheThreshold) {
  // Two values m(1 - d), m(1 + d) have sample stdev m d sqrt(2): cv = d sqrt(2).
  Plan plan;
  const double d = 0.01;
  const auto results = fp64_fleet({1e11 * (1 - d), 1e11 * (1 + d)});
  const double cv = judge_fleet(plan, results).stats.at(0).cv;
  EXPECT_NEAR(cv, d * std::sqrt(2.0), 1e-12);

  plan.criteria.fleet_max_cv = cv;  // cv <= max: PASS exactly at the threshold
  Verdict v = spread_of(judge_fleet(plan, results), "cpu.fma.fp64");
  EXPECT_EQ(v.status, VerdictStatus::pass);
  EXPECT_EQ(v.unit, Unit::ratio);
  EXPECT_DOUBLE_EQ(*v.measured, cv);
  EXPECT_DOUBLE_EQ(*v.rated, cv);
  EXPECT_DOUBLE_EQ(*v.ratio, 1.0);
  EXPECT_EQ(v.subject, "2 nodes");

  plan.criteria.fleet_max_cv = cv * 0.999;
  v = spread_of(judge_fleet(plan, results), "cpu.fma.fp64");
  EXPECT_EQ(v.status, VerdictStatus::fail);
  EXPECT_GT(*v.ratio, 1.0);

  plan.criteria.fleet_max_cv = 0.05;
  v = spread_of(judge_fleet(plan, results), "cpu.fma.fp64");
  EXPECT_EQ(v.status, VerdictStatus::pass);
  EXPECT_EQ(v.criterion, "across-node cv <= 0.05");
}

TEST(JudgeFleet, PerKeyRuleOverridesTheDefaults) {
  Plan plan;
  CriterionRule rule;
  rule.pattern = "cpu.fma.*";
  rule.fleet_max_cv = 0.5;
  rule.fleet_outlier_mads = 100;
  plan.criteria.rules.push_back(rule);
  const auto results = fp64_fleet({1.00e11, 1.01e11, 0.99e11, 1.00e11, 0.80e11});
  const FleetJudgement j = judge_fleet(plan, results);
  ASSERT_EQ(j.stats.size(), 1u);
  EXPECT_TRUE(j.stats[0].outliers.empty());
  const Verdict& v = spread_of(j, "cpu.fma.fp64");
  EXPECT_EQ(v.status, VerdictStatus::pass);
  EXPECT_EQ(v.criterion, "across-node cv <= 0.5 [criteria \"cpu.fma.*\"]");
  // A rule that sets only min_fraction leaves the fleet defaults (and is not named).
  Plan other;
  other.criteria.rules.push_back({"cpu.fma.fp64", 0.5, std::nullopt, {}});
  EXPECT_EQ(judge_fleet(other, results).stats[0].outliers.size(), 1u);
  EXPECT_EQ(spread_of(judge_fleet(other, results), "cpu.fma.fp64").criterion, "across-node cv <= 0.05");
}

TEST(JudgeFleet, LinksOfTheFleetFormOneGroup) {
  // Four nodes, every directed pair measured by its sender; one link is slow.
  std::vector<ProbeResult> results;
  for (int a = 0; a < 4; ++a) {
    std::vector<Metric> metrics;
    for (int b = 0; b < 4; ++b) {
      if (a == b) continue;
      const bool slow = a == 2 && b == 3;
      metrics.push_back(testing::bandwidth("n" + std::to_string(a), "n" + std::to_string(b), slow ? 3e9 : 12e9));
    }
    results.push_back(node_result("n" + std::to_string(a), metrics, "interconnect.p2p"));
  }
  const FleetJudgement j = judge_fleet(Plan{}, results);
  ASSERT_EQ(j.stats.size(), 1u);
  EXPECT_EQ(j.stats[0].n, 12u);
  EXPECT_EQ(j.stats[0].nodes, 4u);
  ASSERT_EQ(j.stats[0].outliers.size(), 1u);
  EXPECT_EQ(j.stats[0].outliers[0].node, "n2");
  EXPECT_EQ(j.stats[0].outliers[0].subject, "n2->n3");
  EXPECT_EQ(spread_of(j, "interconnect.p2p.bandwidth").subject, "12 entries on 4 nodes");
}

TEST(JudgeFleet, SkippedErrorAndEmptyResultsTakeNoPart) {
  auto results = fp64_fleet({1e11, 1e11, 1e11});
  ProbeResult skipped = node_result("n3", {});
  skipped.status = ProbeStatus::skipped;
  skipped.reason = "not here";
  ProbeResult failed = node_result("n4", {fp64(1e9)});
  failed.status = ProbeStatus::error;
  failed.error = "deadline";
  results.push_back(skipped);
  results.push_back(failed);
  results.push_back(node_result("n5", {}));
  const FleetJudgement j = judge_fleet(Plan{}, results);
  ASSERT_EQ(j.stats.size(), 1u);
  EXPECT_EQ(j.stats[0].n, 3u);
  EXPECT_TRUE(j.stats[0].outliers.empty());
  EXPECT_EQ(j.verdicts.size(), 1u);
  EXPECT_TRUE(judge_fleet(Plan{}, std::vector{skipped, failed}).verdicts.empty());
}

TEST(JudgeFleet, OutlierWhoseIntervalReachesTheLimitIsInconclusive) {
  auto results = fp64_fleet({1.00e11, 1.00e11, 1.00e11, 1.00e11});
  // Median 0.90e11 (beyond the 0.97e11 limit) but repetitions up to 0.99e11.
  results.push_back(node_result(
      "n4", {make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher, {0.85e11, 0.90e11, 0.99e11})}));
  const FleetJudgement j = judge_fleet(Plan{}, results);
  const auto named = verdicts_of(j, "n4");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0]->status, VerdictStatus::warn);
  EXPECT_TRUE(named[0]->inconclusive);
  EXPECT_NE(named[0]->message.find("rerun with more repetitions"), std::string::npos);
  ASSERT_EQ(j.stats[0].outliers.size(), 1u);
}

TEST(SummarizeRun, FleetVerdictsDecideAcceptance) {
  Plan plan;
  const Catalog catalog;
  const auto results = fp64_fleet({1.00e11, 1.01e11, 0.99e11, 0.70e11});
  const Summary s = summarize_run(plan, catalog, results, {{"n0", "ok"}, {"n1", "ok"}, {"n2", "ok"}, {"n3", "ok"}},
                                  "2026-11-22T01:02:03Z", "2026-11-22T01:03:03Z", {});
  ASSERT_EQ(s.fleet.size(), 1u);
  EXPECT_EQ(s.fleet[0].outliers.size(), 1u);
  EXPECT_FALSE(s.links);
  EXPECT_FALSE(s.accepted);
  const auto fail = std::find_if(s.verdicts.begin(), s.verdicts.end(), [](const Verdict& v) {
    return v.node == "n3" && v.status == VerdictStatus::fail;
  });
  EXPECT_NE(fail, s.verdicts.end());

  const Summary good = summarize_run(plan, catalog, fp64_fleet({1.00e11, 1.01e11, 0.99e11}), {}, "", "", {});
  EXPECT_TRUE(good.accepted);
  EXPECT_EQ(good.nodes.size(), 3u);
}

}  // namespace
}  // namespace assay

namespace assay {
namespace {

ProbeResult powered(std::string node, std::string probe, double package_watts) {
  ProbeResult r;
  r.node = std::move(node);
  r.probe = std::move(probe);
  r.subject = "cpu";
  r.metrics.push_back(make_metric("power.powercap.watts", Unit::watt, Better::lower, {package_watts},
                                  ValueRule::median, "package-0"));
  return r;
}

// A node's power under FMA load is compared with the other nodes' under the same load,
// never mixed with their power during another probe.
TEST(JudgeFleet, PowerIsComparedPerProbeAndDomain) {
  std::vector<ProbeResult> results;
  for (const char* node : {"n0", "n1", "n2", "n3"}) {
    results.push_back(powered(node, "cpu.fma", 300.0));
    results.push_back(powered(node, "power.sample", std::string(node) == "n3" ? 150.0 : 100.0));
  }
  const FleetJudgement j = judge_fleet(Plan{}, results);
  ASSERT_EQ(j.stats.size(), 2u);
  const auto fma = std::find_if(j.stats.begin(), j.stats.end(),
                                [](const FleetStat& s) { return s.scope == "package-0 during cpu.fma"; });
  ASSERT_NE(fma, j.stats.end());
  EXPECT_EQ(fma->key, "power.powercap.watts");
  EXPECT_DOUBLE_EQ(fma->cv, 0.0);
  EXPECT_TRUE(fma->outliers.empty());
  const auto idle = std::find_if(j.stats.begin(), j.stats.end(),
                                 [](const FleetStat& s) { return s.scope == "package-0 during power.sample"; });
  ASSERT_NE(idle, j.stats.end());
  ASSERT_EQ(idle->outliers.size(), 1u);
  EXPECT_EQ(idle->outliers[0].node, "n3");
  const auto outlier = verdicts_of(j, "n3");
  ASSERT_EQ(outlier.size(), 1u);
  EXPECT_EQ(outlier[0]->subject, "package-0 during power.sample");
  for (const Verdict& v : j.verdicts) {
    if (v.node == fleet_node) {
      EXPECT_NE(v.subject.find(" during "), std::string::npos) << v.subject;
    }
  }
}

}  // namespace
}  // namespace assay
