#include <gtest/gtest.h>

#include "probes/interconnect/bus_bandwidth.h"
#include "probes/interconnect/collective_probe.h"

namespace assay {
namespace {

TEST(BusBandwidth, FactorsAreNcclTests) {
  for (int n : {2, 3, 4, 8, 640}) {
    const double d = n;
    EXPECT_DOUBLE_EQ(bus_bandwidth_factor(Collective::allreduce, n), 2 * (d - 1) / d);
    EXPECT_DOUBLE_EQ(bus_bandwidth_factor(Collective::allgather, n), (d - 1) / d);
    EXPECT_DOUBLE_EQ(bus_bandwidth_factor(Collective::reduce_scatter, n), (d - 1) / d);
    EXPECT_DOUBLE_EQ(bus_bandwidth_factor(Collective::alltoall, n), (d - 1) / d);
    EXPECT_DOUBLE_EQ(bus_bandwidth_factor(Collective::broadcast, n), 1.0);
  }
  EXPECT_DOUBLE_EQ(bus_bandwidth_factor(Collective::allreduce, 2), 1.0);
  EXPECT_DOUBLE_EQ(bus_bandwidth_factor(Collective::allreduce, 8), 1.75);
}

TEST(BusBandwidth, AlgbwIsSizeOverTimeAndBusbwScalesIt) {
  EXPECT_DOUBLE_EQ(algorithm_bandwidth(1'000'000, 0.001), 1e9);
  EXPECT_DOUBLE_EQ(algorithm_bandwidth(1'000'000, 0), 0.0);
  // 8 ranks, 1 GB allreduce in 0.1 s: algbw 10 GB/s, busbw 17.5 GB/s.
  EXPECT_DOUBLE_EQ(bus_bandwidth(Collective::allreduce, 8, 1'000'000'000, 0.1), 17.5e9);
  EXPECT_DOUBLE_EQ(bus_bandwidth(Collective::allgather, 4, 1'000'000'000, 0.1), 7.5e9);
  EXPECT_DOUBLE_EQ(bus_bandwidth(Collective::broadcast, 4, 1'000'000'000, 0.1), 10e9);
}

TEST(CollectiveLayout, AllreduceAndBroadcastUseTheWholeVector) {
  const CollectiveLayout a = collective_layout(Collective::allreduce, 1 << 20, 3);
  EXPECT_EQ(a.size_bytes, 1 << 20);
  EXPECT_EQ(a.send_elements, (1u << 20) / 4);
  EXPECT_EQ(a.receive_elements, (1u << 20) / 4);
  const CollectiveLayout b = collective_layout(Collective::broadcast, 8, 4);
  EXPECT_EQ(b.size_bytes, 8);
  EXPECT_EQ(b.send_elements, 0u);
  EXPECT_EQ(b.receive_elements, 2u);
  // Below one float: one float.
  EXPECT_EQ(collective_layout(Collective::allreduce, 2, 2).size_bytes, 4);
}

TEST(CollectiveLayout, SplitCollectivesCountSizeAsNcclTestsDoes) {
  // allgather: size = what each rank receives; it sends one block.
  const CollectiveLayout g = collective_layout(Collective::allgather, 4096, 4);
  EXPECT_EQ(g.size_bytes, 4096);
  EXPECT_EQ(g.block_elements, 256u);
  EXPECT_EQ(g.send_elements, 256u);
  EXPECT_EQ(g.receive_elements, 1024u);
  // reduce_scatter: size = what each rank sends; it receives one block.
  const CollectiveLayout r = collective_layout(Collective::reduce_scatter, 4096, 4);
  EXPECT_EQ(r.size_bytes, 4096);
  EXPECT_EQ(r.send_elements, 1024u);
  EXPECT_EQ(r.receive_elements, 256u);
  // alltoall: both whole vectors of n blocks.
  const CollectiveLayout t = collective_layout(Collective::alltoall, 4096, 4);
  EXPECT_EQ(t.send_elements, 1024u);
  EXPECT_EQ(t.receive_elements, 1024u);
  EXPECT_EQ(t.block_elements, 256u);
}

TEST(CollectiveLayout, SplitCollectivesRoundDownToAMultipleOfTheRanksButNotToZero) {
  // 100 B = 25 floats over 3 ranks: 24 floats, 96 B.
  const CollectiveLayout g = collective_layout(Collective::allgather, 100, 3);
  EXPECT_EQ(g.receive_elements, 24u);
  EXPECT_EQ(g.size_bytes, 96);
  // 8 B = 2 floats over 4 ranks: one float each, grown to 16 B.
  const CollectiveLayout t = collective_layout(Collective::alltoall, 8, 4);
  EXPECT_EQ(t.block_elements, 1u);
  EXPECT_EQ(t.size_bytes, 16);
  const CollectiveLayout r = collective_layout(Collective::reduce_scatter, 8, 4);
  EXPECT_EQ(r.receive_elements, 1u);
  EXPECT_EQ(r.send_elements, 4u);
}

TEST(CollectiveSweep, DoublesFromMinToMaxAndEndsAtMax) {
  const auto sweep = collective_sweep(Collective::allreduce, 8, 100, 2);
  std::vector<std::int64_t> sizes;
  for (const CollectiveLayout& l : sweep) sizes.push_back(l.size_bytes);
  EXPECT_EQ(sizes, (std::vector<std::int64_t>{8, 16, 32, 64, 100}));
  const auto defaults = collective_sweep(Collective::allreduce, 8, 256 << 20, 4);
  EXPECT_EQ(defaults.size(), 26u);  // 8 B .. 256 MiB = 2^3 .. 2^28
  EXPECT_EQ(defaults.back().size_bytes, 256 << 20);
}

TEST(CollectiveSweep, SizesThatRoundAlikeAreKeptOnce) {
  // 4 ranks: 8 B and 16 B both become 16 B.
  const auto sweep = collective_sweep(Collective::allgather, 8, 64, 4);
  std::vector<std::int64_t> sizes;
  for (const CollectiveLayout& l : sweep) sizes.push_back(l.size_bytes);
  EXPECT_EQ(sizes, (std::vector<std::int64_t>{16, 32, 64}));
  EXPECT_EQ(collective_sweep(Collective::allreduce, 64, 64, 2).size(), 1u);
}

TEST(CollectiveSweep, BigSizesGetFewerIterations) {
  EXPECT_EQ(collective_iterations(8, 100), 100);
  EXPECT_EQ(collective_iterations(1 << 20, 100), 100);
  EXPECT_EQ(collective_iterations(2 << 20, 100), 50);
  EXPECT_EQ(collective_iterations(16 << 20, 100), 6);
  EXPECT_EQ(collective_iterations(256 << 20, 100), 5);
  EXPECT_EQ(collective_iterations(256 << 20, 3), 3);
  EXPECT_EQ(collective_warmup(8, 10), 10);
  EXPECT_EQ(collective_warmup(4 << 20, 10), 2);
  EXPECT_EQ(collective_warmup(256 << 20, 10), 1);
  EXPECT_EQ(collective_warmup(256 << 20, 0), 0);
}

}  // namespace
}  // namespace assay
