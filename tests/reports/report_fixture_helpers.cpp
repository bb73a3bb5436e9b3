#include "reports/report_fixture.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/iso_time.h"
#include "suites/run_summary.h"

namespace assay::testing {

Summary fixed_summary() {
  Summary s;
  s.plan_name = "Example AIDC, lot 3";
  s.plan_file = "lot3.toml";
  s.suite = "quick";
  s.assay = {"0.1.0", "v0.1.0-test", "Release", "GNU 12.2.0", "-O3", false, false};
  s.started = "2026-11-22T01:02:03.000Z";
  s.finished = "2026-11-22T01:02:40.000Z";
  s.nodes = {{"gpu-017", "ok"}};
  s.context.warnings = {"running under a hypervisor"};

  ProbeResult fma;
  fma.probe = "cpu.fma";
  fma.node = "gpu-017";
  fma.subject = "cpu";
  fma.params = {{"threads", std::int64_t{2}}, {"kernel", std::string("avx512")}};
  fma.start = *parse_iso_utc("2026-11-22T01:02:03.000Z");
  fma.end = *parse_iso_utc("2026-11-22T01:02:07.500Z");
  fma.metrics.push_back(make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher,
                                    {1.96e11, 1.97e11, 1.95e11, 1.96e11, 1.96e11}));
  fma.metrics.push_back(make_metric("cpu.fma.fp64_peak_derived", Unit::flop_per_s, Better::higher,
                                    {2.0e11, 2.0e11, 2.0e11, 2.0e11, 2.0e11}, ValueRule::median, "",
                                    "2 cores x 3.125 GHz x 32 FLOP/cycle"));
  fma.validation = {true, true, "every lane of 16 accumulators exact"};
  fma.notes = {"uarch AMD Zen 5"};

  ProbeResult stream;
  stream.probe = "memory.stream";
  stream.node = "gpu-017";
  stream.subject = "memory";
  stream.start = *parse_iso_utc("2026-11-22T01:02:08.000Z");
  stream.end = *parse_iso_utc("2026-11-22T01:02:10.000Z");
  stream.metrics.push_back(make_metric("memory.stream.triad", Unit::byte_per_s, Better::higher,
                                       {3.1e10, 3.3e10, 3.2e10}, ValueRule::best));
  stream.validation = {true, false, "a[17] = 2, expected 3"};
  stream.status = ProbeStatus::error;
  stream.error = "memory.stream: validation failed";

  ProbeResult gpu;
  gpu.probe = "gpu.gemm";
  gpu.node = "gpu-017";
  gpu.status = ProbeStatus::skipped;
  gpu.reason = "no CUDA device: driver not loaded";
  gpu.start = gpu.end = *parse_iso_utc("2026-11-22T01:02:10.000Z");
  s.results = {fma, stream, gpu};

  Verdict v1;
  v1.node = "gpu-017";
  v1.subject = "cpu";
  v1.key = "cpu.fma.fp64";
  v1.status = VerdictStatus::pass;
  v1.unit = Unit::flop_per_s;
  v1.measured = 1.96e11;
  v1.rated = 2.0e11;
  v1.ratio = 0.98;
  v1.criterion = "measured >= 0.90 x derived peak (200 GFLOP/s)";
  v1.source = "derived on gpu-017 (cpu.fma.fp64_peak_derived)";
  v1.derived = true;
  Verdict v2;
  v2.node = "gpu-017";
  v2.subject = "memory";
  v2.key = "memory.stream.validation";
  v2.status = VerdictStatus::fail;
  v2.criterion = "the probe's self-check must pass";
  v2.message = "a[17] = 2, expected 3";
  Verdict v3;
  v3.node = "gpu-017";
  v3.key = "gpu.gemm";
  v3.status = VerdictStatus::skip;
  v3.criterion = "probe skipped";
  v3.message = "no CUDA device: driver not loaded";
  s.verdicts = {v1, v2, v3};
  s.rated = {{"cpu.fma.fp64", Unit::flop_per_s, 2.0e11, v1.source, "2 cores x 3.125 GHz x 32 FLOP/cycle", true}};
  s.accepted = false;
  return s;
}

Json fixed_inventory() {
  return Json::parse(R"json({"schema": "assay.inventory/1", "nodes": [{"node": "gpu-017",
    "cpu": {"model_name": "AMD EPYC 9575F 64-Core Processor", "sockets": 2, "cores": 128, "logical_cpus": 256},
    "memory": {"total_bytes": 1649267441664}, "os": {"pretty_name": "Debian GNU/Linux 12 (bookworm)",
    "kernel": "6.1.0-28-amd64"}}]})json");
}

