#include "suites/fleet_stats.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(GroupSpread, MedianCvAndScaledMad) {
  const std::vector<double> v{10, 11, 12, 13, 14};
  const GroupSpread g = group_spread(v, Better::higher, 3.0);
  EXPECT_EQ(g.n, 5u);
  EXPECT_DOUBLE_EQ(g.median, 12);
  EXPECT_DOUBLE_EQ(g.mean, 12);
  EXPECT_DOUBLE_EQ(g.min, 10);
  EXPECT_DOUBLE_EQ(g.max, 14);
  // Sample stdev of 10..14 is sqrt(2.5).
  EXPECT_NEAR(g.cv, std::sqrt(2.5) / 12, 1e-12);
  // Deviations 2 1 0 1 2: raw MAD 1.
  EXPECT_DOUBLE_EQ(g.mad, mad_to_sigma);
  EXPECT_DOUBLE_EQ(g.outlier_unit, mad_to_sigma);
  ASSERT_TRUE(g.outlier_limit);
  EXPECT_DOUBLE_EQ(*g.outlier_limit, 12 - 3 * mad_to_sigma);
  EXPECT_TRUE(g.outliers.empty());
}

TEST(GroupSpread, OutlierBelowTheMedianWhenHigherIsBetter) {
  const std::vector<double> v{100, 101, 99, 100, 80, 120};
  const GroupSpread g = group_spread(v, Better::higher, 3.0);
  // 120 is far above, which is good for a higher-is-better figure.
  ASSERT_EQ(g.outliers.size(), 1u);
  EXPECT_EQ(g.outliers[0], 4u);
}

TEST(GroupSpread, OutlierAboveTheMedianWhenLowerIsBetter) {
  const std::vector<double> v{100, 101, 99, 100, 80, 120};
  const GroupSpread g = group_spread(v, Better::lower, 3.0);
  ASSERT_EQ(g.outliers.size(), 1u);
  EXPECT_EQ(g.outliers[0], 5u);
  EXPECT_GT(*g.outlier_limit, g.median);
}

TEST(GroupSpread, IdenticalValuesUseTheFloorNotAZeroMad) {
  // Raw MAD 0: without the floor the 0.1% deviation would be infinitely many MADs away.
  const std::vector<double> v{1000, 1000, 1000, 1000, 999};
  const GroupSpread g = group_spread(v, Better::higher, 3.0);
  EXPECT_DOUBLE_EQ(g.mad, 0);
  EXPECT_DOUBLE_EQ(g.outlier_unit, mad_floor_fraction * 1000);
  EXPECT_TRUE(g.outliers.empty());
  // Beyond 3 x 1% of the median, it is an outlier.
  const std::vector<double> w{1000, 1000, 1000, 1000, 969};
  EXPECT_EQ(group_spread(w, Better::higher, 3.0).outliers, std::vector<std::size_t>{4});
  const std::vector<double> x{1000, 1000, 1000, 1000, 971};
  EXPECT_TRUE(group_spread(x, Better::higher, 3.0).outliers.empty());
}

TEST(GroupSpread, AllEqualHasNoSpreadAndNoOutliers) {
  const std::vector<double> v{5, 5, 5};
  const GroupSpread g = group_spread(v, Better::higher, 3.0);
  EXPECT_DOUBLE_EQ(g.cv, 0);
  EXPECT_TRUE(g.outliers.empty());
}

TEST(GroupSpread, TwoEntriesJudgeNoOutliers) {
  const std::vector<double> v{100, 10};
  const GroupSpread g = group_spread(v, Better::higher, 3.0);
  EXPECT_FALSE(g.outlier_limit);
  EXPECT_TRUE(g.outliers.empty());
  EXPECT_GT(g.cv, 0.5);
}

TEST(GroupSpread, ZeroMedianNeverDividesByZero) {
  const std::vector<double> v{0, 0, 0, 1};
  const GroupSpread g = group_spread(v, Better::lower, 3.0);
  EXPECT_DOUBLE_EQ(g.outlier_unit, 0);
  EXPECT_EQ(g.outliers, std::vector<std::size_t>{3});
}

TEST(GroupSpread, FewerMadsFlagMore) {
  const std::vector<double> v{100, 102, 98, 101, 99, 93};
  EXPECT_TRUE(group_spread(v, Better::higher, 3.0).outliers.empty());
  EXPECT_EQ(group_spread(v, Better::higher, 2.0).outliers, std::vector<std::size_t>{5});
}

}  // namespace
}  // namespace assay
