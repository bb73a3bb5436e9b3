#include "core/result_json.h"

#include <gtest/gtest.h>

#include "core/iso_time.h"

namespace assay {
namespace {

ProbeResult sample_result() {
  ProbeResult r;
  r.probe = "cpu.fma";
  r.node = "gpu-017";
  r.subject = "cpu";
  r.params = {{"threads", std::int64_t{2}}, {"seconds", 0.5}, {"kernel", std::string("avx512")},
              {"nt_stores", true}};
  r.start = *parse_iso_utc("2026-11-22T01:02:03.000Z");
  r.end = *parse_iso_utc("2026-11-22T01:02:05.250Z");
  r.metrics.push_back(make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher, {1.22e11, 1.23e11, 1.23e11}));
  r.metrics.push_back(make_metric("memory.stream.triad", Unit::byte_per_s, Better::higher, {1e10, 3e10, 2e10},
                                  ValueRule::best, "socket0", "best of 3"));
  r.validation = {true, true, "every lane exact"};
  r.notes = {"kernel avx512"};
  return r;
}

TEST(ResultJson, HasTheDesignDocumentFields) {
  const Json j = to_json(sample_result());
  EXPECT_EQ(j["schema"], "assay.result/1");
  EXPECT_EQ(j["probe"], "cpu.fma");
  EXPECT_EQ(j["node"], "gpu-017");
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["params"]["threads"], 2);
  EXPECT_EQ(j["start"], "2026-11-22T01:02:03.000Z");
  const Json& m = j["metrics"][0];
  EXPECT_EQ(m["key"], "cpu.fma.fp64");
  EXPECT_EQ(m["unit"], "FLOP/s");
  EXPECT_EQ(m["better"], "higher");
  EXPECT_DOUBLE_EQ(m["value"].get<double>(), 1.23e11);
  EXPECT_EQ(m["samples"].size(), 3u);
  EXPECT_EQ(m["stats"]["n"], 3);
  EXPECT_FALSE(m.contains("subject"));
  EXPECT_EQ(j["metrics"][1]["subject"], "socket0");
  EXPECT_EQ(j["metrics"][1]["value_rule"], "best");
  EXPECT_DOUBLE_EQ(j["metrics"][1]["value"].get<double>(), 3e10);
  EXPECT_FALSE(j.contains("reason"));
  EXPECT_FALSE(j.contains("error"));
}

TEST(ResultJson, RoundTripsThroughText) {
  const ProbeResult r = sample_result();
  const Json j = Json::parse(to_json_line(r));
  auto back = result_from_json(j, "test");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_json(*back), to_json(r));
  EXPECT_EQ(std::get<std::int64_t>(back->params[0].value), 2);
  EXPECT_DOUBLE_EQ(std::get<double>(back->params[1].value), 0.5);
  EXPECT_TRUE(std::get<bool>(back->params[3].value));
}

TEST(ResultJson, TablesRoundTripAndAreOmittedWhenEmpty) {
  ProbeResult r = sample_result();
  EXPECT_FALSE(to_json(r).contains("tables"));
  r.tables.push_back({"sweep", {{"bytes", Unit::byte}, {"busbw", Unit::byte_per_s}}, {{8, 1e6}, {1024, 2e9}}});
  const Json j = to_json(r);
  EXPECT_EQ(j["tables"][0]["columns"][1]["unit"], "B/s");
  auto back = result_from_json(Json::parse(j.dump()), "test");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->tables.size(), 1u);
  EXPECT_EQ(back->tables[0].rows[1][0], 1024);
  EXPECT_EQ(to_json(*back), j);
}

TEST(ResultJson, RaggedTableRowsAreNamed) {
  ProbeResult r = sample_result();
  r.tables.push_back({"sweep", {{"bytes", Unit::byte}, {"busbw", Unit::byte_per_s}}, {{8, 1e6}}});
  Json j = to_json(r);
  j["tables"][0]["rows"][0] = Json::array({8});
  auto back = result_from_json(j, "line 3");
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("line 3.tables[0].rows[0]: must be an array of 2 numbers"),
            std::string::npos)
      << back.error().message;
}

TEST(ResultJson, StatisticsAreRederivedFromSamplesNotTrusted) {
  Json j = to_json(sample_result());
  j["metrics"][0]["value"] = 9.9e99;
  j["metrics"][0]["stats"]["median"] = 9.9e99;
  auto back = result_from_json(j, "test");
  ASSERT_TRUE(back.ok());
  EXPECT_DOUBLE_EQ(back->metrics[0].value, 1.23e11);
}

TEST(ResultJson, SkippedAndErrorCarryTheirReason) {
  ProbeResult r = sample_result();
  r.status = ProbeStatus::skipped;
  r.reason = "no CUDA device";
  Json j = to_json(r);
  EXPECT_EQ(j["reason"], "no CUDA device");
  r.status = ProbeStatus::error;
  r.error = "validation failed";
  j = to_json(r);
  EXPECT_EQ(j["error"], "validation failed");
  EXPECT_FALSE(j.contains("reason"));
}

TEST(ResultJson, BadFieldsAreNamed) {
  Json j = to_json(sample_result());
  j["metrics"][0]["samples"] = "many";
  auto r = result_from_json(j, "journal.jsonl line 3");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("journal.jsonl line 3.metrics[0]"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("samples"), std::string::npos);

  j = to_json(sample_result());
  j["metrics"][0]["unit"] = "furlongs";
  r = result_from_json(j, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("furlongs"), std::string::npos);

  j = to_json(sample_result());
  j.erase("node");
  r = result_from_json(j, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing 'node'"), std::string::npos);

  j = to_json(sample_result());
  j["schema"] = "assay.result/9";
  r = result_from_json(j, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("assay.result/1"), std::string::npos);
}

TEST(SummaryJson, RoundTrips) {
  Summary s;
  s.plan_name = "lot 3";
  s.plan_file = "plan.toml";
  s.suite = "quick";
  s.assay.version = "0.1.0";
  s.started = "2026-11-22T01:02:03.000Z";
  s.finished = "2026-11-22T01:03:03.000Z";
  s.nodes = {{"gpu-017", "ok"}, {"gpu-018", "missing"}};
  s.results = {sample_result()};
  Verdict v;
  v.node = "gpu-017";
  v.subject = "cpu";
  v.key = "cpu.fma.fp64";
  v.status = VerdictStatus::fail;
  v.unit = Unit::flop_per_s;
  v.measured = 1.23e11;
  v.rated = 2e11;
  v.ratio = 0.615;
  v.criterion = "measured >= 0.90 x rated";
  s.verdicts = {v};
  s.rated = {{"cpu.fma.fp64", Unit::flop_per_s, 2e11, "contract", "", false}};
  s.context.warnings = {"hypervisor"};
  s.accepted = false;
  const Json j = to_json(s);
  EXPECT_EQ(j["schema"], "assay.summary/1");
  EXPECT_EQ(j["counts"]["FAIL"], 1);
  EXPECT_EQ(j["verdicts"][0]["status"], "FAIL");
  EXPECT_TRUE(j["verdicts"][0]["inconclusive"].is_boolean());
  auto back = summary_from_json(Json::parse(j.dump()), "summary.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_json(*back), j);
}

TEST(SummaryJson, MissingMeasuredIsNull) {
  Verdict v;
  v.status = VerdictStatus::skip;
  const Json j = to_json(v);
  EXPECT_TRUE(j["measured"].is_null());
  auto back = verdict_from_json(j, "v");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->measured.has_value());
}

}  // namespace
}  // namespace assay
