#include "suites/node_names.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(NodeNames, AHostWithOneRankKeepsItsName) {
  EXPECT_EQ(node_names({"gpu-001", "gpu-002"}), (std::vector<std::string>{"gpu-001", "gpu-002"}));
}

TEST(NodeNames, RanksSharingAHostAreNumberedInRankOrder) {
  EXPECT_EQ(node_names({"vm", "other", "vm", "vm"}),
            (std::vector<std::string>{"vm#0", "other", "vm#1", "vm#2"}));
}

TEST(NodeNames, EmptyWorldHasNoNames) { EXPECT_TRUE(node_names({}).empty()); }

}  // namespace
}  // namespace assay
