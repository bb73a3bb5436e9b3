#include "probes/cpu/cpu_fma_probe.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/params.h"
#include "probes/common/host_topology.h"
#include "probes/common/thread_team.h"
#include "probes/cpu/fma_kernels.h"

namespace assay {
namespace {

// The probe end to end with tiny durations: what it emits, not how fast (speed is
// checked by bench/fma_kernel_bench.cpp and documented in docs/probes/cpu-fma.md).
class CpuFmaProbeTest : public ::testing::Test {
 protected:
  ProbeResult run(std::vector<ParamOverride> overrides) {
    overrides.push_back({"seconds", 0.01, "test"});
    const auto specs = probe_->params();
    auto params = resolve_params(probe_->name(), specs, overrides);
    EXPECT_TRUE(params.ok()) << params.error().message;
    if (!params.ok()) return {};
    return probe_->run(*params, ProbeContext{});
  }

  static std::string notes_text(const ProbeResult& r) {
    std::string text;
    for (const auto& n : r.notes) text += n + "\n";
    return text;
  }

  std::unique_ptr<Probe> probe_ = make_cpu_fma_probe();
  HostCpu host_ = read_host_cpu("/");
};

TEST_F(CpuFmaProbeTest, DescribesItself) {
  EXPECT_EQ(probe_->name(), "cpu.fma");
  EXPECT_FALSE(probe_->description().empty());
  EXPECT_TRUE(probe_->availability().available);

  std::vector<std::string> names;
  for (const auto& p : probe_->params()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"threads", "repetitions", "seconds", "isa"}));
  const auto specs = probe_->params();
  auto defaults = resolve_params(probe_->name(), specs, {});
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(param_int(*defaults, "threads"), static_cast<std::int64_t>(allowed_cpus().size()));
  EXPECT_EQ(param_int(*defaults, "repetitions"), 5);
  EXPECT_DOUBLE_EQ(param_real(*defaults, "seconds"), 0.2);
  EXPECT_EQ(param_text(*defaults, "isa"), "auto");

