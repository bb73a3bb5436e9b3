// interconnect.nccl's data (nccl_pattern.h): what each GPU sends and what every GPU
// must hold afterwards, for every collective, checked against the collectives' meaning
// computed here on the host from every rank's send buffer, element by element.
#include "probes/gpu/nccl_pattern.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "probes/gpu/nccl_plan.h"

namespace assay::gpu {
namespace {

// Rank `rank`'s send buffer as the device fills it.
std::vector<float> send_buffer(NcclCollective collective, int rank, int ranks, const NcclSize& size) {
  const NcclFill fill = nccl_send_fill(collective, rank, ranks, size);
  std::vector<float> data(size.send_elements);
  for (std::uint64_t i = 0; i < data.size(); ++i) data[i] = nccl_fill_value(fill, i);
  return data;
}

// What rank `rank` receives, by the collective's definition (NCCL's documentation),
// from every rank's send buffer; sums in double, exactly.
std::vector<double> reference(NcclCollective collective, int rank, int ranks, const NcclSize& size) {
  std::vector<std::vector<float>> sends;
  for (int r = 0; r < ranks; ++r) sends.push_back(send_buffer(collective, r, ranks, size));
  const std::uint64_t block = size.block_elements;
  std::vector<double> out(size.receive_elements, 0.0);
  for (std::uint64_t k = 0; k < out.size(); ++k) {
    switch (collective) {
      case NcclCollective::all_reduce:
        for (int r = 0; r < ranks; ++r) out[k] += sends[static_cast<std::size_t>(r)][k];
        break;
      case NcclCollective::reduce_scatter:
        for (int r = 0; r < ranks; ++r) out[k] += sends[static_cast<std::size_t>(r)][static_cast<std::uint64_t>(rank) * block + k];
        break;
      case NcclCollective::all_gather:
        out[k] = sends[static_cast<std::size_t>(k / block)][k % block];
        break;
      case NcclCollective::all_to_all:
        // Block q of the receive buffer is block `rank` of rank q's send buffer.
        out[k] = sends[static_cast<std::size_t>(k / block)][static_cast<std::uint64_t>(rank) * block + k % block];
        break;
    }
  }
  return out;
}

TEST(NcclPattern, ExpectedValuesMatchEveryCollectiveComputedFromEveryRanksData) {
  for (NcclCollective collective : kAllNcclCollectives) {
    for (int ranks : {2, 3, 5, 8}) {
      for (std::int64_t bytes : {std::int64_t{4}, std::int64_t{100}, std::int64_t{4096}, std::int64_t{10000}}) {
        const std::vector<NcclSize> sizes = nccl_sweep(collective, bytes, bytes, ranks);
        ASSERT_EQ(sizes.size(), 1u);
        const NcclSize& size = sizes[0];
        const NcclExpectation expectation(collective, ranks);
        for (int rank = 0; rank < ranks; ++rank) {
          const std::vector<double> want = reference(collective, rank, ranks, size);
          for (std::uint64_t k = 0; k < want.size(); ++k) {
            ASSERT_EQ(static_cast<double>(expectation.receive_value(rank, size, k)), want[k])
                << nccl_collective_name(collective) << " ranks " << ranks << " bytes " << bytes << " rank " << rank
                << " element " << k;
          }
        }
      }
    }
  }
}

TEST(NcclPattern, ValuesAreSmallIntegersExactInFloat) {
  for (int ranks : {2, 7, 1000, 541200, 1 << 20, 1 << 24}) {
    const std::uint32_t period = nccl_period(ranks);
    EXPECT_GE(period, 1u);
    EXPECT_LE(period, kNcclLargestPeriod);
    // The largest sum (every term at its top) stays where floats hold every integer.
    EXPECT_LE(static_cast<std::uint64_t>(ranks) * period, kNcclExactIntegers) << ranks;
  }
  EXPECT_EQ(nccl_period(2), 31u);
  EXPECT_EQ(nccl_period(1 << 24), 1u);
  for (std::uint64_t i = 0; i < 100000; i += 7) {
    const float moved = nccl_moved_value(i);
    EXPECT_GE(moved, 1.0f);
    EXPECT_LE(moved, static_cast<float>(kNcclExactIntegers - 1));
    EXPECT_EQ(moved, std::floor(moved));
    const float term = nccl_reduction_term(3, i, 31);
    EXPECT_GE(term, 1.0f);
    EXPECT_LE(term, 31.0f);
  }
}

TEST(NcclPattern, ReductionSumsDependOnThePositionAndNotOnlyOnTheRankCount) {
  // A block landing in the wrong place must change the expected values: the sums of a
  // few hundred neighbouring elements take many values, for a rank count that is a
  // multiple of the period too.
  for (int ranks : {2, 8, 31, 62, 1024}) {
    const NcclExpectation expectation(NcclCollective::all_reduce, ranks);
    std::set<float> sums;
    for (std::uint64_t i = 0; i < 500; ++i) sums.insert(expectation.reduction_sum(i));
    EXPECT_GT(sums.size(), 5u) << ranks;
  }
}

TEST(NcclPattern, MovedBlocksOfDifferentRanksDiffer) {
  // all_gather: rank r's block starts at r * block; neighbouring ranks' blocks differ
  // even when the block is a power of two (a position hash, not position mod 2^k).
  const std::uint64_t block = std::uint64_t{1} << 23;
  int same = 0;
  for (std::uint64_t j = 0; j < 64; ++j) same += nccl_moved_value(j) == nccl_moved_value(block + j) ? 1 : 0;
  EXPECT_LT(same, 2);
}

TEST(NcclPattern, CheckRunsCoverTheEndsAndBlockBoundariesInsideTheBuffer) {
  for (std::uint64_t elements : {std::uint64_t{1}, std::uint64_t{5}, std::uint64_t{8}, std::uint64_t{9},
                                 std::uint64_t{100}, std::uint64_t{4096}, std::uint64_t{1} << 28}) {
    for (std::uint64_t block : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{3}, elements / 8, elements}) {
      const auto runs = nccl_check_runs(elements, block);
      ASSERT_FALSE(runs.empty());
      EXPECT_LE(runs.size(), kNcclCheckRuns);
      EXPECT_EQ(runs.front().first, 0u);
      EXPECT_EQ(runs.back().first + runs.back().second, elements) << "the last element is checked";
      for (std::size_t i = 0; i < runs.size(); ++i) {
        EXPECT_GE(runs[i].second, 1u);
        EXPECT_LE(runs[i].second, kNcclCheckRun);
        EXPECT_LE(runs[i].first + runs[i].second, elements);
        if (i > 0) {
          EXPECT_GE(runs[i].first, runs[i - 1].first + runs[i - 1].second) << "sorted, not overlapping";
        }
      }
    }
  }
  // With 16 blocks of 1000, every block's first element is sampled.
  const auto runs = nccl_check_runs(16000, 1000);
  for (std::uint64_t b = 0; b < 16; ++b) {
    bool covered = false;
    for (const auto& [first, length] : runs) covered = covered || (first <= b * 1000 && b * 1000 < first + length);
    EXPECT_TRUE(covered) << "block " << b;
  }
}

}  // namespace
}  // namespace assay::gpu
