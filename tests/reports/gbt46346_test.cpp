// The GB/T 46346-2025 mapping: every indicator always present, figures aggregated over
// nodes, the worst verdict of the keys that feed an indicator, and an honest note where
// assay measures nothing.
#include "reports/gbt46346.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "reports/report_fixture.h"

namespace assay {
namespace {

const GbtIndicatorRow& indicator(const std::vector<GbtIndicatorRow>& rows, std::string_view id) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const GbtIndicatorRow& r) { return r.id == id; });
  if (it == rows.end()) throw std::runtime_error("no indicator " + std::string(id));
  return *it;
}

const GbtFigure* figure(const GbtIndicatorRow& row, std::string_view label_en) {
  const auto it = std::find_if(row.figures.begin(), row.figures.end(),
                               [&](const GbtFigure& f) { return f.label_en == label_en; });
  return it == row.figures.end() ? nullptr : &*it;
}

ProbeResult gemm_result(const std::string& node, std::vector<Metric> metrics) {
  ProbeResult r;
  r.probe = "gpu.gemm";
  r.node = node;
  r.subject = "gpu";
  r.metrics = std::move(metrics);
  r.validation = {true, true, "checked"};
  return r;
}

Metric flops(const std::string& key, double value, const std::string& subject) {
  return make_metric(key, Unit::flop_per_s, Better::higher, {value}, ValueRule::median, subject);
}

TEST(Gbt46346, EveryIndicatorIsAlwaysThereInTheStandardsOrder) {
  const auto rows = map_to_gbt46346(Summary{});
  std::vector<std::string> clauses;
  for (const auto& r : rows) clauses.push_back(r.clause);
  EXPECT_EQ(clauses, (std::vector<std::string>{"7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9"}));
  for (const auto& r : rows) {
    EXPECT_FALSE(r.indicator_en.empty());
    EXPECT_FALSE(r.indicator_zh.empty());
    EXPECT_FALSE(r.measured) << r.id;
    EXPECT_FALSE(r.worst) << r.id;
    EXPECT_FALSE(r.note_en.empty()) << r.id << ": an unmeasured indicator says why";
    EXPECT_FALSE(r.note_zh.empty()) << r.id;
  }
  EXPECT_EQ(indicator(rows, "compute_scale").group, GbtGroup::hardware);
  EXPECT_EQ(indicator(rows, "storage_performance").group, GbtGroup::infrastructure);
  EXPECT_EQ(indicator(rows, "compute_availability").group, GbtGroup::business);
  EXPECT_EQ(indicator(rows, "compute_scale").indicator_zh, "算力规模");
  EXPECT_EQ(indicator(rows, "network_scale").indicator_zh, "组网规模");
  EXPECT_EQ(indicator(rows, "compute_availability").indicator_zh, "算力可用度");
  EXPECT_EQ(gbt_group_name_zh(GbtGroup::business), "业务处理");
}

TEST(Gbt46346, TrainingAndInferenceAreNotMeasuredAndSaySo) {
  const auto rows = map_to_gbt46346(testing::fleet_summary());
  for (const char* id : {"training_performance", "inference_performance"}) {
    const auto& r = indicator(rows, id);
    EXPECT_FALSE(r.measured);
    EXPECT_TRUE(r.figures.empty());
    EXPECT_NE(r.note_en.find("not measured by assay"), std::string::npos) << r.note_en;
    EXPECT_NE(r.note_en.find("MLPerf"), std::string::npos) << r.note_en;
  }
  EXPECT_NE(indicator(rows, "storage_scale").note_en.find("not measured by assay"), std::string::npos);
}

