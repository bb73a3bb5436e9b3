#include "suites/inventory.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/build_info.h"

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

double load_average_1min(const std::string& root) {
  std::ifstream in(root + "/proc/loadavg");
  double load = 0;
  in >> load;
  return load;
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
  j["gpus"] = Json::array();
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
  const double load = load_average_1min(root);
  if (cpu.logical_cpus > 0 && load > 0.5 * cpu.logical_cpus) {
    warnings.push_back(fmt::format("the machine was busy at start (1-minute load average {:.2f} on "
                                   "{} CPUs): figures may be low", load, cpu.logical_cpus));
  }
  return warnings;
}

}  // namespace assay
