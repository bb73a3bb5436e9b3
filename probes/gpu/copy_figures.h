#pragma once
// The host-side arithmetic of gpu.hbm, gpu.pcie and gpu.p2p, pure so it is tested
// without a GPU: rates from bytes and times, which pairs of GPUs are measured and how
// their subjects are named, the p2p matrix as text, and which links fall short of
// their peers.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.h"
#include "probes/gpu/gpu_module.h"

namespace assay::gpu {

/// `amount` / seconds for every sample. A time that is not positive (a section too short
/// for CUDA events' resolution) is an error naming `what`, never an infinite rate.
Expected<std::vector<double>> rate_samples(double amount, std::span<const double> seconds, std::string_view what);

/// Bytes counted for gpu.pcie: h2d and d2h `bytes`, bidir 2 x `bytes` (both directions
/// at once, summed as nvbandwidth and p2pBandwidthLatencyTest sum them).
enum class PcieDirection { h2d, d2h, bidir };
inline constexpr PcieDirection kPcieDirections[] = {PcieDirection::h2d, PcieDirection::d2h, PcieDirection::bidir};
std::string_view pcie_direction_name(PcieDirection direction);  ///< "h2d", "d2h", "bidir"
double pcie_bytes_moved(PcieDirection direction, std::uint64_t bytes);

/// Pinned host memory gpu.pcie holds at once: two buffers of `bytes` per GPU, for every
/// selected GPU when they run at once.
std::uint64_t pcie_pinned_bytes(std::uint64_t bytes, std::size_t gpus, bool concurrent);

/// One measurement of gpu.p2p: copies from `source` to `destination`, and both ways at
/// once when `bidirectional`.
struct DevicePair {
  int source = 0;
  int destination = 0;
  bool bidirectional = false;
  friend bool operator==(const DevicePair&, const DevicePair&) = default;
};

/// Every ordered pair of distinct `devices`, sources in the order given and for each its
/// destinations in that order. The first of the two orders of each unordered pair also
/// measures both ways at once: the link is the same either way round.
std::vector<DevicePair> p2p_pairs(std::span<const int> devices);

/// "gpu0->gpu3" (a direction) and "gpu0<->gpu3" (both at once), as interconnect.p2p and
/// the link matrix name links.
std::string link_subject(int source, int destination);
std::string both_ways_subject(int a, int b);

/// A square matrix of one figure over `devices` for people, as p2pBandwidthLatencyTest
/// prints it: a header row, then one row per source ("-" on the diagonal and where a
/// cell has no value). `cells` maps (source, destination) to the figure already scaled
/// to the printed unit.
std::vector<std::string> matrix_lines(std::string_view title, std::span<const int> devices,
                                      const std::map<std::pair<int, int>, double>& cells, int decimals);

/// Subjects whose figure is worse than `fraction` of the median over all of them (below
/// fraction x median for bandwidths, above median / fraction for latencies), with how
/// far: "gpu2->gpu5 at 0.41 of the median". Needs at least 3 subjects to have a median
/// worth comparing with; empty otherwise.
std::vector<std::string> lagging_subjects(const std::vector<std::pair<std::string, double>>& values, bool higher_is_better,
                                          double fraction);

/// One line about a device for a result's notes: "gpu0: NVIDIA H100 80GB HBM3
/// (compute capability 9.0, 132 SMs, 79.2 GiB, L2 50 MiB, PCI 0000:17:00.0, GPU-...)".
std::string device_note(const Device& device);

}  // namespace assay::gpu
