#include "core/result.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(MakeMetric, MedianIsTheDefaultValue) {
  const auto m = make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher, {1.22e11, 1.25e11, 1.23e11});
  EXPECT_EQ(m.key, "cpu.fma.fp64");
  EXPECT_EQ(m.unit, Unit::flop_per_s);
  EXPECT_EQ(m.better, Better::higher);
  EXPECT_EQ(m.rule, ValueRule::median);
  EXPECT_EQ(m.value, 1.23e11);
  EXPECT_EQ(m.stats.n, 3u);
  EXPECT_EQ(m.stats.min, 1.22e11);
  EXPECT_EQ(m.stats.max, 1.25e11);
  EXPECT_TRUE(m.subject.empty());
  EXPECT_TRUE(m.note.empty());
  ASSERT_EQ(m.samples.size(), 3u);
  EXPECT_EQ(m.samples[0], 1.22e11);  // samples are kept in measured order
}

TEST(MakeMetric, MedianOfEvenCountInterpolates) {
  const auto m = make_metric("memory.stream.triad", Unit::byte_per_s, Better::higher, {1, 2, 3, 10});
  EXPECT_DOUBLE_EQ(m.value, 2.5);
}

TEST(MakeMetric, BestIsMaxWhenHigherIsBetter) {
  const auto m =
      make_metric("memory.stream.triad", Unit::byte_per_s, Better::higher, {9.1e10, 9.4e10, 8.7e10},
                  ValueRule::best, "memory", "best of 3 as STREAM requires");
  EXPECT_EQ(m.value, 9.4e10);
  EXPECT_EQ(m.stats.median, 9.1e10);
  EXPECT_EQ(m.subject, "memory");
  EXPECT_EQ(m.note, "best of 3 as STREAM requires");
}

TEST(MakeMetric, BestIsMinWhenLowerIsBetter) {
  const auto m = make_metric("interconnect.p2p.latency", Unit::second, Better::lower,
                             {2.1e-6, 1.9e-6, 2.4e-6}, ValueRule::best);
  EXPECT_EQ(m.value, 1.9e-6);
}

TEST(MakeMetric, NoSamples) {
  const auto m = make_metric("power.node.watts", Unit::watt, Better::lower, {});
  EXPECT_EQ(m.stats.n, 0u);
  EXPECT_EQ(m.value, 0);
}

TEST(DeriveMetric, RecomputesFromSamples) {
  auto m = make_metric("gpu.hbm.read", Unit::byte_per_s, Better::higher, {3.0e12, 3.1e12, 3.2e12});
  m.samples = {1, 2, 3, 4, 5};
  m.value = 99;
  m.stats = {};
  derive_metric(m);
  EXPECT_EQ(m.value, 3);
  EXPECT_EQ(m.stats.n, 5u);
  EXPECT_EQ(m.stats.median_ci_low, 1);
  EXPECT_EQ(m.stats.median_ci_high, 5);
  m.rule = ValueRule::best;
  derive_metric(m);
  EXPECT_EQ(m.value, 5);
  m.better = Better::lower;
  derive_metric(m);
  EXPECT_EQ(m.value, 1);
}

TEST(ProbeStatus, Names) {
  EXPECT_EQ(probe_status_name(ProbeStatus::ok), "ok");
  EXPECT_EQ(probe_status_name(ProbeStatus::skipped), "skipped");
  EXPECT_EQ(probe_status_name(ProbeStatus::error), "error");
}

TEST(FindMetric, ByKeyAndSubject) {
  ProbeResult r;
  r.probe = "interconnect.p2p";
  r.subject = "node";
  r.metrics.push_back(make_metric("interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher, {1},
                                  ValueRule::median, "gpu0->gpu1"));
  r.metrics.push_back(make_metric("interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher, {2},
                                  ValueRule::median, "gpu0->gpu3"));
  r.metrics.push_back(make_metric("interconnect.p2p.latency", Unit::second, Better::lower, {3}));

  const Metric* any = find_metric(r, "interconnect.p2p.bandwidth");
  ASSERT_NE(any, nullptr);
  EXPECT_EQ(any->value, 1);  // the first with that key
  const Metric* link = find_metric(r, "interconnect.p2p.bandwidth", "gpu0->gpu3");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->value, 2);
  EXPECT_EQ(find_metric(r, "interconnect.p2p.bandwidth", "gpu0->gpu2"), nullptr);
  // A metric with no subject of its own belongs to the result's subject.
  const Metric* latency = find_metric(r, "interconnect.p2p.latency", "node");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->value, 3);
  EXPECT_EQ(find_metric(r, "interconnect.p2p.latency", "gpu0"), nullptr);
  EXPECT_EQ(find_metric(r, "interconnect.p2p.busbw"), nullptr);
  EXPECT_EQ(find_metric(ProbeResult{}, "x"), nullptr);
}

}  // namespace
}  // namespace assay
