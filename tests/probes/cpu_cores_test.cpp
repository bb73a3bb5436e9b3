#include "probes/cpu/cpu_cores.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace assay {
namespace {

namespace fs = std::filesystem;

// A sysfs tree made by the test: cpuN/topology/<file> = text.
class CpuCoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::temp_directory_path() /
        ("assay_cpu_cores_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(int cpu, const std::string& file, const std::string& text) {
    const fs::path dir =
        root_ / "sys/devices/system/cpu" / ("cpu" + std::to_string(cpu)) / "topology";
    fs::create_directories(dir);
    std::ofstream(dir / file) << text << "\n";
  }
  std::string root() const { return root_.string(); }

  fs::path root_;
};

TEST_F(CpuCoresTest, SiblingsCountAsOneCore) {
  // Linux's usual numbering: CPU n and n+2 are SMT siblings.
  write(0, "core_cpus_list", "0,2");
  write(2, "core_cpus_list", "0,2");
  write(1, "core_cpus_list", "1,3");
  write(3, "core_cpus_list", "1,3");
  const std::vector<int> all{0, 1, 2, 3};
  EXPECT_EQ(count_physical_cores(all, root()), 2);
  const std::vector<int> siblings{0, 2};
  EXPECT_EQ(count_physical_cores(siblings, root()), 1);
  const std::vector<int> mixed{0, 2, 1, 3};
  EXPECT_EQ(order_cpus_by_core(mixed, root()), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(order_cpus_by_core(all, root()), all);
}

TEST_F(CpuCoresTest, OlderKernelsNameTheSiblingsFileDifferently) {
  write(0, "thread_siblings_list", "0-1");
  write(1, "thread_siblings_list", "0-1");
  write(2, "thread_siblings_list", "2-3");
  write(3, "thread_siblings_list", "2-3");
  const std::vector<int> all{0, 1, 2, 3};
  EXPECT_EQ(count_physical_cores(all, root()), 2);
  // Two threads should land on two cores, not on the siblings 0 and 1.
  EXPECT_EQ(order_cpus_by_core(all, root()), (std::vector<int>{0, 2, 1, 3}));
  EXPECT_EQ(core_keys(all, root()), (std::vector<std::string>{"0-1", "0-1", "2-3", "2-3"}));
}

TEST_F(CpuCoresTest, MissingTopologyCountsEachCpuAsACore) {
  const std::vector<int> cpus{0, 1, 5};
  EXPECT_EQ(count_physical_cores(cpus, root()), 3);
  EXPECT_EQ(order_cpus_by_core(cpus, root()), cpus);
  EXPECT_EQ(core_keys(cpus, root()), (std::vector<std::string>{"cpu0", "cpu1", "cpu5"}));
}

}  // namespace
}  // namespace assay
