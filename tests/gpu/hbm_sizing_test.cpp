// gpu.hbm's array sizes and byte counting.
#include "probes/gpu/hbm_sizing.h"

#include <gtest/gtest.h>

namespace assay::gpu {
namespace {

constexpr std::uint64_t MiB = std::uint64_t{1} << 20, GiB = std::uint64_t{1} << 30;

TEST(HbmSizing, BytesAreCountedAsBabelStreamCountsThem) {
  EXPECT_EQ(hbm_bytes_moved(HbmKernel::read, GiB), static_cast<double>(GiB));
  EXPECT_EQ(hbm_bytes_moved(HbmKernel::write, GiB), static_cast<double>(GiB));
  EXPECT_EQ(hbm_bytes_moved(HbmKernel::copy, GiB), 2.0 * static_cast<double>(GiB));
  EXPECT_EQ(hbm_metric_key(HbmKernel::read), "gpu.hbm.read");
  EXPECT_EQ(hbm_metric_key(HbmKernel::write), "gpu.hbm.write");
  EXPECT_EQ(hbm_metric_key(HbmKernel::copy), "gpu.hbm.copy");
}

TEST(HbmSizing, DefaultArraysAreFarLargerThanTheL2AndLeaveMostMemoryFree) {
  // H100 SXM: 80 GB, 50 MB L2 -> 1 GiB (8x the L2 is less).
  EXPECT_EQ(hbm_default_array_bytes(80 * GiB, 50 * MiB), GiB);
  // B200: 180 GB, 126 MB L2 -> 1 GiB still (8 x 126 MiB = 1008 MiB).
  EXPECT_EQ(hbm_default_array_bytes(180 * GiB, 126 * MiB), GiB);
  // A cache of 256 MiB would need 2 GiB arrays.
  EXPECT_EQ(hbm_default_array_bytes(192 * GiB, 256 * MiB), 2 * GiB);
  // A small GPU: at most an eighth of its memory per array, in 2 MiB steps.
  EXPECT_EQ(hbm_default_array_bytes(4 * GiB, 4 * MiB), 512 * MiB);
  EXPECT_EQ(hbm_default_array_bytes(6 * GiB + 5, 4 * MiB), 768 * MiB);
  EXPECT_EQ(hbm_default_array_bytes(6 * GiB + 5, 4 * MiB) % (2 * MiB), 0u);
  // Never below the probe's own minimum, even for an unknown memory size.
  EXPECT_EQ(hbm_default_array_bytes(0, 0), kHbmMinArrayBytes);
  for (std::uint64_t memory : {2 * GiB, 16 * GiB, 80 * GiB, 141 * GiB}) {
    const std::uint64_t bytes = hbm_default_array_bytes(memory, 50 * MiB);
    EXPECT_TRUE(hbm_arrays_fit(bytes, memory)) << memory;
    EXPECT_EQ(bytes % 16, 0u);
  }
}

TEST(HbmSizing, ArraysAreWholeVectorsAndMustFitTwiceInMemory) {
  EXPECT_EQ(hbm_round_array_bytes(1000), 992u);
  EXPECT_EQ(hbm_round_array_bytes(1024), 1024u);
  EXPECT_EQ(hbm_round_array_bytes(15), 0u);
  EXPECT_TRUE(hbm_arrays_fit(35 * GiB, 80 * GiB));
  EXPECT_FALSE(hbm_arrays_fit(37 * GiB, 80 * GiB));
  EXPECT_FALSE(hbm_arrays_fit(1, 0));
}

}  // namespace
}  // namespace assay::gpu
