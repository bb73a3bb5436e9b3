#include "probes/gpu/copy_figures.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/units.h"

namespace assay::gpu {

Expected<std::vector<double>> rate_samples(double amount, std::span<const double> seconds, std::string_view what) {
  std::vector<double> samples;
  samples.reserve(seconds.size());
  for (double s : seconds) {
    if (!(s > 0)) {
      return environment_error(fmt::format("{}: a timed section took {} s, below what CUDA events resolve; give a "
                                           "larger size",
                                           what, s));
    }
    samples.push_back(amount / s);
  }
  return samples;
}

std::string_view pcie_direction_name(PcieDirection direction) {
  switch (direction) {
    case PcieDirection::h2d: return "h2d";
    case PcieDirection::d2h: return "d2h";
    case PcieDirection::bidir: return "bidir";
  }
  return "?";
}

double pcie_bytes_moved(PcieDirection direction, std::uint64_t bytes) {
  const auto n = static_cast<double>(bytes);
  return direction == PcieDirection::bidir ? 2 * n : n;
}

std::uint64_t pcie_pinned_bytes(std::uint64_t bytes, std::size_t gpus, bool concurrent) {
  return 2 * bytes * (concurrent ? std::max<std::uint64_t>(gpus, 1) : 1);
}

std::vector<DevicePair> p2p_pairs(std::span<const int> devices) {
  std::vector<DevicePair> pairs;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    for (std::size_t j = 0; j < devices.size(); ++j) {
      if (i == j) continue;
      // Both ways at once from the pair's first listed device only.
      pairs.push_back({devices[i], devices[j], i < j});
    }
  }
  return pairs;
}

std::string link_subject(int source, int destination) { return fmt::format("gpu{}->gpu{}", source, destination); }

std::string both_ways_subject(int a, int b) { return fmt::format("gpu{}<->gpu{}", a, b); }

std::vector<std::string> matrix_lines(std::string_view title, std::span<const int> devices,
                                      const std::map<std::pair<int, int>, double>& cells, int decimals) {
  constexpr int width = 9;
  std::vector<std::string> lines{std::string(title)};
  std::string header = fmt::format("{:>8}", "src\\dst");
  for (int d : devices) header += fmt::format("{:>{}}", fmt::format("gpu{}", d), width);
  lines.push_back(header);
  for (int s : devices) {
    std::string row = fmt::format("{:>8}", fmt::format("gpu{}", s));
    for (int d : devices) {
      const auto cell = cells.find({s, d});
      row += cell == cells.end() ? fmt::format("{:>{}}", "-", width)
                                 : fmt::format("{:>{}.{}f}", cell->second, width, decimals);
    }
    lines.push_back(row);
  }
  return lines;
}

std::vector<std::string> lagging_subjects(const std::vector<std::pair<std::string, double>>& values, bool higher_is_better,
                                          double fraction) {
  std::vector<std::string> lagging;
  if (values.size() < 3) return lagging;
  std::vector<double> sorted;
  for (const auto& [subject, value] : values) sorted.push_back(value);
  std::sort(sorted.begin(), sorted.end());
  const std::size_t half = sorted.size() / 2;
  const double median = sorted.size() % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
  if (!(median > 0)) return lagging;
  for (const auto& [subject, value] : values) {
    const double ratio = value / median;
    const bool behind = higher_is_better ? ratio < fraction : ratio > 1 / fraction;
    if (behind) lagging.push_back(fmt::format("{} at {:.2f} of the median", subject, ratio));
  }
  return lagging;
}

std::string device_note(const Device& device) {
  return fmt::format("gpu{}: {} (compute capability {}.{}, {} SMs, {}, L2 {}, PCI {}, {})", device.index, device.name,
                     device.cc_major, device.cc_minor, device.multiprocessors,
                     format_quantity(static_cast<double>(device.memory_bytes), Unit::byte),
                     format_quantity(static_cast<double>(device.l2_bytes), Unit::byte), device.pci_bus_id, device.uuid);
}

}  // namespace assay::gpu
