// The pattern gpu.hbm, gpu.pcie and gpu.p2p move: the closed-form sum the read kernel is
// checked against, and the host-side fill and compare the PCIe probe uses.
#include "probes/gpu/bandwidth_pattern.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace assay::gpu {
namespace {

std::uint64_t brute_sum(std::uint64_t count, std::uint64_t salt) {
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < count; ++i) sum += pattern_word(i, salt);
  return sum;
}

TEST(BandwidthPattern, ClosedFormSumEqualsTheWordByWordSumModTwoToTheSixtyFour) {
  for (std::uint64_t salt : {std::uint64_t{0}, kSourceSalt, kPeerSourceSalt, kWriteSaltBase + 7, ~std::uint64_t{0}}) {
    for (std::uint64_t count : {0u, 1u, 2u, 3u, 4u, 5u, 16u, 17u, 1000u, 1001u, 65535u, 65536u, 1000003u}) {
      EXPECT_EQ(pattern_sum(count, salt), brute_sum(count, salt)) << "count " << count << " salt " << salt;
    }
  }
}

TEST(BandwidthPattern, ClosedFormHoldsWhereTheTriangleNumberWrapsAround) {
  // count (count - 1) / 2 exceeds 2^64 from count ~ 6.1e9 on: the halving must happen
  // before the product wraps. Check against the recurrence sum(n+1) = sum(n) + word(n).
  for (std::uint64_t count : {std::uint64_t{1} << 33, (std::uint64_t{1} << 33) + 1, std::uint64_t{6'074'001'000},
                              (std::uint64_t{1} << 40) + 3}) {
    EXPECT_EQ(pattern_sum(count + 1, kSourceSalt), pattern_sum(count, kSourceSalt) + pattern_word(count, kSourceSalt))
        << count;
    EXPECT_EQ(pattern_sum(count + 2, kSourceSalt),
              pattern_sum(count, kSourceSalt) + pattern_word(count, kSourceSalt) + pattern_word(count + 1, kSourceSalt))
        << count;
  }
}

TEST(BandwidthPattern, WordsDifferByPositionAndBySalt) {
  // One-to-one in the index (the step is odd): a word in the wrong place never matches.
  EXPECT_EQ(kPatternStep % 2, 1u);
  for (std::uint64_t i = 0; i < 1000; ++i) {
    EXPECT_NE(pattern_word(i, kSourceSalt), pattern_word(i + 1, kSourceSalt));
    EXPECT_NE(pattern_word(i, kSourceSalt), pattern_word(i, kPoisonSalt));
    EXPECT_NE(pattern_word(i, kSourceSalt), pattern_word(i, kPeerSourceSalt));
    EXPECT_NE(pattern_word(i, kWriteSaltBase + 3), pattern_word(i, kWriteSaltBase + 4));
  }
  // gpu.hbm's per-round write salts never meet the source's or the poison's.
  for (std::uint64_t round = 0; round < 100'000; ++round) {
    EXPECT_NE(kWriteSaltBase + round, kSourceSalt);
    EXPECT_NE(kWriteSaltBase + round, kPoisonSalt);
  }
}

TEST(BandwidthPattern, FillAndCompareFindTheFirstWrongWord) {
  std::vector<std::uint64_t> words(4099);
  fill_pattern(words.data(), words.size(), kSourceSalt);
  EXPECT_FALSE(find_pattern_mismatch(words.data(), words.size(), kSourceSalt).has_value());
  const auto stale = find_pattern_mismatch(words.data(), words.size(), kPeerSourceSalt);
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->count, words.size());
  EXPECT_EQ(stale->first_index, 0u);

  words[1234] ^= 1;  // one flipped bit
  words[4000] = 0;
  const auto flipped = find_pattern_mismatch(words.data(), words.size(), kSourceSalt);
  ASSERT_TRUE(flipped.has_value());
  EXPECT_EQ(flipped->count, 2u);
  EXPECT_EQ(flipped->first_index, 1234u);
  EXPECT_EQ(flipped->first_value, pattern_word(1234, kSourceSalt) ^ 1);
  EXPECT_FALSE(find_pattern_mismatch(words.data(), 0, kSourceSalt).has_value());
}

}  // namespace
}  // namespace assay::gpu
