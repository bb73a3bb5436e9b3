#include "reports/report_fixture.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/iso_time.h"

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