TEST(Gbt46346, ComputeScaleSumsEachDeviceOnceOverNodesPreferringTheLoadedFigure) {
  Summary s;
  s.nodes = {{"a", "ok"}, {"b", "ok"}};
  // a: gpu0 alone 900 T and loaded 800 T, gpu1 only alone 850 T; b: gpu0 loaded 700 T.
  s.results.push_back(gemm_result("a", {flops("gpu.gemm.bf16", 900e12, "gpu0"), flops("gpu.gemm.bf16", 800e12, "gpu0@all"),
                                        flops("gpu.gemm.bf16", 850e12, "gpu1")}));
  s.results.push_back(gemm_result("b", {flops("gpu.gemm.bf16", 700e12, "gpu0@all"),
                                        flops("gpu.gemm.fp64", 60e12, "gpu0")}));
  // A failed self-check is not compute the centre has.
  ProbeResult bad = gemm_result("b", {flops("gpu.gemm.fp8", 1e15, "gpu0")});
  bad.validation = {true, false, "mismatch"};
  s.results.push_back(bad);
  // Derived peaks are not measurements.
  ProbeResult fma;
  fma.probe = "cpu.fma";
  fma.node = "a";
  fma.subject = "cpu";
  fma.metrics = {flops("cpu.fma.fp64", 2e11, ""), flops("cpu.fma.fp64_peak_derived", 3e11, "")};
  s.results.push_back(fma);

  const auto rows = map_to_gbt46346(s);
  const auto& r = indicator(rows, "compute_scale");
  EXPECT_TRUE(r.measured);
  const GbtFigure* bf16 = figure(r, "total gpu.gemm.bf16");
  ASSERT_NE(bf16, nullptr);
  EXPECT_DOUBLE_EQ(bf16->value, 800e12 + 850e12 + 700e12);
  EXPECT_EQ(bf16->nodes, 2u);
  EXPECT_EQ(bf16->unit, Unit::flop_per_s);
  EXPECT_EQ(bf16->label_zh, "gpu.gemm.bf16 合计");
  EXPECT_EQ(format_gbt_figure(*bf16), "2.35 PFLOP/s");
  ASSERT_NE(figure(r, "total gpu.gemm.fp64"), nullptr);
  EXPECT_EQ(figure(r, "total gpu.gemm.fp8"), nullptr);
  ASSERT_NE(figure(r, "total cpu.fma.fp64"), nullptr);
  EXPECT_EQ(figure(r, "total cpu.fma.fp64_peak_derived"), nullptr);
}

TEST(Gbt46346, WorstVerdictOfTheKeysThatFeedAnIndicator) {
  Summary s;
  Verdict pass;
  pass.key = "gpu.gemm.bf16";
  pass.status = VerdictStatus::pass;
  Verdict warn = pass;
  warn.status = VerdictStatus::warn;
  Verdict skipped;
  skipped.key = "gpu.gemm";  // the whole probe
  skipped.status = VerdictStatus::skip;
  Verdict other;
  other.key = "memory.stream.triad";
  other.status = VerdictStatus::fail;
  s.verdicts = {pass, warn, skipped, other};
  const auto rows = map_to_gbt46346(s);
  const auto& r = indicator(rows, "compute_scale");
  ASSERT_TRUE(r.worst);
  EXPECT_EQ(*r.worst, VerdictStatus::warn);
  EXPECT_EQ(r.verdicts, 3u);
}

TEST(Gbt46346, StatusOrderPutsFailFirst) {
  EXPECT_EQ(gbt_worse_status(VerdictStatus::pass, VerdictStatus::fail), VerdictStatus::fail);
  EXPECT_EQ(gbt_worse_status(VerdictStatus::error, VerdictStatus::fail), VerdictStatus::fail);
  EXPECT_EQ(gbt_worse_status(VerdictStatus::warn, VerdictStatus::error), VerdictStatus::error);
  EXPECT_EQ(gbt_worse_status(VerdictStatus::skip, VerdictStatus::warn), VerdictStatus::warn);
  EXPECT_EQ(gbt_worse_status(VerdictStatus::info, VerdictStatus::skip), VerdictStatus::skip);
  EXPECT_EQ(gbt_worse_status(VerdictStatus::info, VerdictStatus::pass), VerdictStatus::info);
}