  std::vector<std::string> keys;
  for (const auto& m : probe_->metrics()) keys.push_back(m.key);
  for (const char* key : {"cpu.fma.fp64", "cpu.fma.fp32", "cpu.fma.bf16", "cpu.fma.fp16",
                          "cpu.clock", "cpu.fma.fp64_peak_derived", "cpu.fma.fp32_peak_derived"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
  }
}

TEST_F(CpuFmaProbeTest, MeasuresEveryPrecisionTheCpuHas) {
  const ProbeResult r = run({{"repetitions", std::int64_t{2}, "test"}});
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  EXPECT_EQ(r.probe, "cpu.fma");
  EXPECT_EQ(r.subject, "cpu");
  EXPECT_TRUE(r.validation.checked);
  EXPECT_TRUE(r.validation.passed);
  EXPECT_NE(r.validation.detail.find("every lane of every accumulator"), std::string::npos);
  EXPECT_NE(param_text(r.params, "isa"), "auto");  // the ISA actually used

  for (const char* key : {"cpu.fma.fp64", "cpu.fma.fp32"}) {
    const Metric* m = find_metric(r, key);
    ASSERT_NE(m, nullptr) << key;
    EXPECT_EQ(m->unit, Unit::flop_per_s);
    EXPECT_EQ(m->better, Better::higher);
    EXPECT_EQ(m->samples.size(), 2u);
    for (double s : m->samples) EXPECT_GT(s, 0.0) << key;
  }
  const Metric* clock = find_metric(r, "cpu.clock");
  ASSERT_NE(clock, nullptr);
  EXPECT_EQ(clock->unit, Unit::hertz);
  EXPECT_EQ(clock->samples.size(), 2u);
  EXPECT_GT(clock->value, 0.0);

  const bool has_bf16 = host_.has_flag("avx512_bf16") && host_.has_flag("avx512f");
  EXPECT_EQ(find_metric(r, "cpu.fma.bf16") != nullptr, has_bf16);
  const bool has_fp16 = host_.has_flag("avx512_fp16") && host_.has_flag("avx512f");
  EXPECT_EQ(find_metric(r, "cpu.fma.fp16") != nullptr, has_fp16);
  if (!has_fp16) {
    EXPECT_NE(notes_text(r).find("fp16: not measured"), std::string::npos);
  }
  if (const Metric* bf16 = find_metric(r, "cpu.fma.bf16")) {
    EXPECT_EQ(bf16->unit, Unit::flop_per_s);
    EXPECT_GT(bf16->value, 0.0);
  }
}

TEST_F(CpuFmaProbeTest, MeasuredFp64StaysBelowTheDerivedPeak) {
  const ProbeResult r = run({{"repetitions", std::int64_t{3}, "test"}});
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  const Metric* fp64 = find_metric(r, "cpu.fma.fp64");
  const Metric* peak = find_metric(r, "cpu.fma.fp64_peak_derived");
  ASSERT_NE(fp64, nullptr);
  if (peak == nullptr) GTEST_SKIP() << "no derived peak here: " << notes_text(r);
  EXPECT_EQ(peak->unit, Unit::flop_per_s);
  EXPECT_NE(peak->note.find("FLOP/cycle"), std::string::npos) << peak->note;
  EXPECT_GT(fp64->value, 0.0);
  EXPECT_LE(fp64->value, peak->value * 1.1) << notes_text(r);
  ASSERT_NE(find_metric(r, "cpu.fma.fp32_peak_derived"), nullptr);
}

TEST_F(CpuFmaProbeTest, PortableKernelDerivesNoPeak) {
  const ProbeResult r = run({{"isa", std::string("portable"), "test"},
                             {"repetitions", std::int64_t{1}, "test"},
                             {"threads", std::int64_t{1}, "test"}});
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  EXPECT_EQ(param_text(r.params, "isa"), "portable");
  EXPECT_NE(find_metric(r, "cpu.fma.fp64"), nullptr);
  EXPECT_NE(find_metric(r, "cpu.clock"), nullptr);
  EXPECT_EQ(find_metric(r, "cpu.fma.fp64_peak_derived"), nullptr);
  EXPECT_EQ(find_metric(r, "cpu.fma.bf16"), nullptr);
  EXPECT_NE(notes_text(r).find("not derived"), std::string::npos) << notes_text(r);
}

TEST_F(CpuFmaProbeTest, UnknownIsaIsABadInputNamingTheChoices) {
  const auto specs = probe_->params();
  const std::vector<ParamOverride> overrides{{"isa", std::string("avx1024"), "test"}};
  auto params = resolve_params(probe_->name(), specs, overrides);
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.error().kind, ErrorKind::bad_input);
  EXPECT_NE(params.error().message.find("avx1024"), std::string::npos) << params.error().message;
  EXPECT_NE(params.error().message.find("portable"), std::string::npos) << params.error().message;
}

TEST_F(CpuFmaProbeTest, AnIsaThisCpuLacksFailsTheCheckBeforeRunning) {
  const HostCpu host = read_host_cpu();
  for (const FmaIsa* isa : fma_isas()) {
    const auto specs = probe_->params();
    const std::vector<ParamOverride> overrides{{"isa", std::string(isa->name), "test"}};
    auto params = resolve_params(probe_->name(), specs, overrides);
    ASSERT_TRUE(params.ok()) << params.error().message;
    const bool runs_here = best_fma_kernel(Precision::fp64, host, isa->name) != nullptr;
    EXPECT_EQ(probe_->check_params(*params).ok(), runs_here) << isa->name;
  }
}

TEST_F(CpuFmaProbeTest, MoreThreadsThanCpusIsRefused) {
  const auto too_many = static_cast<std::int64_t>(allowed_cpus().size() + 1);
  const auto specs = probe_->params();
  const std::vector<ParamOverride> overrides{{"threads", too_many, "test"}};
  EXPECT_FALSE(resolve_params(probe_->name(), specs, overrides).ok());
}

}  // namespace
}  // namespace assay
