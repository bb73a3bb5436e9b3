#include "probes/cpu/cpu_cores.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace assay {
namespace {

namespace fs = std::filesystem;

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line;
}

}  // namespace

std::vector<std::string> core_keys(std::span<const int> cpus, const std::string& root) {
  const fs::path base = fs::path(root) / "sys/devices/system/cpu";
  std::vector<std::string> keys;
  keys.reserve(cpus.size());
  for (int cpu : cpus) {
    const fs::path topology = base / ("cpu" + std::to_string(cpu)) / "topology";
    // core_cpus_list is the newer name (Linux 5.x); thread_siblings_list the older.
    std::string key = first_line(topology / "core_cpus_list");
    if (key.empty()) key = first_line(topology / "thread_siblings_list");
    if (key.empty()) key = "cpu" + std::to_string(cpu);
    keys.push_back(std::move(key));
  }
  return keys;
}

int count_physical_cores(std::span<const int> cpus, const std::string& root) {
  const auto keys = core_keys(cpus, root);
  return static_cast<int>(std::set<std::string>(keys.begin(), keys.end()).size());
}

std::vector<int> order_cpus_by_core(std::span<const int> cpus, const std::string& root) {
  const auto keys = core_keys(cpus, root);
  // Round r holds the r-th CPU seen of every core.
  std::map<std::string, int> seen;
  std::vector<std::vector<int>> rounds;
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    const auto round = static_cast<std::size_t>(seen[keys[i]]++);
    if (rounds.size() <= round) rounds.resize(round + 1);
    rounds[round].push_back(cpus[i]);
  }
  std::vector<int> ordered;
  ordered.reserve(cpus.size());
  for (const auto& round : rounds) ordered.insert(ordered.end(), round.begin(), round.end());
  return ordered;
}

}  // namespace assay
