#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "probes/interconnect/round_robin.h"

namespace assay {
namespace {

TEST(RoundRobin, RoundCountIsNMinusOneWhenEvenAndNWhenOdd) {
  EXPECT_EQ(round_robin_rounds(0), 0);
  EXPECT_EQ(round_robin_rounds(1), 0);
  EXPECT_EQ(round_robin_rounds(2), 1);
  EXPECT_EQ(round_robin_rounds(3), 3);
  EXPECT_EQ(round_robin_rounds(4), 3);
  EXPECT_EQ(round_robin_rounds(63), 63);
  EXPECT_EQ(round_robin_rounds(64), 63);
}

// The whole contract for every N from 2 to 64: every pair exactly once, nobody twice in
// a round, the bye (odd N only) to a different node each round, and partner, pairs and
// bye agreeing with each other.
TEST(RoundRobin, EveryPairExactlyOnceAndNoNodeTwiceInARound) {
  for (int n = 2; n <= 64; ++n) {
    SCOPED_TRACE("nodes = " + std::to_string(n));
    const int rounds = round_robin_rounds(n);
    ASSERT_EQ(rounds, n % 2 == 0 ? n - 1 : n);
    std::set<std::pair<int, int>> met;
    std::set<int> byes;
    for (int round = 0; round < rounds; ++round) {
      const std::vector<RoundPair> pairs = round_robin_pairs(n, round);
      ASSERT_EQ(pairs.size(), static_cast<std::size_t>(n / 2)) << "round " << round;
      std::set<int> playing;
      for (const RoundPair& p : pairs) {
        ASSERT_LT(p.a, p.b);
        ASSERT_GE(p.a, 0);
        ASSERT_LT(p.b, n);
        EXPECT_TRUE(playing.insert(p.a).second) << "node " << p.a << " twice in round " << round;
        EXPECT_TRUE(playing.insert(p.b).second) << "node " << p.b << " twice in round " << round;
        EXPECT_TRUE(met.insert({p.a, p.b}).second) << p.a << "-" << p.b << " met twice";
        EXPECT_EQ(round_robin_partner(n, round, p.a), p.b);
        EXPECT_EQ(round_robin_partner(n, round, p.b), p.a);
      }
      const std::optional<int> bye = round_robin_bye(n, round);
      if (n % 2 == 0) {
        EXPECT_FALSE(bye.has_value());
        EXPECT_EQ(playing.size(), static_cast<std::size_t>(n));
      } else {
        ASSERT_TRUE(bye.has_value());
        EXPECT_FALSE(playing.count(*bye)) << "the bye also plays in round " << round;
        EXPECT_FALSE(round_robin_partner(n, round, *bye).has_value());
        EXPECT_EQ(playing.size() + 1, static_cast<std::size_t>(n));
        EXPECT_TRUE(byes.insert(*bye).second) << "node " << *bye << " has two byes";
      }
    }
    EXPECT_EQ(met.size(), static_cast<std::size_t>(n * (n - 1) / 2));
  }
}

TEST(RoundRobin, OutOfRangeArgumentsHaveNoPartner) {
  EXPECT_FALSE(round_robin_partner(4, -1, 0).has_value());
  EXPECT_FALSE(round_robin_partner(4, 3, 0).has_value());
  EXPECT_FALSE(round_robin_partner(4, 0, 4).has_value());
  EXPECT_FALSE(round_robin_partner(4, 0, -1).has_value());
  EXPECT_FALSE(round_robin_partner(1, 0, 0).has_value());
  EXPECT_TRUE(round_robin_pairs(1, 0).empty());
  EXPECT_TRUE(round_robin_pairs(4, 3).empty());
}

TEST(RoundRobin, TwoNodesMeetInTheOnlyRound) {
  EXPECT_EQ(round_robin_pairs(2, 0), (std::vector<RoundPair>{{0, 1}}));
}

// Thousands of nodes: a node's partner is computed on demand, and still every
// opponent appears once.
TEST(RoundRobin, ALargeFleetGivesEachNodeEveryOpponentOnce) {
  for (int n : {4095, 4096}) {
    for (int node : {0, 1, n / 2, n - 1}) {
      std::set<int> opponents;
      int byes = 0;
      for (int round = 0; round < round_robin_rounds(n); ++round) {
        if (auto partner = round_robin_partner(n, round, node)) {
          EXPECT_TRUE(opponents.insert(*partner).second);
        } else {
          ++byes;
        }
      }
      EXPECT_EQ(opponents.size(), static_cast<std::size_t>(n - 1));
      EXPECT_FALSE(opponents.count(node));
      EXPECT_EQ(byes, n % 2);
    }
  }
}

}  // namespace
}  // namespace assay
