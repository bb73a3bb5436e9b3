#include "probes/cpu/fma_kernels.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "probes/common/host_topology.h"

namespace assay {
namespace {

// Every kernel compiled in, by index, so each gets its own test name.
class FmaKernelTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  const FmaKernel& kernel() const { return fma_kernels()[GetParam()]; }

  void SetUp() override {
    static const HostCpu host = read_host_cpu("/");
    if (!fma_kernel_supported(kernel(), host)) {
      GTEST_SKIP() << kernel().label() << " needs " << kernel().features
                   << ", which this CPU lacks";
    }
  }

  std::vector<double> run(const FmaOperands& operands, std::uint64_t iterations) const {
    std::vector<double> out(kernel().values(), -1.0);
    kernel().run(operands, iterations, out.data());
    return out;
  }
};

std::string kernel_name(const ::testing::TestParamInfo<std::size_t>& info) {
  std::string name = fma_kernels()[info.param].label();
  for (char& c : name) {
    if (c == ' ') c = '_';
  }
  return name;
}

TEST_P(FmaKernelTest, EveryLaneMatchesTheClosedForm) {
  const FmaOperands operands = default_fma_operands(kernel().precision);
  for (std::uint64_t iterations : {0, 1, 2, 7, 1000}) {
    const auto out = run(operands, iterations);
    const auto mismatch = check_fma_output(kernel(), operands, iterations, out);
    EXPECT_FALSE(mismatch.has_value()) << kernel().label() << " after " << iterations
                                       << " iterations: " << describe_mismatch(*mismatch);
  }
}

TEST_P(FmaKernelTest, FirstAndLastValuesByHand) {
  // Default operands: every value starts at 1 + its index and gains 1 per iteration
  // (FP16: 0, its values return to their start).
  const FmaOperands operands = default_fma_operands(kernel().precision);
  const double per_iteration = kernel().precision == Precision::fp16 ? 0.0 : 1.0;
  const auto out = run(operands, 100);
  const auto last = static_cast<double>(kernel().values() - 1);
  EXPECT_EQ(out.front(), 1.0 + 100 * per_iteration);
  EXPECT_EQ(out.back(), 1.0 + last + 100 * per_iteration);
}

TEST_P(FmaKernelTest, OperandsAreReadAtRunTime) {
  FmaOperands operands;
  operands.start = 3;
  operands.multiplier = 4;
  operands.inverse = 0.25;
  operands.addend = 2;
  operands.second_addend = kernel().precision == Precision::fp16 ? -0.5 : 0.5;
  const auto out = run(operands, 50);
  EXPECT_FALSE(check_fma_output(kernel(), operands, 50, out).has_value());
  // FP32 pair step: x*4 + 2, then *0.25 + 0.5: +1 per iteration; the BF16 dot product
  // adds 0.25*2 + 0.5*2 = 1.5.
  if (kernel().precision == Precision::fp64 || kernel().precision == Precision::fp32) {
    EXPECT_EQ(out.front(), 3.0 + 50);
  }
  if (kernel().precision == Precision::bf16) {
    EXPECT_EQ(out.front(), 3.0 + 75);
  }
}

TEST_P(FmaKernelTest, StaysExactUpToItsIterationLimit) {
  const FmaOperands operands = default_fma_operands(kernel().precision);
  const std::uint64_t iterations = std::min<std::uint64_t>(kernel().max_iterations, 1u << 22);
  const auto out = run(operands, iterations);
  const auto mismatch = check_fma_output(kernel(), operands, iterations, out);
  EXPECT_FALSE(mismatch.has_value()) << describe_mismatch(*mismatch);
}

TEST_P(FmaKernelTest, CorruptedValueFailsWithItsPlace) {
  const FmaOperands operands = default_fma_operands(kernel().precision);
  auto out = run(operands, 10);
  const std::size_t index = kernel().values() - 1;  // the last lane of the last accumulator
  const double right = out[index];
  out[index] = std::nextafter(right, 1e9);  // one ulp off
  const auto mismatch = check_fma_output(kernel(), operands, 10, out);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->accumulator, kernel().accumulators - 1);
  EXPECT_EQ(mismatch->lane, kernel().lanes - 1);
  EXPECT_EQ(mismatch->expected, right);
  EXPECT_EQ(mismatch->got, out[index]);
  const std::string text = describe_mismatch(*mismatch);
  EXPECT_NE(text.find("accumulator " + std::to_string(kernel().accumulators - 1)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lane " + std::to_string(kernel().lanes - 1)), std::string::npos) << text;
}

TEST_P(FmaKernelTest, SkippedWorkFails) {
  if (kernel().precision == Precision::fp16) GTEST_SKIP() << "FP16 values do not drift";
  const FmaOperands operands = default_fma_operands(kernel().precision);
  const auto out = run(operands, 10);
  const auto mismatch = check_fma_output(kernel(), operands, 11, out);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->accumulator, 0);
  EXPECT_EQ(mismatch->lane, 0);
  EXPECT_EQ(mismatch->expected, 1.0 + 11);
  EXPECT_EQ(mismatch->got, 1.0 + 10);
}

INSTANTIATE_TEST_SUITE_P(AllKernels, FmaKernelTest,
                         ::testing::Range<std::size_t>(0, fma_kernels().size()), kernel_name);

HostCpu cpu_with(std::vector<std::string> flags) {
  HostCpu cpu;
  std::sort(flags.begin(), flags.end());  // has_flag() searches a sorted list
  cpu.flags = std::move(flags);
  return cpu;
}

TEST(FmaKernelTable, PortableRunsEverywhere) {
  const HostCpu bare = cpu_with({});
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    const FmaKernel* kernel = best_fma_kernel(p, bare, "auto", false);
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->isa->name, "portable");
    EXPECT_FALSE(kernel->isa->fused);
  }
  EXPECT_EQ(best_fma_kernel(Precision::bf16, bare, "auto", false), nullptr);
  EXPECT_EQ(best_fma_kernel(Precision::fp16, bare, "auto", false), nullptr);
}

