// summary.json: the fleet statistics and the link matrix, written and read strictly.

#include <gtest/gtest.h>

#include "core/result_json.h"

namespace assay {
namespace {

Summary fleet_summary() {
  Summary s;
  s.plan_name = "lot 3";
  s.assay.version = "0.1.0";
  s.started = "2026-11-22T01:02:03.000Z";
  s.finished = "2026-11-22T01:03:03.000Z";
  s.nodes = {{"a", "ok"}, {"b", "ok"}, {"c", "missing"}};
  FleetStat f;
  f.key = "interconnect.p2p.latency";
  f.unit = Unit::second;
  f.better = Better::lower;
  f.n = 3;
  f.nodes = 2;
  f.median = 2e-6;
  f.mean = 2.3e-6;
  f.min = 1.9e-6;
  f.max = 3e-6;
  f.cv = 0.25;
  f.mad = 1.4826e-7;
  f.outlier_limit = 2.44e-6;
  f.outliers = {{"a", "a<->c", 3e-6}};
  FleetStat g;
  g.key = "cpu.fma.fp64";
  g.unit = Unit::flop_per_s;
  g.n = 2;
  g.nodes = 2;
  g.median = g.mean = g.min = g.max = 1e11;
  FleetStat p;
  p.key = "power.powercap.watts";
  p.scope = "package-0 during cpu.fma";
  p.unit = Unit::watt;
  p.better = Better::lower;
  p.n = 2;
  p.nodes = 2;
  p.median = p.mean = p.min = p.max = 250;
  s.fleet = {g, f, p};
  LinkMatrix m;
  m.nodes = {"a", "b", "c"};
  m.latency = {{std::nullopt, 2e-6, 3e-6}, {2e-6, std::nullopt, std::nullopt}, {3e-6, std::nullopt, std::nullopt}};
  m.bandwidth = {{std::nullopt, 1.2e10, 1.1e10}, {1.25e10, std::nullopt, std::nullopt},
                 {std::nullopt, std::nullopt, std::nullopt}};
  m.bibandwidth = m.bandwidth;
  s.links = m;
  return s;
}

TEST(SummaryFleetJson, RoundTrips) {
  const Summary s = fleet_summary();
  const Json j = to_json(s);
  ASSERT_EQ(j["fleet"].size(), 3u);
  const Json& f = j["fleet"][1];
  EXPECT_FALSE(f.contains("scope")) << "only power groups have a scope";
  EXPECT_EQ(j["fleet"][2]["scope"], "package-0 during cpu.fma");
  EXPECT_EQ(f["key"], "interconnect.p2p.latency");
  EXPECT_EQ(f["unit"], "s");
  EXPECT_EQ(f["better"], "lower");
  EXPECT_EQ(f["n"], 3);
  EXPECT_EQ(f["outliers"][0]["subject"], "a<->c");
  EXPECT_TRUE(j["fleet"][0]["outlier_limit"].is_null());
  EXPECT_EQ(j["links"]["nodes"], Json::array({"a", "b", "c"}));
  EXPECT_TRUE(j["links"]["latency"][0][0].is_null());
  EXPECT_EQ(j["links"]["bandwidth"][1][0], 1.25e10);

  auto back = summary_from_json(Json::parse(j.dump()), "summary.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_json(*back), j);
  ASSERT_TRUE(back->links);
  EXPECT_EQ(back->links->latency, s.links->latency);
  EXPECT_EQ(back->fleet[1].outlier_limit, s.fleet[1].outlier_limit);
  EXPECT_FALSE(back->fleet[0].outlier_limit);
  EXPECT_EQ(back->fleet[2].scope, "package-0 during cpu.fma");
}

TEST(SummaryFleetJson, LinksAreOmittedWhenNothingWasMeasured) {
  Summary s = fleet_summary();
  s.links.reset();
  s.fleet.clear();
  const Json j = to_json(s);
  EXPECT_FALSE(j.contains("links"));
  EXPECT_EQ(j["fleet"], Json::array());
  auto back = summary_from_json(j, "summary.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->links);
}

TEST(SummaryFleetJson, OlderSummariesWithoutFleetStillRead) {
  Json j = to_json(fleet_summary());
  j.erase("fleet");
  j.erase("links");
  auto back = summary_from_json(j, "summary.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->fleet.empty());
}

std::string error_of(const Json& j) {
  auto back = summary_from_json(j, "summary.json");
  EXPECT_FALSE(back.ok()) << j.dump();
  return back.ok() ? "" : back.error().message;
}

TEST(SummaryFleetJson, BadFleetEntriesAreNamed) {
  Json j = to_json(fleet_summary());
  j["fleet"][1].erase("mad");
  EXPECT_EQ(error_of(j), "summary.json.fleet[1]: missing 'mad'");

  j = to_json(fleet_summary());
  j["fleet"][1].erase("outlier_limit");
  EXPECT_EQ(error_of(j), "summary.json.fleet[1]: missing 'outlier_limit' (a number, or null)");

  j = to_json(fleet_summary());
  j["fleet"][0]["outlier_limit"] = "high";
  EXPECT_NE(error_of(j).find("'outlier_limit' must be number"), std::string::npos);

  j = to_json(fleet_summary());
  j["fleet"][0]["better"] = "more";
  EXPECT_NE(error_of(j).find("'better' must be \"higher\" or \"lower\""), std::string::npos);

  j = to_json(fleet_summary());
  j["fleet"][0]["unit"] = "furlongs";
  EXPECT_EQ(error_of(j), "summary.json.fleet[0]: unknown unit 'furlongs'");

  j = to_json(fleet_summary());
  j["fleet"][0]["nodes"] = 1;
  EXPECT_NE(error_of(j).find("summary.json.fleet[0]: expected 2 <= nodes <= n"), std::string::npos);

  j = to_json(fleet_summary());
  j["fleet"][1]["outliers"][0].erase("subject");
  EXPECT_EQ(error_of(j), "summary.json.fleet[1].outliers[0]: missing 'subject'");

  j = to_json(fleet_summary());
  j["fleet"] = Json::object();
  EXPECT_NE(error_of(j).find("'fleet' must be array"), std::string::npos);
}

TEST(SummaryFleetJson, BadLinkMatricesAreNamed) {
  Json j = to_json(fleet_summary());
  j["links"]["latency"][2].erase(2);
  EXPECT_EQ(error_of(j), "summary.json.links.latency: expected 3 rows of 3 cells, each a number or null "
                         "(one row and column per entry of 'nodes')");

  j = to_json(fleet_summary());
  j["links"]["bandwidth"][0][1] = "12 GB/s";
  EXPECT_NE(error_of(j).find("summary.json.links.bandwidth: expected 3 rows"), std::string::npos);

  j = to_json(fleet_summary());
  j["links"].erase("bibandwidth");
  EXPECT_EQ(error_of(j), "summary.json.links: missing 'bibandwidth'");

  j = to_json(fleet_summary());
  j["links"]["nodes"][1] = 7;
  EXPECT_EQ(error_of(j), "summary.json.links.nodes: expected an array of node names");
}

}  // namespace
}  // namespace assay
