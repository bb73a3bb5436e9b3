#include "probes/common/communicator.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace assay {
namespace {

std::map<std::string, std::string>& fake_environment() {
  static std::map<std::string, std::string> variables;
  return variables;
}

const char* fake_getenv(const char* name) {
  auto it = fake_environment().find(name);
  return it == fake_environment().end() ? nullptr : it->second.c_str();
}

LaunchInfo launch_with(std::map<std::string, std::string> variables) {
  fake_environment() = std::move(variables);
  return detect_launch(&fake_getenv);
}

TEST(DetectLaunch, NoLauncherMeansOneProcess) {
  const LaunchInfo info = launch_with({{"HOME", "/root"}});
  EXPECT_FALSE(info.under_launcher);
  EXPECT_EQ(info.expected_size, 1);
}

TEST(DetectLaunch, OpenMpiMpirunGivesTheWorldSize) {
  const LaunchInfo info = launch_with({{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "2"}});
  EXPECT_TRUE(info.under_launcher);
  EXPECT_EQ(info.expected_size, 4);
  EXPECT_EQ(info.launcher, "Open MPI mpirun");
}

TEST(DetectLaunch, MpichHydraAndSlurmAreRecognised) {
  EXPECT_EQ(launch_with({{"PMI_SIZE", "8"}, {"PMI_RANK", "0"}}).expected_size, 8);
  const LaunchInfo srun = launch_with({{"SLURM_STEP_NUM_TASKS", "16"}, {"SLURM_PROCID", "3"}});
  EXPECT_TRUE(srun.under_launcher);
  EXPECT_EQ(srun.expected_size, 16);
  EXPECT_EQ(srun.launcher, "Slurm srun");
}

TEST(DetectLaunch, ABatchShellOfSlurmIsNotALaunch) {
  // sbatch sets SLURM_NTASKS for the batch script itself; only srun's steps count.
  EXPECT_FALSE(launch_with({{"SLURM_NTASKS", "16"}, {"SLURM_JOB_ID", "7"}}).under_launcher);
}

TEST(DetectLaunch, PmixWithoutASizeIsALaunchOfUnknownSize) {
  const LaunchInfo info = launch_with({{"PMIX_RANK", "0"}});
  EXPECT_TRUE(info.under_launcher);
  EXPECT_EQ(info.expected_size, 0);
}

TEST(DetectLaunch, GarbledSizesAreIgnored) {
  EXPECT_FALSE(launch_with({{"OMPI_COMM_WORLD_SIZE", "four"}}).under_launcher);
}

TEST(SingleProcessWorld, IsAWorldOfOneThatRefusesPeers) {
  auto world = single_process_world();
  EXPECT_EQ(world->rank(), 0);
  EXPECT_EQ(world->size(), 1);
  EXPECT_EQ(world->transport(), "single process");
  EXPECT_TRUE(world->barrier(CommStop{}).ok());
  EXPECT_EQ(*world->max_over_ranks(2.5, CommStop{}), 2.5);
  EXPECT_FALSE(world->send_text(1, 1, "x", CommStop{}).ok());
  EXPECT_FALSE(world->receive_text(1, 1, CommStop{}).ok());
  std::byte buffer[8] = {};
  auto pp = world->ping_pong(1, PeerRole::initiator, buffer, 1, 1, CommStop{});
  ASSERT_FALSE(pp.ok());
  EXPECT_EQ(pp.error().kind, ErrorKind::internal);
  EXPECT_TRUE(world->group({0}).ok());
  EXPECT_FALSE(world->group({0, 1}).ok());
}

TEST(OpenWorld, WithoutALauncherIsASingleProcess) {
  auto world = open_world(LaunchInfo{});
  ASSERT_TRUE(world.ok()) << world.error().message;
  EXPECT_EQ((*world)->size(), 1);
}

TEST(Collectives, HaveTheirNcclTestsNames) {
  EXPECT_EQ(collective_name(Collective::reduce_scatter), "reduce_scatter");
  EXPECT_EQ(collective_name(Collective::broadcast), "broadcast");
}

}  // namespace
}  // namespace assay
