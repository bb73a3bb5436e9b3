// gpu.hbm, gpu.pcie and gpu.p2p as the runner sees them: their parameters, what they
// refuse as bad input (exit 2), their declared metrics, and a SKIP with the reason where
// there is no GPU. Runs everywhere; the device-count checks adapt to the machine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/params.h"
#include "probes/gpu/gpu_hbm_probe.h"
#include "probes/gpu/gpu_module_loader.h"
#include "probes/gpu/gpu_p2p_probe.h"
#include "probes/gpu/gpu_pcie_probe.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

std::vector<std::unique_ptr<Probe>> all_probes() {
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(make_gpu_hbm_probe());
  probes.push_back(make_gpu_pcie_probe());
  probes.push_back(make_gpu_p2p_probe());
  return probes;
}

Expected<ParamList> params_of(const Probe& probe, std::vector<ParamOverride> overrides) {
  return resolve_params(probe.name(), probe.params(), overrides);
}

// check_params on the defaults with `overrides`: the error message, or "" when accepted.
std::string refusal(const Probe& probe, std::vector<ParamOverride> overrides) {
  auto params = params_of(probe, std::move(overrides));
  if (!params) return "resolve: " + params.error().message;
  auto checked = probe.check_params(*params);
  if (checked) return "";
  EXPECT_EQ(checked.error().kind, ErrorKind::bad_input) << checked.error().message;
  return checked.error().message;
}

int device_count() {
  const gpu::GpuSetup& setup = gpu::gpu_setup();
  return setup.available() ? static_cast<int>(setup.devices.size()) : 0;
}

TEST(GpuBandwidthProbes, NamesAndMetricsAreDeclared) {
  const auto probes = all_probes();
  const std::vector<std::vector<std::string>> keys{
      {"gpu.hbm.read", "gpu.hbm.write", "gpu.hbm.copy"},
      {"gpu.pcie.h2d", "gpu.pcie.d2h", "gpu.pcie.bidir"},
      {"gpu.p2p.bandwidth", "gpu.p2p.bibandwidth", "gpu.p2p.latency"}};
  const std::vector<std::string> names{"gpu.hbm", "gpu.pcie", "gpu.p2p"};
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(probes[i]->name(), names[i]);
    const auto metrics = probes[i]->metrics();
    ASSERT_EQ(metrics.size(), keys[i].size());
    for (std::size_t k = 0; k < metrics.size(); ++k) {
      EXPECT_EQ(metrics[k].key, keys[i][k]);
      const bool latency = metrics[k].key == "gpu.p2p.latency";
      EXPECT_EQ(metrics[k].unit, latency ? Unit::second : Unit::byte_per_s) << metrics[k].key;
      EXPECT_EQ(metrics[k].better, latency ? Better::lower : Better::higher) << metrics[k].key;
      EXPECT_FALSE(metrics[k].description.empty());
    }
  }
}

TEST(GpuBandwidthProbes, DefaultsAreAccepted) {
  for (const auto& probe : all_probes()) EXPECT_EQ(refusal(*probe, {}), "") << probe->name();
}

TEST(GpuBandwidthProbes, DevicesThatDoNotExistAreBadInput) {
  const int count = device_count();
  for (const auto& probe : all_probes()) {
    if (count <= 7) {
      EXPECT_THAT(refusal(*probe, {{"devices", std::string("7"), "test"}}), HasSubstr("no gpu7")) << probe->name();
    }
    EXPECT_THAT(refusal(*probe, {{"devices", std::to_string(count), "test"}}), HasSubstr("devices=")) << probe->name();
    EXPECT_THAT(refusal(*probe, {{"devices", std::string("zero"), "test"}}), HasSubstr("devices='zero'"));
    EXPECT_THAT(refusal(*probe, {{"devices", std::string("-1"), "test"}}), HasSubstr("devices='-1'"));
    EXPECT_THAT(refusal(*probe, {{"devices", std::string(""), "test"}}), HasSubstr("devices=''"));
    if (count > 0) {
      EXPECT_THAT(refusal(*probe, {{"devices", std::string("0,0"), "test"}}), HasSubstr("listed twice"));
    }
  }
}

TEST(GpuBandwidthProbes, SizesAndCountsOutOfRangeAreBadInput) {
  const auto hbm = make_gpu_hbm_probe();
  EXPECT_THAT(refusal(*hbm, {{"array_bytes", std::string("1000"), "test"}}), HasSubstr("array_bytes=1000"));
  EXPECT_THAT(refusal(*hbm, {{"repetitions", std::string("0"), "test"}}), HasSubstr("repetitions"));
  EXPECT_THAT(refusal(*hbm, {{"warmup", std::string("0"), "test"}}), HasSubstr("warmup"));
  EXPECT_EQ(refusal(*hbm, {{"array_bytes", std::string("64 MiB"), "test"}}), "");

  const auto pcie = make_gpu_pcie_probe();
  EXPECT_THAT(refusal(*pcie, {{"bytes", std::string("1"), "test"}}), HasSubstr("bytes"));
  // A terabyte of pinned memory per buffer is more than any host has to spare.
  EXPECT_THAT(refusal(*pcie, {{"bytes", std::string("1 TiB"), "test"}}), HasSubstr("pinned host memory"));
  EXPECT_EQ(refusal(*pcie, {{"bytes", std::string("16 MiB"), "test"}, {"numa_bind", std::string("false"), "test"}}), "");

  const auto p2p = make_gpu_p2p_probe();
  EXPECT_THAT(refusal(*p2p, {{"latency_bytes", std::string("12"), "test"}}), HasSubstr("latency_bytes=12"));
  EXPECT_THAT(refusal(*p2p, {{"bytes", std::string("4 KiB"), "test"}, {"latency_bytes", std::string("8 KiB"), "test"}}),
              HasSubstr("at most bytes"));
  EXPECT_THAT(refusal(*p2p, {{"latency_copies", std::string("0"), "test"}}), HasSubstr("latency_copies"));
  EXPECT_EQ(refusal(*p2p, {{"latency_bytes", std::string("64"), "test"}}), "");
}

TEST(GpuBandwidthProbes, WithoutAGpuTheyAreUnavailableAndSkipWithTheReason) {
  const gpu::GpuSetup& setup = gpu::gpu_setup();
  if (setup.available()) GTEST_SKIP() << "this machine has a GPU; the runtime tests cover it";
  for (const auto& probe : all_probes()) {
    const Availability availability = probe->availability();
    EXPECT_FALSE(availability.available);
    EXPECT_EQ(availability.reason, setup.unavailable);
    auto params = params_of(*probe, {});
    ASSERT_TRUE(params) << params.error().message;
    const ProbeResult result = probe->run(*params, ProbeContext{});
    EXPECT_EQ(result.status, ProbeStatus::skipped) << probe->name();
    EXPECT_EQ(result.reason, setup.unavailable);
    EXPECT_TRUE(result.metrics.empty());
  }
}

TEST(GpuBandwidthProbes, P2pWithOneGpuSelectedSkipsSayingItNeedsTwo) {
  const gpu::GpuSetup& setup = gpu::gpu_setup();
  if (!setup.available()) GTEST_SKIP() << setup.unavailable;
  const auto probe = make_gpu_p2p_probe();
  auto params = params_of(*probe, {{"devices", std::string("0"), "test"}});
  ASSERT_TRUE(params) << params.error().message;
  const ProbeResult result = probe->run(*params, ProbeContext{});
  EXPECT_EQ(result.status, ProbeStatus::skipped);
  EXPECT_THAT(result.reason, HasSubstr("at least 2 GPUs"));
}

}  // namespace
}  // namespace assay