namespace {

Metric steady(const std::string& key, Unit unit, Better better, double value, std::string subject = {}) {
  return make_metric(key, unit, better, {value, value * 1.001, value * 0.999}, ValueRule::median,
                     std::move(subject));
}

ProbeResult fleet_result(const std::string& probe, const std::string& node, std::vector<Metric> metrics) {
  ProbeResult r;
  r.probe = probe;
  r.node = node;
  r.subject = probe == "cpu.fma" ? "cpu" : "network";
  r.start = *parse_iso_utc("2026-11-22T01:02:03.000Z");
  r.end = *parse_iso_utc("2026-11-22T01:02:05.000Z");
  r.metrics = std::move(metrics);
  r.validation = {true, true, "checked"};
  return r;
}

// The p2p figures the lower-ranked `a` reports for the pair (a, b).
std::vector<Metric> pair_metrics(const std::string& a, const std::string& b, double latency, double a_to_b,
                                 double bi) {
  return {steady("interconnect.p2p.latency", Unit::second, Better::lower, latency, a + "<->" + b),
          steady("interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher, a_to_b, a + "->" + b),
          steady("interconnect.p2p.bibandwidth", Unit::byte_per_s, Better::higher, bi, a + "<->" + b)};
}

Metric reverse(const std::string& from, const std::string& to, double value) {
  return steady("interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher, value, from + "->" + to);
}

}  // namespace

Summary fleet_summary() {
  Plan plan;
  plan.system.name = "Example AIDC, lot 3";
  plan.system.nodes = 4;
  plan.file = "lot3.toml";
  plan.catalog_resolved = true;
  PlanRatedFigure link;
  link.key = "interconnect.p2p.bandwidth";
  link.quantity = {12.5e9, Unit::byte_per_s};
  link.source = "contract 4.3 (100 Gb/s per port)";
  plan.rated = {link};

  const std::string a = "gpu-017", b = "gpu-018", c = "gpu-019", d = "gpu-020";
  std::vector<ProbeResult> results;
  results.push_back(fleet_result("cpu.fma", a, {steady("cpu.fma.fp64", Unit::flop_per_s, Better::higher, 1.96e11)}));
  results.push_back(fleet_result("cpu.fma", b, {steady("cpu.fma.fp64", Unit::flop_per_s, Better::higher, 1.97e11)}));
  results.push_back(fleet_result("cpu.fma", c, {steady("cpu.fma.fp64", Unit::flop_per_s, Better::higher, 1.62e11)}));
  ProbeResult lost = fleet_result("cpu.fma", d, {});
  lost.status = ProbeStatus::error;
  lost.validation = {};
  lost.error = "gpu-020 stopped answering during cpu.fma (no word for 60 s)";
  results.push_back(lost);

  std::vector<Metric> from_a = pair_metrics(a, b, 1.8e-6, 12.3e9, 24.4e9);
  for (auto& m : pair_metrics(a, c, 1.9e-6, 12.2e9, 24.3e9)) from_a.push_back(m);
  std::vector<Metric> from_b = pair_metrics(b, c, 6.5e-6, 3.0e9, 15.1e9);
  from_b.push_back(reverse(b, a, 12.4e9));
  results.push_back(fleet_result("interconnect.p2p", a, from_a));
  results.push_back(fleet_result("interconnect.p2p", b, from_b));
  results.push_back(fleet_result("interconnect.p2p", c, {reverse(c, a, 12.3e9), reverse(c, b, 12.1e9)}));
  results.push_back(fleet_result(
      "interconnect.allreduce", a,
      {steady("interconnect.allreduce.busbw", Unit::byte_per_s, Better::higher, 9.1e9, "fleet")}));

  const Catalog catalog;
  Summary s = summarize_run(plan, catalog, results, {{a, "ok"}, {b, "ok"}, {c, "ok"}, {d, "missing"}},
                            "2026-11-22T01:02:03.000Z", "2026-11-22T01:09:40.000Z", {});
  s.suite = "standard";
  s.assay = {"0.1.0", "v0.1.0-test", "Release", "GNU 12.2.0", "-O3", true, false};
  return s;
}

Json fleet_inventory() {
  Json inventory = fixed_inventory();
  Json node = inventory["nodes"][0];
  inventory["nodes"] = Json::array();
  for (const char* name : {"gpu-017", "gpu-018", "gpu-019"}) {
    node["node"] = name;
    inventory["nodes"].push_back(node);
  }
  // What the engine records for a node that never answered.
  inventory["nodes"].push_back({{"name", "gpu-020"}, {"status", "missing"}});
  return inventory;
}

void expect_matches_golden(const std::string& actual, const std::string& name) {
  const std::string path = std::string(ASSAY_SOURCE_DIR) + "/tests/reports/golden/" + name;
  if (std::getenv("ASSAY_UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    GTEST_SKIP() << "rewrote " << path << " (ASSAY_UPDATE_GOLDEN is set)";
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path << "; run the test with ASSAY_UPDATE_GOLDEN=1 to create it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "output differs from " << path
                                    << "; if the change is intended, rerun with ASSAY_UPDATE_GOLDEN=1 and review the diff";
}

}  // namespace assay::testing
