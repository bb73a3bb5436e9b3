#include "probes/gpu/gpu_numa.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace assay::gpu {
namespace {

namespace fs = std::filesystem;

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

bool parse_hex(std::string_view text, unsigned& value) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_int(std::string_view text, int& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// "0-27,56-83": the kernel's own cpulist form, short for a socket's CPUs.
std::string ranges_text(const std::vector<int>& cpus) {
  std::string text;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    text += (text.empty() ? "" : ",") + (i == j ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]));
    i = j + 1;
  }
  return text;
}

}  // namespace

std::string sysfs_pci_address(std::string_view bus_id) {
  // domain:bus:device.function, all hex.
  const auto first = bus_id.find(':'), second = bus_id.rfind(':'), dot = bus_id.rfind('.');
  if (first == std::string_view::npos || second == first || dot == std::string_view::npos || dot < second) return {};
  unsigned domain = 0, bus = 0, device = 0, function = 0;
  if (!parse_hex(bus_id.substr(0, first), domain) || !parse_hex(bus_id.substr(first + 1, second - first - 1), bus) ||
      !parse_hex(bus_id.substr(second + 1, dot - second - 1), device) || !parse_hex(bus_id.substr(dot + 1), function) ||
      domain > 0xffff || bus > 0xff || device > 0x1f || function > 7) {
    return {};
  }
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, device, function);
}

std::vector<int> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.remove_prefix(1);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.remove_suffix(1);
    const auto dash = part.find('-');
    int low = 0, high = 0;
    if (dash == std::string_view::npos) {
      if (parse_int(part, low) && low >= 0) cpus.push_back(low);
    } else if (parse_int(part.substr(0, dash), low) && parse_int(part.substr(dash + 1), high) && low >= 0 &&
               high >= low) {
      for (int c = low; c <= high; ++c) cpus.push_back(c);
    }
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

NumaPlacement numa_placement(std::string_view bus_id, const std::vector<int>& allowed, const std::string& root) {
  NumaPlacement placement;
  const std::string address = sysfs_pci_address(bus_id);
  if (address.empty()) {
    placement.text = fmt::format("NUMA node unknown (PCI bus id '{}' not understood)", bus_id);
    return placement;
  }
  const fs::path device_dir = fs::path(root) / "sys/bus/pci/devices" / address;
  const std::string node_text = first_line(device_dir / "numa_node");
  int node = -1;
  if (node_text.empty() || !parse_int(node_text, node) || node < 0) {
    placement.text = fmt::format("NUMA node unknown ({}/numa_node {})", device_dir.string(),
                                 node_text.empty() ? "absent" : "says " + node_text);
    return placement;
  }
  placement.node = node;
  const fs::path cpulist = fs::path(root) / "sys/devices/system/node" / fmt::format("node{}", node) / "cpulist";
  std::vector<int> cpus;
  for (int cpu : parse_cpu_list(first_line(cpulist))) {
    if (std::find(allowed.begin(), allowed.end(), cpu) != allowed.end()) cpus.push_back(cpu);
  }
  if (cpus.empty()) {
    placement.text = fmt::format("NUMA node {}, but this process may run on none of its CPUs ({})",
                                 node, cpulist.string());
    return placement;
  }
  placement.text = fmt::format("NUMA node {} (CPUs {} usable)", node,
                               ranges_text(cpus));
  placement.cpus = std::move(cpus);
  return placement;
}

bool bind_current_thread(const std::vector<int>& cpus) {
  if (cpus.empty()) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_SET(cpu, &set);
  }
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace assay::gpu
