// assay diff as a pure function of two summaries: matching, significance, direction,
// one-sided metrics and nodes, verdict changes, ordering, and its speed at fleet scale.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "reports/bundle_diff.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASSAY_DIFF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define ASSAY_DIFF_SANITIZED 1
#endif
#endif

namespace assay {
namespace {

ProbeResult result(std::string node, std::string probe, std::string subject, std::vector<Metric> metrics) {
  ProbeResult r;
  r.node = std::move(node);
  r.probe = std::move(probe);
  r.subject = std::move(subject);
  r.metrics = std::move(metrics);
  return r;
}

Metric fma(std::vector<double> samples) {
  return make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher, std::move(samples));
}

Metric latency(std::vector<double> samples) {
  return make_metric("interconnect.p2p.latency", Unit::second, Better::lower, std::move(samples));
}

Summary summary(std::vector<ProbeResult> results) {
  Summary s;
  s.plan_name = "lot 3";
  s.suite = "standard";
  s.assay = {"0.1.0", "v0.1.0-test", "Release", "GNU 12.2.0", "-O3", false, false};
  s.started = "2026-11-22T01:02:03Z";
  s.finished = "2026-11-22T01:09:03Z";
  for (const auto& r : results) {
    if (std::none_of(s.nodes.begin(), s.nodes.end(), [&](const NodeStatus& n) { return n.name == r.node; })) {
      s.nodes.push_back({r.node, "ok"});
    }
  }
  s.results = std::move(results);
  return s;
}

const MetricChange& only_change(const BundleDiff& d) {
  EXPECT_EQ(d.changes.size(), 1u);
  return d.changes.front();
}

TEST(BundleDiff, OverlappingIntervalsAreNotSignificant) {
  const auto a = summary({result("n1", "cpu.fma", "cpu", {fma({100, 101, 102, 103, 104, 105})})});
  const auto b = summary({result("n1", "cpu.fma", "cpu", {fma({103, 104, 105, 106, 107, 108})})});
  const auto d = diff_summaries(a, b);
  const auto& c = only_change(d);
  EXPECT_EQ(c.node, "n1");
  EXPECT_EQ(c.subject, "cpu");
  EXPECT_EQ(c.key, "cpu.fma.fp64");
  ASSERT_TRUE(c.change.has_value());
  EXPECT_NEAR(*c.change, 3.0 / 102.5, 1e-12);
  EXPECT_EQ(c.direction, ChangeDirection::better);
  ASSERT_TRUE(c.ci_overlap.has_value());
  EXPECT_TRUE(*c.ci_overlap);
  EXPECT_FALSE(c.significant);
  EXPECT_EQ(c.kind, ChangeClass::other);
  EXPECT_EQ(d.significant_regressions, 0u);
}

TEST(BundleDiff, SeparatedIntervalsAreSignificantInTheirDirection) {
  const auto a = summary({result("n1", "cpu.fma", "cpu", {fma({100, 101, 102, 103, 104, 105})})});
  const auto b = summary({result("n1", "cpu.fma", "cpu", {fma({80, 81, 82, 83, 84, 85})})});
  const auto d = diff_summaries(a, b);
  const auto& c = only_change(d);
  EXPECT_FALSE(*c.ci_overlap);
  EXPECT_TRUE(c.significant);
  EXPECT_EQ(c.direction, ChangeDirection::worse);
  EXPECT_EQ(c.kind, ChangeClass::regression);
  EXPECT_EQ(d.significant_regressions, 1u);
  EXPECT_EQ(format_change(c), "-19.5%");
  // Both levels are kept: 6 samples reach 96.9%.
  ASSERT_TRUE(c.a.ci && c.b.ci);
  EXPECT_NEAR(c.a.ci->level, 0.96875, 1e-9);
  EXPECT_DOUBLE_EQ(c.a.ci->low, 100);
  EXPECT_DOUBLE_EQ(c.b.ci->high, 85);

  const auto back = diff_summaries(b, a);
  EXPECT_EQ(only_change(back).kind, ChangeClass::improvement);
  EXPECT_EQ(back.significant_improvements, 1u);
}

TEST(BundleDiff, LowerIsBetterLatencyRisingIsARegression) {
  const auto a = summary({result("n1", "interconnect.p2p", "n1<->n2", {latency({2e-6, 2.1e-6, 2.05e-6})})});
  const auto b = summary({result("n1", "interconnect.p2p", "n1<->n2", {latency({3e-6, 3.1e-6, 3.05e-6})})});
  const auto forward = diff_summaries(a, b);  // only_change() refers into it
  const auto& up = only_change(forward);
  EXPECT_EQ(up.direction, ChangeDirection::worse);
  EXPECT_EQ(up.kind, ChangeClass::regression);
  EXPECT_GT(*up.change, 0);
  const auto backward = diff_summaries(b, a);
  const auto& down = only_change(backward);
  EXPECT_EQ(down.direction, ChangeDirection::better);
  EXPECT_EQ(down.kind, ChangeClass::improvement);
}

TEST(BundleDiff, TooFewSamplesHaveNoCiAndAreNeverSignificant) {
  const auto a = summary({result("n1", "cpu.fma", "cpu", {fma({100, 101})})});
  const auto b = summary({result("n1", "cpu.fma", "cpu", {fma({50, 51, 52, 53, 54, 55})})});
  const auto d = diff_summaries(a, b);
  const auto& c = only_change(d);
  EXPECT_FALSE(c.a.ci.has_value());
  EXPECT_TRUE(c.b.ci.has_value());
  EXPECT_FALSE(c.ci_overlap.has_value());
  EXPECT_FALSE(c.significant);
  EXPECT_EQ(c.direction, ChangeDirection::worse);
  EXPECT_EQ(d.significant_regressions, 0u);
  const std::string text = render_diff_text(d, DiffView{});
  EXPECT_NE(text.find("no CI (n=2)"), std::string::npos) << text;
  EXPECT_NE(text.find("Result: no significant regression."), std::string::npos) << text;
}

TEST(BundleDiff, DifferentCiLevelsArePrintedForBothSides) {
  const auto a = summary({result("n1", "cpu.fma", "cpu", {fma({100, 101, 102})})});
  const auto b = summary({result("n1", "cpu.fma", "cpu", {fma({80, 81, 82, 83, 84, 85, 86, 87, 88, 89})})});
  const auto d = diff_summaries(a, b);
  const std::string text = render_diff_text(d, DiffView{});
  EXPECT_NE(text.find("(75.0%)"), std::string::npos) << text;
  EXPECT_NE(text.find("(97.9%)"), std::string::npos) << text;
  const Json j = diff_json(d, DiffView{});
  EXPECT_DOUBLE_EQ(j["changes"][0]["a"]["median_ci_level"].get<double>(), 0.75);
  EXPECT_NEAR(j["changes"][0]["b"]["median_ci_level"].get<double>(), 0.978515625, 1e-9);
}

TEST(BundleDiff, MetricsAndNodesOnOneSideAreListed) {
  ProbeResult skipped = result("n1", "cpu.gemm", "cpu", {});
  skipped.status = ProbeStatus::skipped;
  skipped.reason = "no BLAS";
  const auto a = summary({result("n1", "cpu.fma", "cpu", {fma({1, 1, 1})}),
                          result("n1", "cpu.gemm", "cpu",
                                 {make_metric("cpu.gemm.fp64", Unit::flop_per_s, Better::higher, {5, 5, 5})}),
                          result("old", "cpu.fma", "cpu", {fma({1, 1, 1})})});
  const auto b = summary({result("n1", "cpu.fma", "cpu", {fma({1, 1, 1}), make_metric("cpu.fma.fp32", Unit::flop_per_s, Better::higher, {2, 2, 2})}),
                          skipped, result("new", "cpu.fma", "cpu", {fma({1, 1, 1})})});
  const auto d = diff_summaries(a, b);
  ASSERT_EQ(d.only_in_a.size(), 1u);
  EXPECT_EQ(d.only_in_a[0].key, "cpu.gemm.fp64");
  EXPECT_EQ(d.only_in_a[0].other_side, "cpu.gemm skipped: no BLAS");
  ASSERT_EQ(d.only_in_b.size(), 1u);
  EXPECT_EQ(d.only_in_b[0].key, "cpu.fma.fp32");
  EXPECT_EQ(d.nodes_only_in_a, std::vector<std::string>{"old"});
  EXPECT_EQ(d.nodes_only_in_b, std::vector<std::string>{"new"});
  EXPECT_EQ(d.metrics_of_nodes_only_in_a, 1u);
  EXPECT_EQ(d.metrics_of_nodes_only_in_b, 1u);
  EXPECT_EQ(d.changes.size(), 1u);
  const std::string text = render_diff_text(d, DiffView{});
  EXPECT_NE(text.find("Only in A (1 metric)"), std::string::npos) << text;
  EXPECT_NE(text.find("Nodes only in B (1; their 1 metric not compared): new"), std::string::npos) << text;
}

TEST(BundleDiff, PowerFiguresAreMatchedPerProbe) {
  const auto watts = [](double w) {
    return make_metric("power.rapl.watts", Unit::watt, Better::lower, {w, w, w}, ValueRule::median, "package-0");
  };
  const auto a = summary({result("n1", "cpu.fma", "cpu", {watts(200)}), result("n1", "memory.stream", "memory", {watts(100)})});
  const auto b = summary({result("n1", "cpu.fma", "cpu", {watts(200)}), result("n1", "memory.stream", "memory", {watts(150)})});
  const auto d = diff_summaries(a, b);
  ASSERT_EQ(d.changes.size(), 2u);
  EXPECT_EQ(d.changes[0].probe, "memory.stream");
  EXPECT_EQ(d.changes[0].subject, "package-0");
  EXPECT_EQ(d.changes[0].kind, ChangeClass::regression);
  EXPECT_NE(render_diff_text(d, DiffView{}).find("power.rapl.watts (during memory.stream)"), std::string::npos);
}

TEST(BundleDiff, VerdictStatusChangesWorseFirst) {
  auto a = summary({});
  auto b = summary({});
  const auto verdict = [](std::string node, std::string key, VerdictStatus s) {
    Verdict v;
    v.node = std::move(node);
    v.subject = "cpu";
    v.key = std::move(key);
    v.status = s;
    return v;
  };
  a.verdicts = {verdict("n1", "cpu.fma.fp64", VerdictStatus::pass), verdict("n1", "cpu.gemm.fp64", VerdictStatus::fail),
                verdict("n2", "cpu.fma.fp64", VerdictStatus::pass), verdict("n3", "cpu.fma.fp64", VerdictStatus::warn)};
  b.verdicts = {verdict("n1", "cpu.fma.fp64", VerdictStatus::fail), verdict("n1", "cpu.gemm.fp64", VerdictStatus::pass),
                verdict("n2", "cpu.fma.fp64", VerdictStatus::pass), verdict("n4", "cpu.fma.fp64", VerdictStatus::error)};
  const auto d = diff_summaries(a, b);
  ASSERT_EQ(d.verdict_changes.size(), 4u);
  EXPECT_EQ(d.verdict_changes[0].node, "n1");
  EXPECT_EQ(d.verdict_changes[0].key, "cpu.fma.fp64");
  EXPECT_EQ(d.verdict_changes[0].a, VerdictStatus::pass);
  EXPECT_EQ(d.verdict_changes[0].b, VerdictStatus::fail);
  EXPECT_TRUE(d.verdict_changes[0].worse);
  EXPECT_EQ(d.verdict_changes[1].node, "n4");  // absent -> ERROR
  EXPECT_FALSE(d.verdict_changes[1].a.has_value());
  EXPECT_TRUE(d.verdict_changes[1].worse);
  EXPECT_EQ(d.verdict_changes[2].key, "cpu.gemm.fp64");  // FAIL -> PASS
  EXPECT_FALSE(d.verdict_changes[2].worse);
  EXPECT_EQ(d.verdict_changes[3].node, "n3");  // WARN -> absent
  EXPECT_FALSE(d.verdict_changes[3].b.has_value());
  const std::string text = render_diff_text(d, DiffView{});
  EXPECT_NE(text.find("Verdict changes (4"), std::string::npos) << text;
}

TEST(BundleDiff, OrderIsRegressionsThenImprovementsThenByMagnitude) {
  const auto node = [](std::string name, std::vector<double> samples) {
    return result(std::move(name), "cpu.fma", "cpu", {fma(std::move(samples))});
  };
  const auto a = summary({node("small-regression", {100, 100, 100}), node("big-regression", {100, 100, 100}),
                          node("improvement", {100, 100, 100}), node("big-noise", {100, 100})});
  const auto b = summary({node("small-regression", {95, 95, 95}), node("big-regression", {50, 50, 50}),
                          node("improvement", {200, 200, 200}), node("big-noise", {400, 400})});
  auto with_unchanged = a;
  with_unchanged.results.push_back(node("same", {1, 1, 1}));
  auto b2 = b;
  b2.results.push_back(node("same", {1, 1, 1}));
  const auto d = diff_summaries(with_unchanged, b2);
  ASSERT_EQ(d.changes.size(), 5u);
  EXPECT_EQ(d.changes[0].node, "big-regression");
  EXPECT_EQ(d.changes[1].node, "small-regression");
  EXPECT_EQ(d.changes[2].node, "improvement");
  EXPECT_EQ(d.changes[3].node, "big-noise");
  EXPECT_EQ(d.changes[4].node, "same");
  EXPECT_EQ(d.changes[4].direction, ChangeDirection::unchanged);

  // The default view hides what did not change; --all shows it.
  EXPECT_FALSE(diff_shows(d.changes[4], DiffView{}));
  EXPECT_TRUE(diff_shows(d.changes[4], DiffView{0.05, true, 200}));
  const Json shown = diff_json(d, DiffView{});
  EXPECT_EQ(shown["changes"].size(), 4u);
  EXPECT_EQ(shown["counts"]["matched"], 5);
  EXPECT_EQ(shown["regression"], true);
}

TEST(BundleDiff, ThresholdHidesSmallNonSignificantChanges) {
  const auto a = summary({result("n1", "cpu.fma", "cpu", {fma({100, 100})})});
  const auto b = summary({result("n1", "cpu.fma", "cpu", {fma({103, 103})})});
  const auto d = diff_summaries(a, b);
  EXPECT_FALSE(diff_shows(d.changes[0], DiffView{}));
  EXPECT_TRUE(diff_shows(d.changes[0], DiffView{0.02, false, 200}));
  EXPECT_NE(render_diff_text(d, DiffView{}).find("  none"), std::string::npos);
}

TEST(BundleDiff, AChangeFromZeroIsShownWithoutAPercentage) {
  const auto errors = [](double v) {
    return make_metric("gpu.health.xid_errors", Unit::ratio, Better::lower, {v});
  };
  const auto a = summary({result("n1", "gpu.health", "gpu0", {errors(0)})});
  const auto b = summary({result("n1", "gpu.health", "gpu0", {errors(3)})});
  const auto diff = diff_summaries(a, b);  // only_change() refers into it
  const auto& c = only_change(diff);
  EXPECT_FALSE(c.change.has_value());
  EXPECT_EQ(format_change(c), "from 0");
  EXPECT_TRUE(diff_shows(c, DiffView{}));
}

TEST(BundleDiff, ManySignificantChangesAreCutAndSummarisedPerMetric) {
  std::vector<ProbeResult> before, after;
  for (int n = 0; n < 5; ++n) {
    const std::string node = fmt::format("n{}", n);
    before.push_back(result(node, "cpu.fma", "cpu", {fma({100, 101, 102})}));
    after.push_back(result(node, "cpu.fma", "cpu", {fma({50.0 + n, 51.0 + n, 52.0 + n})}));
  }
  const auto d = diff_summaries(summary(before), summary(after));
  EXPECT_EQ(d.significant_regressions, 5u);
  const std::string text = render_diff_text(d, DiffView{0.05, false, 2});
  EXPECT_NE(text.find("REGRESSION    n0"), std::string::npos) << text;
  EXPECT_NE(text.find("REGRESSION    n1"), std::string::npos) << text;
  EXPECT_EQ(text.find("REGRESSION    n2"), std::string::npos) << text;
  EXPECT_NE(text.find("Significant changes per metric (5;"), std::string::npos) << text;
  EXPECT_NE(text.find("-47.52%"), std::string::npos) << text;  // the median change, n2's
  const std::string all = render_diff_text(d, DiffView{0.05, true, 2});
  EXPECT_NE(all.find("REGRESSION    n4"), std::string::npos) << all;
  EXPECT_EQ(diff_json(d, DiffView{0.05, false, 2})["changes"].size(), 5u);
}

TEST(BundleDiff, AtScaleSignificantRowsAreListedAndTheRestSummarisedPerKey) {
  // 10,000 nodes x 50 metrics per side; every node 1% slower on every metric (within
  // the noise), node-00042 clearly slower on metric 7. Under the sanitizers a tenth of
  // the fleet, untimed: the logic is the same and their slowdown says nothing.
#ifdef ASSAY_DIFF_SANITIZED
  constexpr int nodes = 1000, metrics = 50;
  constexpr double limit_seconds = 1e9;
#else
  constexpr int nodes = 10000, metrics = 50;
  constexpr double limit_seconds = 5.0;
#endif
  const auto make = [&](bool after) {
    Summary s = summary({});
    s.nodes.reserve(nodes);
    s.results.reserve(nodes);
    for (int n = 0; n < nodes; ++n) {
      ProbeResult r = result(fmt::format("node-{:05d}", n), "cpu.fma", "cpu", {});
      r.metrics.reserve(metrics);
      for (int m = 0; m < metrics; ++m) {
        const double base = after ? (n == 42 && m == 7 ? 50.0 : 99.0) : 100.0;
        r.metrics.push_back(make_metric(fmt::format("cpu.fma.m{:02d}", m), Unit::flop_per_s, Better::higher,
                                        {base - 10, base, base + 10}));
      }
      s.nodes.push_back({r.node, "ok"});
      s.results.push_back(std::move(r));
    }
    return s;
  };
  const Summary a = make(false), b = make(true);
  const auto start = std::chrono::steady_clock::now();
  const auto d = diff_summaries(a, b);
  const std::string text = render_diff_text(d, DiffView{0.005, false, 200});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, limit_seconds);
  ASSERT_EQ(d.changes.size(), static_cast<std::size_t>(nodes * metrics));
  EXPECT_EQ(d.significant_regressions, 1u);
  EXPECT_EQ(d.changes[0].node, "node-00042");
  EXPECT_EQ(d.changes[0].key, "cpu.fma.m07");
  EXPECT_NE(text.find(fmt::format("per metric ({} rows", nodes * metrics - 1)), std::string::npos)
      << text.substr(0, 2000);
  const auto line_of = [&](const std::string& what) {
    const auto at = text.find("\n" + what + " ");
    return at == std::string::npos ? std::string() : text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(line_of("REGRESSION").find("node-00042"), std::string::npos) << text.substr(0, 3000);
  EXPECT_NE(line_of("cpu.fma.m00").find(fmt::format(" {} ", nodes)), std::string::npos) << text.substr(0, 3000);
  EXPECT_NE(line_of("cpu.fma.m07").find(fmt::format(" {} ", nodes - 1)), std::string::npos) << text.substr(0, 3000);
  EXPECT_NE(line_of("cpu.fma.m07").find("-1.00%"), std::string::npos) << text.substr(0, 3000);
  EXPECT_LT(text.size(), 20000u);
  std::cerr << "diff of 2 x " << nodes * metrics << " metrics and its text: " << seconds << " s\n";
}

}  // namespace
}  // namespace assay
