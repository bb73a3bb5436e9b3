#include "suites/inventory.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <thread>
#include <sstream>

#include <fmt/format.h>

#include "core/build_info.h"
#include "probes/gpu/gpu_health_baseline.h"
#include "probes/gpu/gpu_health_json.h"
#include "probes/gpu/gpu_health_snapshot.h"

namespace assay {
namespace {

std::string os_pretty_name(const std::string& root) {
  std::ifstream in(root + "/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string value = line.substr(12);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
  }
  return {};
}

struct CpuTicks {
  double busy = 0, total = 0;
};

std::optional<CpuTicks> read_cpu_ticks(const std::string& root) {
  std::ifstream in(root + "/proc/stat");
  std::string label;
  if (!(in >> label) || label != "cpu") return std::nullopt;
  CpuTicks ticks;
  double value = 0;
  for (int field = 0; field < 8 && in >> value; ++field) {
    ticks.total += value;
    if (field != 3 && field != 4) ticks.busy += value;  // idle and iowait are not busy
  }
  return ticks;
}

// Share of all CPUs busy over a short window right now. The load average would be
// simpler but lags by minutes: it still counts a run that has just finished.
std::optional<double> busy_share_now(const std::string& root) {
  const auto before = read_cpu_ticks(root);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  const auto after = read_cpu_ticks(root);
  if (!before || !after || after->total <= before->total) return std::nullopt;
  return (after->busy - before->busy) / (after->total - before->total);
}

// The GPUs as NVML sees them at the start of the run: recorded in the inventory and
// kept as the baseline gpu.health compares the end of the run with.
void add_gpus(Json& j) {
  Expected<NodeGpuHealth> health = read_gpu_health(std::string{});
  if (!health) {
    j["gpus"] = Json::array();
    j["gpus_reason"] = health.error().message;
    return;
  }
  j["gpus"] = gpu_health_json(*health);
  j["gpus_nvml"] = {{"library", health->library},
                    {"driver_version", health->driver_version ? Json(*health->driver_version) : Json(nullptr)},
                    {"nvml_version", health->nvml_version ? Json(*health->nvml_version) : Json(nullptr)},
                    {"missing_functions", health->missing_functions},
                    {"read_at", health->taken_at}};
  record_gpu_health_baseline(std::move(health).value(), "the node's inventory");
}

}  // namespace

std::string local_host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

Json collect_node_inventory(const std::string& node_name, const std::string& root) {
  const HostCpu cpu = read_host_cpu(root);
  const HostMemory memory = read_host_memory(root);
  Json j;
  j["node"] = node_name;
  j["hostname"] = local_host_name();
  Json caches = Json::array();
  for (const auto& c : cpu.caches) {
    caches.push_back({{"level", c.level}, {"type", c.type}, {"size_bytes", c.size_bytes},
                      {"instances", c.instances}});
  }
  j["cpu"] = {{"vendor", cpu.vendor},
              {"model_name", cpu.model_name},
              {"family", cpu.family},
              {"model", cpu.model},
              {"stepping", cpu.stepping},
              {"sockets", cpu.sockets},
              {"cores", cpu.cores},
              {"logical_cpus", cpu.logical_cpus},
              {"caches", std::move(caches)},
              {"hypervisor", cpu.hypervisor},
              {"governor", cpu.governor},
              {"flags", cpu.flags}};
  j["memory"] = {{"total_bytes", memory.total_bytes}, {"numa_nodes", memory.numa_nodes}};
  utsname uts{};
  if (uname(&uts) == 0) {
    j["os"] = {{"kernel", uts.release}, {"kernel_version", uts.version}, {"machine", uts.machine},
               {"pretty_name", os_pretty_name(root)}};
  }
  const BuildInfo& b = build_info();
  j["assay"] = {{"version", b.version}, {"build", b.git}, {"build_type", b.build_type},
                {"compiler", b.compiler}, {"flags", b.flags}, {"mpi", b.mpi}, {"cuda", b.cuda}};
  add_gpus(j);
  return j;
}

std::vector<std::string> measurement_warnings(const HostCpu& cpu, const std::string& root) {
  std::vector<std::string> warnings;
  if (cpu.hypervisor) {
    warnings.push_back("running under a hypervisor: figures include virtualisation overhead and "
                       "may be disturbed by other guests");
  }
  if (!cpu.governor.empty() && cpu.governor != "performance") {
    warnings.push_back(fmt::format("CPU frequency governor is '{}', not 'performance': clocks may "
                                   "vary during the run", cpu.governor));
  }
  const BuildInfo& b = build_info();
  if (b.build_type != "Release") {
    warnings.push_back(fmt::format("assay was built as '{}', not Release: its own kernels may be "
                                   "slower than the hardware allows", b.build_type));
  }
  if (b.flags.find("-fsanitize") != std::string::npos) {
    warnings.push_back("assay was built with sanitizers: figures are not representative");
  }
  if (const auto busy = busy_share_now(root); busy && *busy > 0.25) {
    warnings.push_back(fmt::format("the machine was busy at start ({:.0f}% of its {} CPUs in use by "
                                   "other work): figures may be low", *busy * 100.0, cpu.logical_cpus));
  }
  return warnings;
}

}  // namespace assay