TEST(FmaKernelTable, EachPrecisionHasKernelsBestFirst) {
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    int seen = 0;
    for (const FmaKernel& k : fma_kernels()) seen += k.precision == p ? 1 : 0;
    EXPECT_GE(seen, 1) << precision_name(p);
  }
  EXPECT_NE(find_fma_isa("portable"), nullptr);
  EXPECT_EQ(find_fma_isa("sve"), nullptr);
  EXPECT_EQ(fma_isas().back()->name, "portable");
}

#if defined(__x86_64__)
TEST(FmaKernelTable, ChoosesTheWidestIsaTheFlagsAllow) {
  const HostCpu avx2 = cpu_with({"avx", "avx2", "fma"});
  EXPECT_EQ(best_fma_kernel(Precision::fp64, avx2, "auto", false)->isa->name, "avx2");
  EXPECT_EQ(best_fma_kernel(Precision::bf16, avx2, "auto", false), nullptr);

  const HostCpu no_fma = cpu_with({"avx", "avx2"});  // AVX2 without FMA (e.g. some VMs)
  EXPECT_EQ(best_fma_kernel(Precision::fp64, no_fma, "auto", false)->isa->name, "portable");

  const HostCpu avx512 = cpu_with({"avx2", "avx512f", "fma"});
  EXPECT_EQ(best_fma_kernel(Precision::fp64, avx512, "auto", false)->isa->name, "avx512");
  EXPECT_EQ(best_fma_kernel(Precision::fp32, avx512, "auto", false)->isa->name, "avx512");
  EXPECT_EQ(best_fma_kernel(Precision::bf16, avx512, "auto", false), nullptr);

  const HostCpu bf16 = cpu_with({"avx2", "avx512_bf16", "avx512f", "fma"});
  const FmaKernel* dot = best_fma_kernel(Precision::bf16, bf16, "auto", false);
  ASSERT_NE(dot, nullptr);
  EXPECT_EQ(dot->isa->name, "avx512");
  EXPECT_EQ(dot->lanes, 16);
  EXPECT_EQ(dot->flops_per_lane_iteration, 4);  // 2 products + 2 additions per FP32 lane
}

TEST(FmaKernelTable, IsaFilterPicksThatIsaOnly) {
  const HostCpu avx512 = cpu_with({"avx2", "avx512_bf16", "avx512f", "fma"});
  EXPECT_EQ(best_fma_kernel(Precision::fp64, avx512, "avx2", false)->isa->name, "avx2");
  EXPECT_EQ(best_fma_kernel(Precision::fp64, avx512, "portable", false)->isa->name, "portable");
  EXPECT_EQ(best_fma_kernel(Precision::bf16, avx512, "avx2", false), nullptr);
  const HostCpu avx2 = cpu_with({"avx2", "fma"});
  EXPECT_EQ(best_fma_kernel(Precision::fp64, avx2, "avx512", false), nullptr);
}
#endif

TEST(FmaKernelTable, Fp16OperandsDoNotDrift) {
  const FmaOperands fp16 = default_fma_operands(Precision::fp16);
  EXPECT_EQ(fp16.addend * fp16.inverse + fp16.second_addend, 0.0);
  const FmaOperands fp32 = default_fma_operands(Precision::fp32);
  EXPECT_EQ(fp32.addend * fp32.inverse + fp32.second_addend, 1.0);
}

TEST(FmaKernelTable, CheckerRefusesAnOutputOfTheWrongSize) {
  const FmaKernel& kernel = fma_kernels().front();
  std::vector<double> too_short(kernel.values() - 1, 1.0);
  EXPECT_THROW(check_fma_output(kernel, FmaOperands{}, 0, too_short), std::invalid_argument);
}

TEST(FmaKernelTable, PrecisionNamesAreMetricKeyParts) {
  EXPECT_EQ(precision_name(Precision::fp64), "fp64");
  EXPECT_EQ(precision_name(Precision::fp32), "fp32");
  EXPECT_EQ(precision_name(Precision::bf16), "bf16");
  EXPECT_EQ(precision_name(Precision::fp16), "fp16");
}

}  // namespace
}  // namespace assay
