#include "probes/common/host_topology.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace assay {
namespace {

namespace fs = std::filesystem;

std::string read_first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

int to_int(const std::string& s, int fallback = 0) {
  try {
    return std::stoi(s);
  } catch (...) {
    return fallback;
  }
}

// sysfs writes cache sizes as "32768K" (and sometimes "1M").
std::int64_t parse_sysfs_size(const std::string& text) {
  if (text.empty()) return 0;
  std::int64_t number = 0;
  try {
    number = std::stoll(text);
  } catch (...) {
    return 0;
  }
  switch (text.back()) {
    case 'K': return number * 1024;
    case 'M': return number * 1024 * 1024;
    case 'G': return number * 1024 * 1024 * 1024;
    default: return number;
  }
}

// "0-3,8,10-11" -> {0,1,2,3,8,10,11}
std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part = trim(part);
    if (part.empty()) continue;
    const auto dash = part.find('-');
    if (dash == std::string::npos) {
      cpus.push_back(to_int(part, -1));
    } else {
      const int lo = to_int(part.substr(0, dash), -1);
      const int hi = to_int(part.substr(dash + 1), -1);
      for (int c = lo; c >= 0 && c <= hi; ++c) cpus.push_back(c);
    }
  }
  std::erase(cpus, -1);
  return cpus;
}

void read_cpuinfo(const fs::path& path, HostCpu& cpu) {
  std::ifstream in(path);
  std::string line;
  std::set<int> packages;
  std::set<std::pair<int, int>> cores;
  int physical_id = 0;
  bool have_core_ids = false;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    if (key == "vendor_id" && cpu.vendor.empty()) cpu.vendor = value;
    else if (key == "model name" && cpu.model_name.empty()) cpu.model_name = value;
    else if (key == "cpu family" && cpu.family == 0) cpu.family = to_int(value);
    else if (key == "model" && cpu.model == 0) cpu.model = to_int(value);
    else if (key == "stepping" && cpu.stepping == 0) cpu.stepping = to_int(value);
    else if ((key == "flags" || key == "Features") && cpu.flags.empty()) {
      std::stringstream ss(value);
      std::string flag;
      while (ss >> flag) cpu.flags.push_back(flag);
    } else if (key == "physical id") {
      physical_id = to_int(value);
      packages.insert(physical_id);
    } else if (key == "core id") {
      have_core_ids = true;
      cores.insert({physical_id, to_int(value)});
    } else if (key == "processor") {
      ++cpu.logical_cpus;
    }
  }
  std::sort(cpu.flags.begin(), cpu.flags.end());
  cpu.sockets = static_cast<int>(packages.size());
  if (have_core_ids) cpu.cores = static_cast<int>(cores.size());
}

// Topology from sysfs is more reliable than cpuinfo inside containers and on Arm.
void read_sysfs_topology(const fs::path& cpu_dir, HostCpu& cpu) {
  const auto online = parse_cpu_list(read_first_line(cpu_dir / "online"));
  if (online.empty()) return;
  std::set<int> packages;
  std::set<std::pair<int, int>> cores;
  for (int c : online) {
    const fs::path topo = cpu_dir / ("cpu" + std::to_string(c)) / "topology";
    const std::string pkg = read_first_line(topo / "physical_package_id");
    const std::string core = read_first_line(topo / "core_id");
    if (pkg.empty() || core.empty()) return;  // incomplete: keep what cpuinfo said
    packages.insert(to_int(pkg));
    cores.insert({to_int(pkg), to_int(core)});
  }
  cpu.logical_cpus = static_cast<int>(online.size());
  cpu.sockets = static_cast<int>(packages.size());
  cpu.cores = static_cast<int>(cores.size());

  // Caches of cpu0, with the number of distinct instances over the online CPUs.
  const fs::path cache_dir = cpu_dir / ("cpu" + std::to_string(online.front())) / "cache";
  std::error_code ec;
  for (int index = 0; fs::exists(cache_dir / ("index" + std::to_string(index)), ec); ++index) {
    const fs::path dir = cache_dir / ("index" + std::to_string(index));
    CacheInfo info;
    info.level = to_int(read_first_line(dir / "level"));
    info.type = read_first_line(dir / "type");
    info.size_bytes = parse_sysfs_size(read_first_line(dir / "size"));
    std::set<std::string> instances;
    for (int c : online) {
      const fs::path other = cpu_dir / ("cpu" + std::to_string(c)) / "cache" /
                             ("index" + std::to_string(index)) / "shared_cpu_list";
      const std::string shared = read_first_line(other);
      if (!shared.empty()) instances.insert(shared);
    }
    info.instances = instances.empty() ? 1 : static_cast<int>(instances.size());
    cpu.caches.push_back(info);
  }
}

