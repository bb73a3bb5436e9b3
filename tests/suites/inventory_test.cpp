#include "suites/inventory.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace assay {
namespace {

namespace fs = std::filesystem;

class InventoryFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("assay-inventory-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
                          "model name\t: AMD EPYC 9654 96-Core Processor\nflags\t\t: fpu avx2 hypervisor\n\n");
    write("proc/meminfo", "MemTotal:       1048576 kB\n");
    write("etc/os-release", "NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  fs::path root_;
};

TEST_F(InventoryFixture, DescribesTheNodeFromItsTree) {
  const Json j = collect_node_inventory("gpu-017", root_.string());
  EXPECT_EQ(j["node"], "gpu-017");
  EXPECT_EQ(j["cpu"]["model_name"], "AMD EPYC 9654 96-Core Processor");
  EXPECT_EQ(j["cpu"]["family"], 25);
  EXPECT_EQ(j["memory"]["total_bytes"], 1048576LL * 1024);
  EXPECT_EQ(j["os"]["pretty_name"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_FALSE(j["assay"]["version"].get<std::string>().empty());
  EXPECT_TRUE(j["gpus"].is_array());
}

TEST_F(InventoryFixture, WarnsAboutHypervisorAndGovernor) {
  write("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
  const auto warnings = measurement_warnings(read_host_cpu(root_.string()), root_.string());
  std::string all;
  for (const auto& w : warnings) all += w + "\n";
  EXPECT_NE(all.find("hypervisor"), std::string::npos) << all;
  EXPECT_NE(all.find("'powersave'"), std::string::npos) << all;
  // No /proc/stat in the tree: nothing is said about how busy the machine was.
  EXPECT_EQ(all.find("busy"), std::string::npos) << all;
}

TEST_F(InventoryFixture, APerformanceGovernorOnBareMetalIsNoWarning) {
  write("proc/cpuinfo", "processor\t: 0\nmodel name\t: X\nflags\t\t: fpu avx2\n\n");
  write("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
  for (const auto& w : measurement_warnings(read_host_cpu(root_.string()), root_.string())) {
    EXPECT_EQ(w.find("governor"), std::string::npos) << w;
    EXPECT_EQ(w.find("hypervisor"), std::string::npos) << w;
  }
}

}  // namespace
}  // namespace assay
