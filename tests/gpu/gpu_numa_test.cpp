// Where gpu.pcie binds each GPU's host thread: the PCI device's NUMA node and that
// node's CPUs, read from fixture sysfs trees made here.
#include "probes/gpu/gpu_numa.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace assay::gpu {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SysfsTree {
 public:
  SysfsTree() : root_(fs::temp_directory_path() / ("assay-gpu-numa-" + std::to_string(::getpid()))) {
    fs::remove_all(root_);
  }
  ~SysfsTree() { fs::remove_all(root_); }
  SysfsTree(const SysfsTree&) = delete;
  SysfsTree& operator=(const SysfsTree&) = delete;
  void write(const std::string& path, const std::string& text) {
    const fs::path file = root_ / path;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(GpuNuma, CudaBusIdsBecomeSysfsAddresses) {
  EXPECT_EQ(sysfs_pci_address("00000000:17:00.0"), "0000:17:00.0");
  EXPECT_EQ(sysfs_pci_address("0000:B3:00.0"), "0000:b3:00.0");
  EXPECT_EQ(sysfs_pci_address("00000001:0a:1f.7"), "0001:0a:1f.7");
  EXPECT_EQ(sysfs_pci_address("nonsense"), "");
  EXPECT_EQ(sysfs_pci_address("0000:17:00"), "");
  EXPECT_EQ(sysfs_pci_address("0000:117:00.0"), "");
}

TEST(GpuNuma, CpuListsAreParsedAsTheKernelWritesThem) {
  EXPECT_THAT(parse_cpu_list("0-3,8,10-11\n"), ElementsAre(0, 1, 2, 3, 8, 10, 11));
  EXPECT_THAT(parse_cpu_list(""), ElementsAre());
  EXPECT_THAT(parse_cpu_list("5,x,7-6,2"), ElementsAre(2, 5));
}

TEST(GpuNuma, TheGpusNodeAndItsAllowedCpusAreFound) {
  SysfsTree tree;
  tree.write("sys/bus/pci/devices/0000:17:00.0/numa_node", "1\n");
  tree.write("sys/devices/system/node/node1/cpulist", "4-7,12-15\n");
  const NumaPlacement placement = numa_placement("00000000:17:00.0", {0, 1, 4, 5, 6, 12}, tree.root());
  EXPECT_EQ(placement.node, 1);
  EXPECT_THAT(placement.cpus, ElementsAre(4, 5, 6, 12));
  EXPECT_THAT(placement.text, HasSubstr("NUMA node 1 (CPUs 4-6,12 usable)"));
}

TEST(GpuNuma, AnUnknownNodeMeansNoBinding) {
  SysfsTree tree;
  tree.write("sys/bus/pci/devices/0000:17:00.0/numa_node", "-1\n");
  const NumaPlacement minus_one = numa_placement("00000000:17:00.0", {0, 1}, tree.root());
  EXPECT_EQ(minus_one.node, -1);
  EXPECT_TRUE(minus_one.cpus.empty());
  EXPECT_THAT(minus_one.text, HasSubstr("says -1"));

  const NumaPlacement absent = numa_placement("00000000:18:00.0", {0, 1}, tree.root());
  EXPECT_EQ(absent.node, -1);
  EXPECT_THAT(absent.text, HasSubstr("absent"));

  tree.write("sys/bus/pci/devices/0000:19:00.0/numa_node", "0\n");
  tree.write("sys/devices/system/node/node0/cpulist", "8-9\n");
  const NumaPlacement elsewhere = numa_placement("0000:19:00.0", {0, 1}, tree.root());
  EXPECT_EQ(elsewhere.node, 0);
  EXPECT_TRUE(elsewhere.cpus.empty());
  EXPECT_THAT(elsewhere.text, HasSubstr("none of its CPUs"));
}

TEST(GpuNuma, BindingTheThreadRestrictsItToTheCpusGiven) {
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  int first = -1;
  for (int c = 0; c < CPU_SETSIZE && first < 0; ++c) {
    if (CPU_ISSET(c, &before)) first = c;
  }
  ASSERT_GE(first, 0);
  EXPECT_FALSE(bind_current_thread({}));
  ASSERT_TRUE(bind_current_thread({first}));
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_EQ(CPU_COUNT(&after), 1);
  EXPECT_TRUE(CPU_ISSET(first, &after));
  ASSERT_EQ(sched_setaffinity(0, sizeof before, &before), 0);
}

}  // namespace
}  // namespace assay::gpu
