#pragma once
// What the CPU and memory of this host are, read from /proc and /sys. The root is a
// parameter so tests read fixture trees made by the test instead of the real machine.

#include <cstdint>
#include <string>
#include <vector>

namespace assay {

/// One cache level as the kernel describes it (sysfs cpu0/cache/indexN).
struct CacheInfo {
  int level = 0;
  std::string type;              ///< "Data", "Instruction", "Unified"
  std::int64_t size_bytes = 0;   ///< size of one instance
  int instances = 0;             ///< distinct instances across the online CPUs
};

/// The CPU package(s) of this host.
struct HostCpu {
  std::string vendor;      ///< "GenuineIntel", "AuthenticAMD", ...
  std::string model_name;  ///< /proc/cpuinfo "model name", else SMBIOS processor version (Arm)
  int family = 0, model = 0, stepping = 0;
  std::vector<std::string> flags;  ///< /proc/cpuinfo flags, sorted
  int sockets = 0;           ///< distinct physical package ids
  int cores = 0;             ///< distinct (package, core) pairs among online CPUs
  int logical_cpus = 0;      ///< online logical CPUs
  std::vector<CacheInfo> caches;
  bool hypervisor = false;   ///< running under a hypervisor (cpuinfo flag)
  std::string governor;      ///< cpufreq scaling governor of cpu0, empty if none

  bool has_flag(const std::string& flag) const;
  /// Total bytes of the last-level cache over all its instances (0 if unknown).
  std::int64_t last_level_cache_bytes() const;
};

/// Memory of this host.
struct HostMemory {
  std::int64_t total_bytes = 0;  ///< MemTotal
  /// MemAvailable: what can be allocated without swapping (0 if the kernel does not say).
  std::int64_t available_bytes = 0;
  int numa_nodes = 0;            ///< /sys/devices/system/node/nodeN count (0 if absent)
};

/// Reads the CPU description below `root` ("/" for this machine). Missing files give
/// empty fields, never an error: a container may hide parts of /sys.
HostCpu read_host_cpu(const std::string& root = "/");

/// Reads MemTotal, MemAvailable and the NUMA node count below `root`.
HostMemory read_host_memory(const std::string& root = "/");

}  // namespace assay
