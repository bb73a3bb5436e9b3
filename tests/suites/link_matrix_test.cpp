#include "suites/link_matrix.h"

#include <gtest/gtest.h>

#include "suites/fleet_test_results.h"

namespace assay {
namespace {

using testing::link_metrics;
using testing::node_result;

const std::vector<NodeStatus> four_nodes = {{"a", "ok"}, {"b", "ok"}, {"c", "ok"}, {"d", "ok"}};

// Every pair of four nodes as the lower rank reports it, and each sender's reverse
// bandwidth; the pair (b, d) was never measured.
std::vector<ProbeResult> four_node_links() {
  const std::vector<std::string> names = {"a", "b", "c", "d"};
  std::vector<ProbeResult> results;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::vector<Metric> metrics;
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (i == j || (names[i] == "b" && names[j] == "d") || (names[i] == "d" && names[j] == "b")) continue;
      const double id = static_cast<double>(10 * i + j);  // tells the cells apart
      if (i < j) {
        for (auto& m : link_metrics(names[i], names[j], id * 1e-6, id * 1e9, id * 2e9)) metrics.push_back(m);
      } else {
        metrics.push_back(testing::bandwidth(names[i], names[j], id * 1e9));
      }
    }
    results.push_back(node_result(names[i], metrics, "interconnect.p2p"));
  }
  return results;
}

TEST(LinkSubject, ParsesBothArrows) {
  auto e = parse_link_subject("gpu-017<->gpu-018");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->from, "gpu-017");
  EXPECT_EQ(e->to, "gpu-018");
  EXPECT_TRUE(e->both_ways);
  e = parse_link_subject("host#0->host#1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->from, "host#0");
  EXPECT_EQ(e->to, "host#1");
  EXPECT_FALSE(e->both_ways);
  EXPECT_FALSE(parse_link_subject("cpu"));
  EXPECT_FALSE(parse_link_subject("->b"));
  EXPECT_FALSE(parse_link_subject("a->"));
  EXPECT_FALSE(parse_link_subject("a->a"));
  EXPECT_FALSE(parse_link_subject("a->b->c"));
}

TEST(LinkMatrix, FourNodesAllPairsAndOneMissing) {
  const auto m = build_link_matrix(four_nodes, four_node_links());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->nodes, (std::vector<std::string>{"a", "b", "c", "d"}));
  ASSERT_EQ(m->latency.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(m->latency[i].size(), 4u);
    EXPECT_FALSE(m->latency[i][i]);
    EXPECT_FALSE(m->bandwidth[i][i]);
    EXPECT_FALSE(m->bibandwidth[i][i]);
  }
  // Symmetric figures fill both cells from the lower rank's "a<->c".
  ASSERT_TRUE(m->latency[0][2]);
  EXPECT_DOUBLE_EQ(*m->latency[0][2], 2e-6);
  EXPECT_DOUBLE_EQ(*m->latency[2][0], 2e-6);
  EXPECT_DOUBLE_EQ(*m->bibandwidth[2][0], 4e9);
  // Bandwidth is directed: row = sender.
  EXPECT_DOUBLE_EQ(*m->bandwidth[0][2], 2e9);
  EXPECT_DOUBLE_EQ(*m->bandwidth[2][0], 20e9);
  EXPECT_DOUBLE_EQ(*m->bandwidth[3][2], 32e9);
  // b <-> d was never measured.
  EXPECT_FALSE(m->latency[1][3]);
  EXPECT_FALSE(m->latency[3][1]);
  EXPECT_FALSE(m->bandwidth[1][3]);
  EXPECT_FALSE(m->bandwidth[3][1]);
  EXPECT_FALSE(m->bibandwidth[1][3]);
  std::size_t measured = 0;
  for (const auto& r : m->bandwidth) {
    for (const auto& c : r) measured += c.has_value();
  }
  EXPECT_EQ(measured, 10u);
}

TEST(LinkMatrix, MissingNodeKeepsItsRowAndColumn) {
  std::vector<NodeStatus> nodes = four_nodes;
  nodes.push_back({"e", "missing"});
  const auto m = build_link_matrix(nodes, four_node_links());
  ASSERT_TRUE(m);
  ASSERT_EQ(m->nodes.size(), 5u);
  EXPECT_EQ(m->nodes[4], "e");
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_FALSE(m->bandwidth[4][i]);
    EXPECT_FALSE(m->bandwidth[i][4]);
  }
}

TEST(LinkMatrix, NodesNamedOnlyByALinkAreAdded) {
  const std::vector<NodeStatus> nodes = {{"a", "ok"}};
  const auto m = build_link_matrix(nodes, std::vector{node_result("a", link_metrics("a", "z", 1e-6, 1e9, 2e9))});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->nodes, (std::vector<std::string>{"a", "z"}));
  EXPECT_DOUBLE_EQ(*m->bandwidth[0][1], 1e9);
  EXPECT_FALSE(m->bandwidth[1][0]);
}

TEST(LinkMatrix, NoneWithoutLinkMetrics) {
  EXPECT_FALSE(build_link_matrix(four_nodes, std::vector{node_result("a", {testing::fp64(1e11)})}));
  ProbeResult failed = node_result("a", link_metrics("a", "b", 1e-6, 1e9, 2e9));
  failed.status = ProbeStatus::error;
  EXPECT_FALSE(build_link_matrix(four_nodes, std::vector{failed}));
}

}  // namespace
}  // namespace assay