// Arm servers' /proc/cpuinfo has no "model name"; the part number is only in the
// firmware's SMBIOS processor record (type 4), e.g. "HUAWEI Kunpeng 920 5250". The
// record's byte 0x10 is the 1-based index of the Processor Version string among the
// NUL-terminated strings that follow its formatted area.
std::string read_dmi_processor_version(const fs::path& raw_path) {
  std::ifstream in(raw_path, std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (raw.size() < 0x11 || static_cast<unsigned char>(raw[0]) != 4) return {};
  const std::size_t formatted_length = static_cast<unsigned char>(raw[1]);
  const int version_index = static_cast<unsigned char>(raw[0x10]);
  if (version_index == 0 || formatted_length > raw.size()) return {};
  std::size_t pos = formatted_length;
  for (int i = 1; pos < raw.size(); ++i) {
    const std::size_t end = raw.find('\0', pos);
    if (end == std::string::npos || end == pos) return {};  // end of the string set
    if (i == version_index) return trim(raw.substr(pos, end - pos));
    pos = end + 1;
  }
  return {};
}

}  // namespace

bool HostCpu::has_flag(const std::string& flag) const {
  return std::binary_search(flags.begin(), flags.end(), flag);
}

std::int64_t HostCpu::last_level_cache_bytes() const {
  const CacheInfo* last = nullptr;
  for (const auto& c : caches) {
    if (c.type == "Instruction") continue;
    if (!last || c.level > last->level) last = &c;
  }
  return last ? last->size_bytes * last->instances : 0;
}

HostCpu read_host_cpu(const std::string& root) {
  const fs::path base(root);
  HostCpu cpu;
  read_cpuinfo(base / "proc/cpuinfo", cpu);
  read_sysfs_topology(base / "sys/devices/system/cpu", cpu);
  if (cpu.model_name.empty()) {
    cpu.model_name = read_dmi_processor_version(base / "sys/firmware/dmi/entries/4-0/raw");
  }
  if (cpu.sockets == 0) cpu.sockets = 1;
  if (cpu.cores == 0) cpu.cores = cpu.logical_cpus;
  cpu.hypervisor = cpu.has_flag("hypervisor");
  cpu.governor = read_first_line(base / "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  return cpu;
}

HostMemory read_host_memory(const std::string& root) {
  const fs::path base(root);
  HostMemory mem;
  std::ifstream in(base / "proc/meminfo");
  std::string line;
  const auto kib_field = [](const std::string& text, std::size_t skip) {
    std::stringstream ss(text.substr(skip));
    std::int64_t kib = 0;
    ss >> kib;
    return kib * 1024;  // meminfo's "kB" is KiB
  };
  while (std::getline(in, line)) {
    if (line.rfind("MemTotal:", 0) == 0) mem.total_bytes = kib_field(line, 9);
    else if (line.rfind("MemAvailable:", 0) == 0) mem.available_bytes = kib_field(line, 13);
  }
  std::error_code ec;
  const fs::path nodes = base / "sys/devices/system/node";
  if (fs::is_directory(nodes, ec)) {
    for (const auto& entry : fs::directory_iterator(nodes, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("node", 0) == 0 && name.size() > 4 &&
          std::all_of(name.begin() + 4, name.end(), ::isdigit)) {
        ++mem.numa_nodes;
      }
    }
  }
  return mem;
}

}  // namespace assay