TEST(Gbt46346, FleetRunFillsNetworkCommunicationAndAvailability) {
  const auto rows = map_to_gbt46346(testing::fleet_summary());

  const auto& network = indicator(rows, "network_scale");
  ASSERT_TRUE(network.measured);
  const GbtFigure* linked = figure(network, "nodes with a measured link");
  ASSERT_NE(linked, nullptr);
  EXPECT_EQ(linked->value, 3);  // gpu-020 never answered
  EXPECT_EQ(format_gbt_figure(*linked), "3");
  ASSERT_NE(figure(network, "node pairs measured"), nullptr);
  EXPECT_EQ(figure(network, "node pairs measured")->value, 3);

  const auto& comm = indicator(rows, "communication_performance");
  ASSERT_TRUE(comm.measured);
  const GbtFigure* worst_bw = figure(comm, "worst interconnect.p2p.bandwidth");
  ASSERT_NE(worst_bw, nullptr);
  EXPECT_DOUBLE_EQ(worst_bw->value, 3.0e9);
  const GbtFigure* worst_latency = figure(comm, "worst interconnect.p2p.latency");
  ASSERT_NE(worst_latency, nullptr);
  EXPECT_DOUBLE_EQ(worst_latency->value, 6.5e-6);
  // One collective over all nodes is one figure.
  const GbtFigure* busbw = figure(comm, "interconnect.allreduce.busbw");
  ASSERT_NE(busbw, nullptr);
  EXPECT_DOUBLE_EQ(busbw->value, 9.1e9);
  ASSERT_TRUE(comm.worst);
  EXPECT_EQ(*comm.worst, VerdictStatus::fail);

  const auto& avail = indicator(rows, "compute_availability");
  const GbtFigure* ok = figure(avail, "nodes ok / planned");
  ASSERT_NE(ok, nullptr);
  EXPECT_DOUBLE_EQ(ok->value, 0.75);
  EXPECT_EQ(format_gbt_figure(*ok), "75%");
  GbtFigure almost = *ok;
  almost.value = 9995.0 / 10000.0;
  EXPECT_EQ(format_gbt_figure(almost), "99.95%");
  almost.value = 99999.0 / 100000.0;
  EXPECT_EQ(format_gbt_figure(almost), "99.999%") << "never rounded up to all";
  ASSERT_TRUE(avail.worst);
  EXPECT_EQ(*avail.worst, VerdictStatus::error) << "the missing node's ERROR";

  EXPECT_FALSE(indicator(rows, "storage_performance").measured);
  EXPECT_NE(indicator(rows, "storage_performance").note_en.find("storage.seq"), std::string::npos);
}

TEST(Gbt46346, StoragePerformanceGivesAggregatesAsTheyAreAndPerNodeMedianAndWorst) {
  Summary s;
  for (const char* node : {"a", "b", "c"}) {
    ProbeResult r;
    r.probe = "storage.seq";
    r.node = node;
    r.subject = "storage";
    r.metrics = {make_metric("storage.seq.read", Unit::byte_per_s, Better::higher,
                             {std::string(node) == "c" ? 1e9 : 2e9})};
    if (std::string(node) == "a") {
      r.metrics.push_back(make_metric("storage.seq.read_aggregate", Unit::byte_per_s, Better::higher, {5e9},
                                      ValueRule::median, "fleet"));
    }
    s.results.push_back(r);
  }
  const auto rows = map_to_gbt46346(s);
  const auto& r = indicator(rows, "storage_performance");
  ASSERT_TRUE(r.measured);
  ASSERT_NE(figure(r, "storage.seq.read_aggregate"), nullptr);
  EXPECT_DOUBLE_EQ(figure(r, "storage.seq.read_aggregate")->value, 5e9);
  ASSERT_NE(figure(r, "median storage.seq.read"), nullptr);
  EXPECT_DOUBLE_EQ(figure(r, "median storage.seq.read")->value, 2e9);
  EXPECT_DOUBLE_EQ(figure(r, "worst storage.seq.read")->value, 1e9);
  EXPECT_EQ(figure(r, "worst storage.seq.read")->nodes, 3u);
}

}  // namespace
}  // namespace assay
