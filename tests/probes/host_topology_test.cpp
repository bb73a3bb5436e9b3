#include "probes/common/host_topology.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace assay {
namespace {

namespace fs = std::filesystem;

// A fixture tree shaped like /proc and /sys of a 2-socket, 2-cores-per-socket machine
// with SMT (8 logical CPUs) and a per-socket L3.
class FixtureHost : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("assay-host-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    std::string cpuinfo;
    for (int cpu = 0; cpu < 8; ++cpu) {
      const int package = cpu / 4;
      const int core = (cpu % 4) / 2;
      cpuinfo += "processor\t: " + std::to_string(cpu) +
                 "\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n"
                 "model name\t: Intel(R) Xeon(R) Platinum 8480+\nstepping\t: 8\n"
                 "physical id\t: " + std::to_string(package) + "\ncore id\t\t: " + std::to_string(core) +
                 "\nflags\t\t: fpu avx2 fma avx512f avx512_bf16 hypervisor\n\n";
      const fs::path dir = root_ / "sys/devices/system/cpu" / ("cpu" + std::to_string(cpu));
      write(dir / "topology/physical_package_id", std::to_string(package));
      write(dir / "topology/core_id", std::to_string(core));
      write(dir / "cache/index0/level", "1");
      write(dir / "cache/index0/type", "Data");
      write(dir / "cache/index0/size", "48K");
      write(dir / "cache/index0/shared_cpu_list", std::to_string(cpu - cpu % 2) + "-" + std::to_string(cpu - cpu % 2 + 1));
      write(dir / "cache/index1/level", "3");
      write(dir / "cache/index1/type", "Unified");
      write(dir / "cache/index1/size", "107520K");
      write(dir / "cache/index1/shared_cpu_list", package == 0 ? "0-3" : "4-7");
    }
    write(root_ / "proc/cpuinfo", cpuinfo);
    write(root_ / "sys/devices/system/cpu/online", "0-7");
    write(root_ / "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave");
    write(root_ / "proc/meminfo", "MemTotal:       16384000 kB\nMemFree:  1 kB\n");
    fs::create_directories(root_ / "sys/devices/system/node/node0");
    fs::create_directories(root_ / "sys/devices/system/node/node1");
    fs::create_directories(root_ / "sys/devices/system/node/possible_not_a_node");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text << "\n";
  }

  fs::path root_;
};

TEST_F(FixtureHost, ReadsModelTopologyAndFlags) {
  const HostCpu cpu = read_host_cpu(root_.string());
  EXPECT_EQ(cpu.vendor, "GenuineIntel");
  EXPECT_EQ(cpu.model_name, "Intel(R) Xeon(R) Platinum 8480+");
  EXPECT_EQ(cpu.family, 6);
  EXPECT_EQ(cpu.model, 143);
  EXPECT_EQ(cpu.stepping, 8);
  EXPECT_EQ(cpu.sockets, 2);
  EXPECT_EQ(cpu.cores, 4);
  EXPECT_EQ(cpu.logical_cpus, 8);
  EXPECT_TRUE(cpu.has_flag("avx512_bf16"));
  EXPECT_FALSE(cpu.has_flag("avx512fp16"));
  EXPECT_TRUE(cpu.hypervisor);
  EXPECT_EQ(cpu.governor, "powersave");
}

TEST_F(FixtureHost, CountsCacheInstancesForTheLastLevel) {
  const HostCpu cpu = read_host_cpu(root_.string());
  ASSERT_EQ(cpu.caches.size(), 2u);
  EXPECT_EQ(cpu.caches[0].instances, 4);
  EXPECT_EQ(cpu.caches[1].size_bytes, 107520LL * 1024);
  EXPECT_EQ(cpu.caches[1].instances, 2);
  EXPECT_EQ(cpu.last_level_cache_bytes(), 2 * 107520LL * 1024);
}

TEST_F(FixtureHost, ReadsMemoryAndNumaNodes) {
  const HostMemory mem = read_host_memory(root_.string());
  EXPECT_EQ(mem.total_bytes, 16384000LL * 1024);
  EXPECT_EQ(mem.numa_nodes, 2);
}

TEST(HostTopology, AnEmptyTreeGivesEmptyFieldsNotErrors) {
  const fs::path empty = fs::temp_directory_path() / ("assay-empty-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  const HostCpu cpu = read_host_cpu(empty.string());
  EXPECT_EQ(cpu.model_name, "");
  EXPECT_EQ(cpu.sockets, 1);
  EXPECT_EQ(cpu.last_level_cache_bytes(), 0);
  EXPECT_EQ(read_host_memory(empty.string()).total_bytes, 0);
  fs::remove_all(empty);
}

TEST(HostTopology, ArmModelNameComesFromTheSmbiosProcessorRecord) {
  const fs::path root = fs::temp_directory_path() / ("assay-arm-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "proc");
  std::ofstream(root / "proc/cpuinfo") << "processor\t: 0\nBogoMIPS\t: 200.00\nFeatures\t: fp asimd\n"
                                          "CPU implementer\t: 0x48\nCPU part\t: 0xd01\n\n";
  // Type 4, formatted length 0x30; Processor Version is string 3 of the set.
  std::string raw(0x30, '\0');
  raw[0] = 4;
  raw[1] = 0x30;
  raw[0x10] = 3;
  // Appended piece by piece: GCC 12 misreports a chain of operator+ here (-Warray-bounds).
  for (const char* text : {"CPU01", "HiSilicon", "HUAWEI Kunpeng 920 5250"}) {
    raw += text;
    raw += '\0';
  }
  raw += '\0';
  fs::create_directories(root / "sys/firmware/dmi/entries/4-0");
  std::ofstream(root / "sys/firmware/dmi/entries/4-0/raw", std::ios::binary) << raw;
  const HostCpu cpu = read_host_cpu(root.string());
  EXPECT_EQ(cpu.model_name, "HUAWEI Kunpeng 920 5250");
  EXPECT_TRUE(cpu.has_flag("asimd"));
  // A record whose string index points past the set gives no name, not garbage.
  raw[0x10] = 9;
  std::ofstream(root / "sys/firmware/dmi/entries/4-0/raw", std::ios::binary | std::ios::trunc) << raw;
  EXPECT_EQ(read_host_cpu(root.string()).model_name, "");
  fs::remove_all(root);
}

TEST(HostTopology, ThisMachineHasAModelAndCaches) {
  const HostCpu cpu = read_host_cpu();
  EXPECT_FALSE(cpu.model_name.empty());
  EXPECT_GT(cpu.logical_cpus, 0);
  EXPECT_GT(read_host_memory().total_bytes, 0);
}

}  // namespace
}  // namespace assay
