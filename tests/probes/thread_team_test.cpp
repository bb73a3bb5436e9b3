#include "probes/common/thread_team.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

namespace assay {
namespace {

TEST(AllowedCpus, AreSortedAndNonEmpty) {
  const auto cpus = allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  for (std::size_t i = 1; i < cpus.size(); ++i) EXPECT_LT(cpus[i - 1], cpus[i]);
}

TEST(ThreadTeam, RunsEveryMemberOncePerPhase) {
  const auto cpus = allowed_cpus();
  ThreadTeam team(cpus);
  EXPECT_EQ(team.size(), cpus.size());
  std::vector<std::atomic<int>> hits(cpus.size());
  for (int phase = 0; phase < 50; ++phase) {
    team.run([&](std::size_t i) { hits[i].fetch_add(1); });
  }
  for (auto& h : hits) EXPECT_EQ(h.load(), 50);
}

TEST(ThreadTeam, PinsMembersToTheirCpu) {
  const auto cpus = allowed_cpus();
  ThreadTeam team(cpus);
  std::vector<int> seen(cpus.size(), -1);
  team.run([&](std::size_t i) { seen[i] = sched_getcpu(); });
  EXPECT_TRUE(team.all_pinned());
  for (std::size_t i = 0; i < cpus.size(); ++i) EXPECT_EQ(seen[i], cpus[i]);
}

TEST(ThreadTeam, MoreMembersThanCpusStillWork) {
  // Oversubscription (two members per CPU) must not deadlock the start barrier.
  std::vector<int> cpus;
  for (int c : allowed_cpus()) cpus.insert(cpus.end(), {c, c});
  ThreadTeam team(cpus);
  std::atomic<int> count{0};
  for (int phase = 0; phase < 20; ++phase) team.run([&](std::size_t) { count.fetch_add(1); });
  EXPECT_EQ(count.load(), 20 * static_cast<int>(cpus.size()));
}

TEST(ThreadTeam, TimedPhaseCoversTheSlowestMember) {
  ThreadTeam team(allowed_cpus());
  const double seconds = team.run_timed([&](std::size_t i) {
    if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  });
  EXPECT_GE(seconds, 0.045);
}

TEST(ThreadTeam, PhaseTimesAreNeverNegative) {
  // Probes divide work by run_timed(); a stale end time (the caller woke before the last
  // member had recorded it) once made a few phases in ten thousand negative. Short,
  // uneven phases make that race likely to show.
  ThreadTeam team(allowed_cpus());
  double shortest = 1;
  for (int phase = 0; phase < 20000; ++phase) {
    shortest = std::min(shortest, team.run_timed([&](std::size_t member) {
      volatile double x = 0;
      for (int k = 0; k < static_cast<int>((phase + member) % 7) * 100; ++k) x = x + k;
    }));
  }
  EXPECT_GT(shortest, 0.0);
}

TEST(ThreadTeam, RethrowsAMembersException) {
  ThreadTeam team(allowed_cpus());
  EXPECT_THROW(team.run([](std::size_t i) {
    if (i == 0) throw std::runtime_error("member failed");
  }),
               std::runtime_error);
  // The team stays usable after a failed phase.
  std::atomic<int> count{0};
  team.run([&](std::size_t) { count.fetch_add(1); });
  EXPECT_EQ(count.load(), static_cast<int>(team.size()));
}

TEST(ThreadTeam, RefusesAnEmptyCpuList) {
  EXPECT_THROW(ThreadTeam(std::span<const int>{}), std::invalid_argument);
}

}  // namespace
}  // namespace assay
