#include "probes/cpu/clock_kernel.h"
#include "probes/common/cpu_usage.h"

#include <cmath>

#include <gtest/gtest.h>

#include "probes/common/host_topology.h"
#include "probes/cpu/fma_kernels.h"

namespace assay {
namespace {

TEST(ClockKernel, ChainRunsEveryAdd) {
  EXPECT_EQ(run_add_chain(0), 0u);
  EXPECT_EQ(run_add_chain(1), add_chain_expected(1));
  EXPECT_EQ(run_add_chain(1000), add_chain_expected(1000));
  EXPECT_EQ(add_chain_expected(1000), 1000u * kClockAddsPerIteration);
}

TEST(ClockKernel, ExactOnX86) {
#if defined(__x86_64__)
  EXPECT_TRUE(add_chain_exact());
#else
  GTEST_SKIP() << "the assembly chain exists for x86-64 only";
#endif
}

TEST(ClockKernel, LoadedChainsRunEveryAdd) {
  const HostCpu host = read_host_cpu("/");
  int tested = 0;
  for (const FmaIsa* isa : fma_isas()) {
    if (!isa->loaded_add_chain || !isa->supported(host) || !isa->executable()) continue;
    EXPECT_EQ(isa->loaded_add_chain(0), 0u) << isa->name;
    EXPECT_EQ(isa->loaded_add_chain(1), add_chain_expected(1)) << isa->name;
    EXPECT_EQ(isa->loaded_add_chain(1000), add_chain_expected(1000)) << isa->name;
    ++tested;
  }
  if (tested == 0) GTEST_SKIP() << "no FMA instruction set with a loaded chain runs here";
}

TEST(ClockKernel, ThreadCpuTimeAdvancesWithWork) {
  const double before = thread_cpu_seconds();
  run_add_chain(100000);
  EXPECT_GT(thread_cpu_seconds(), before);
}

TEST(ClockKernel, TimingReportsTheChainAndAPositiveRate) {
  const ClockReading reading = time_add_chain(run_add_chain, 10000);
  EXPECT_EQ(reading.result, add_chain_expected(10000));
  EXPECT_GT(reading.wall_seconds, 0.0);
  ASSERT_GT(reading.cpu_seconds, 0.0);
  EXPECT_GT(reading.hertz, 0.0);
  EXPECT_TRUE(std::isfinite(reading.hertz));
  // The rate is taken over the thread's CPU time, which cannot exceed the wall time.
  EXPECT_DOUBLE_EQ(reading.hertz,
                   static_cast<double>(add_chain_expected(10000)) / reading.cpu_seconds);
  EXPECT_LE(reading.cpu_seconds, reading.wall_seconds * 1.01 + 1e-6);
}

}  // namespace
}  // namespace assay
