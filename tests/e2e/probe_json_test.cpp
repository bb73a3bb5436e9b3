// `assay probe NAME --json`: exactly the DESIGN.md result schema on stdout, nothing else.
#include <gtest/gtest.h>

#include <set>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

using testing::run_assay;

Json probe_json(const std::vector<std::string>& args) {
  const auto r = run_assay(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not only JSON:\n" << r.out;
  return j;
}

std::set<std::string> keys_of(const Json& result) {
  std::set<std::string> keys;
  for (const auto& m : result["metrics"]) keys.insert(m["key"].get<std::string>());
  return keys;
}

TEST(ProbeJson, CpuFmaHasTheDocumentedKeysAndUnits) {
  const Json j = probe_json({"probe", "cpu.fma", "--json", "--set", "repetitions=3", "--set", "seconds=0.05"});
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  const Json& r = j[0];
  EXPECT_EQ(r["schema"], "assay.result/1");
  EXPECT_EQ(r["probe"], "cpu.fma");
  EXPECT_EQ(r["status"], "ok");
  EXPECT_EQ(r["subject"], "cpu");
  for (const char* field : {"node", "params", "start", "end", "metrics"}) EXPECT_TRUE(r.contains(field)) << field;
  const auto keys = keys_of(r);
  for (const char* k : {"cpu.fma.fp64", "cpu.fma.fp32", "cpu.clock", "cpu.fma.fp64_peak_derived"}) {
    EXPECT_TRUE(keys.count(k)) << k;
  }
  for (const auto& m : r["metrics"]) {
    const std::string key = m["key"];
    EXPECT_EQ(m["unit"], key == "cpu.clock" ? "Hz" : "FLOP/s") << key;
    EXPECT_GT(m["value"].get<double>(), 0) << key;
    EXPECT_EQ(m["samples"].size(), 3u) << key;
    for (const char* s : {"n", "median", "min", "max", "cv"}) EXPECT_TRUE(m["stats"].contains(s)) << s;
  }
  EXPECT_EQ(r["params"]["repetitions"], 3);
  auto parsed = result_from_json(r, "stdout");
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
}

TEST(ProbeJson, GemmAndStreamEmitTheirKeys) {
  Json j = probe_json({"probe", "cpu.gemm", "--json", "--set", "n=256", "--set", "repetitions=2"});
  EXPECT_EQ(keys_of(j[0]), (std::set<std::string>{"cpu.gemm.fp64", "cpu.gemm.fp32"}));
  j = probe_json({"probe", "memory.stream", "--json", "--set", "elements=1000000", "--set", "repetitions=3"});
  EXPECT_EQ(keys_of(j[0]), (std::set<std::string>{"memory.stream.copy", "memory.stream.scale",
                                                   "memory.stream.add", "memory.stream.triad"}));
  for (const auto& m : j[0]["metrics"]) EXPECT_EQ(m["unit"], "B/s");
}

TEST(ProbeHuman, PrintsATableAndTheValidation) {
  const auto r = run_assay({"probe", "cpu.gemm", "--set", "n=256", "--set", "repetitions=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cpu.gemm.fp64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("validation: passed"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace assay
