// The host-side arithmetic of gpu.hbm, gpu.pcie and gpu.p2p.
#include "probes/gpu/copy_figures.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace assay::gpu {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CopyFigures, RatesAreAmountOverSecondsAndAZeroTimeIsRefused) {
  const std::vector<double> seconds{0.5, 0.25};
  auto rates = rate_samples(1e9, seconds, "gpu.pcie.h2d gpu0");
  ASSERT_TRUE(rates) << rates.error().message;
  EXPECT_THAT(*rates, ElementsAre(2e9, 4e9));
  const std::vector<double> zero{0.5, 0.0};
  auto refused = rate_samples(1e9, zero, "gpu.pcie.h2d gpu0");
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("gpu.pcie.h2d gpu0"));
  EXPECT_THAT(refused.error().message, HasSubstr("larger size"));
}

TEST(CopyFigures, PcieCountsBothDirectionsOfBidir) {
  EXPECT_EQ(pcie_bytes_moved(PcieDirection::h2d, 1000), 1000.0);
  EXPECT_EQ(pcie_bytes_moved(PcieDirection::d2h, 1000), 1000.0);
  EXPECT_EQ(pcie_bytes_moved(PcieDirection::bidir, 1000), 2000.0);
  EXPECT_EQ(pcie_direction_name(PcieDirection::bidir), "bidir");
  EXPECT_EQ(pcie_pinned_bytes(1 << 20, 8, true), std::uint64_t{16} << 20);
  EXPECT_EQ(pcie_pinned_bytes(1 << 20, 8, false), std::uint64_t{2} << 20);
  EXPECT_EQ(pcie_pinned_bytes(1 << 20, 0, true), std::uint64_t{2} << 20);
}

TEST(CopyFigures, EveryOrderedPairOnceAndBothWaysOncePerUnorderedPair) {
  const std::vector<int> devices{0, 2, 3, 5};
  const auto pairs = p2p_pairs(devices);
  EXPECT_EQ(pairs.size(), 12u);  // n (n - 1)
  std::set<std::pair<int, int>> ordered, both_ways;
  for (const DevicePair& p : pairs) {
    EXPECT_NE(p.source, p.destination);
    EXPECT_TRUE(ordered.insert({p.source, p.destination}).second) << "twice: " << p.source << "->" << p.destination;
    if (p.bidirectional) {
      EXPECT_TRUE(both_ways.insert({std::min(p.source, p.destination), std::max(p.source, p.destination)}).second);
    }
  }
  EXPECT_EQ(both_ways.size(), 6u);  // n (n - 1) / 2
  EXPECT_EQ(pairs.front(), (DevicePair{0, 2, true}));
  EXPECT_EQ(pairs[3], (DevicePair{2, 0, false}));
  EXPECT_TRUE(p2p_pairs(std::vector<int>{1}).empty());
  EXPECT_THAT(p2p_pairs(std::vector<int>{4, 1}), ElementsAre(DevicePair{4, 1, true}, DevicePair{1, 4, false}));
}

TEST(CopyFigures, LinkSubjectsAreNamedAsTheLinkMatrixParsesThem) {
  EXPECT_EQ(link_subject(0, 3), "gpu0->gpu3");
  EXPECT_EQ(both_ways_subject(1, 2), "gpu1<->gpu2");
}

TEST(CopyFigures, MatrixLinesHaveAHeaderAndOneRowPerSource) {
  const std::vector<int> devices{0, 1};
  const std::map<std::pair<int, int>, double> cells{{{0, 1}, 371.24}, {{1, 0}, 12.5}};
  const auto lines = matrix_lines("bandwidth (GB/s):", devices, cells, 1);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "bandwidth (GB/s):");
  EXPECT_EQ(lines[1], " src\\dst     gpu0     gpu1");
  EXPECT_EQ(lines[2], "    gpu0        -    371.2");
  EXPECT_EQ(lines[3], "    gpu1     12.5        -");
}

TEST(CopyFigures, LaggingLinksAreNamedAgainstTheMedian) {
  const std::vector<std::pair<std::string, double>> bandwidths{
      {"gpu0->gpu1", 370e9}, {"gpu1->gpu0", 372e9}, {"gpu0->gpu2", 371e9}, {"gpu2->gpu0", 150e9}};
  EXPECT_THAT(lagging_subjects(bandwidths, true, 0.8), ElementsAre("gpu2->gpu0 at 0.40 of the median"));
  const std::vector<std::pair<std::string, double>> latencies{
      {"gpu0->gpu1", 2e-6}, {"gpu1->gpu0", 2e-6}, {"gpu0->gpu2", 5e-6}};
  EXPECT_THAT(lagging_subjects(latencies, false, 0.8), ElementsAre("gpu0->gpu2 at 2.50 of the median"));
  // Two links have no median worth comparing with.
  EXPECT_TRUE(lagging_subjects({{"gpu0->gpu1", 1.0}, {"gpu1->gpu0", 0.1}}, true, 0.8).empty());
}

TEST(CopyFigures, DeviceNoteNamesTheDevice) {
  Device d;
  d.index = 3;
  d.name = "NVIDIA H100 80GB HBM3";
  d.pci_bus_id = "00000000:19:00.0";
  d.uuid = "GPU-1234";
  d.cc_major = 9;
  d.multiprocessors = 132;
  d.memory_bytes = std::uint64_t{80} << 30;
  d.l2_bytes = std::uint64_t{50} << 20;
  const std::string note = device_note(d);
  EXPECT_THAT(note, HasSubstr("gpu3: NVIDIA H100 80GB HBM3"));
  EXPECT_THAT(note, HasSubstr("compute capability 9.0"));
  EXPECT_THAT(note, HasSubstr("132 SMs"));
  EXPECT_THAT(note, HasSubstr("PCI 00000000:19:00.0"));
  EXPECT_THAT(note, HasSubstr("GiB"));
}

}  // namespace
}  // namespace assay::gpu
