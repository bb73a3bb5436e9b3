// Reading and decoding GPU health for real, through the NVML loader, against the
// stand-in libnvidia-ml (tests/power/fixtures/fake_nvml.cpp) and a build of it that
// lacks the newest functions, as an older driver's library does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "probes/gpu/gpu_health_json.h"
#include "probes/gpu/gpu_health_snapshot.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr const char* kSnapshotFakeVariables[] = {
    "FAKE_NVML_DEVICES",        "FAKE_NVML_ECC_UNCORRECTED", "FAKE_NVML_ECC_UNCORRECTED_AGGREGATE",
    "FAKE_NVML_ECC_CORRECTED",  "FAKE_NVML_ECC_GROWTH",      "FAKE_NVML_ECC_MODE",
    "FAKE_NVML_PCIE_WIDTH",     "FAKE_NVML_PCIE_GEN",        "FAKE_NVML_REMAPPED_ROWS",
    "FAKE_NVML_REMAP_PENDING",  "FAKE_NVML_REMAP_FAILURE",   "FAKE_NVML_RETIRED_PAGES",
    "FAKE_NVML_RETIRED_PENDING", "FAKE_NVML_CLOCKS_EVENT_REASONS", "FAKE_NVML_TEMPERATURE",
    "FAKE_NVML_SM_CLOCK",       "FAKE_NVML_POWER_LIMIT",     "FAKE_NVML_NOT_SUPPORTED",
    "FAKE_NVML_LOST",           "FAKE_NVML_INIT_FAIL",
};

class GpuHealthSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kSnapshotFakeVariables) ::unsetenv(name);
  }
  void TearDown() override { SetUp(); }

  static NodeGpuHealth read(const char* library = ASSAY_FAKE_NVML) {
    Expected<NodeGpuHealth> health = read_gpu_health(std::string(library));
    EXPECT_TRUE(health.ok()) << health.error().message;
    return health.ok() ? std::move(health).value() : NodeGpuHealth{};
  }
};

TEST_F(GpuHealthSnapshotTest, DecodesEveryReadingOfEveryGpu) {
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  ::setenv("FAKE_NVML_ECC_UNCORRECTED", "0,3", 1);
  ::setenv("FAKE_NVML_ECC_UNCORRECTED_AGGREGATE", "0,11", 1);
  ::setenv("FAKE_NVML_ECC_CORRECTED", "0,42", 1);
  ::setenv("FAKE_NVML_PCIE_WIDTH", "16/16,8/16", 1);
  ::setenv("FAKE_NVML_PCIE_GEN", "5/5/5,1/4/5", 1);
  ::setenv("FAKE_NVML_REMAPPED_ROWS", "0/0,2/1", 1);
  ::setenv("FAKE_NVML_REMAP_PENDING", "0,1", 1);
  ::setenv("FAKE_NVML_REMAP_FAILURE", "0,1", 1);
  ::setenv("FAKE_NVML_RETIRED_PAGES", "0/0,3/2", 1);
  ::setenv("FAKE_NVML_RETIRED_PENDING", "0,1", 1);
  ::setenv("FAKE_NVML_CLOCKS_EVENT_REASONS", "0x1,0x4c", 1);
  ::setenv("FAKE_NVML_TEMPERATURE", "40,85", 1);
  ::setenv("FAKE_NVML_SM_CLOCK", "1755,345", 1);
  ::setenv("FAKE_NVML_POWER_LIMIT", "700/700,450/700", 1);
  const NodeGpuHealth node = read();
  EXPECT_EQ(node.library, ASSAY_FAKE_NVML);
  EXPECT_THAT(node.driver_version, Optional(std::string("580.65.06")));
  EXPECT_THAT(node.nvml_version, Optional(std::string("13.580.65.06")));
  EXPECT_THAT(node.missing_functions, IsEmpty());
  EXPECT_FALSE(node.taken_at.empty());
  ASSERT_THAT(node.gpus, SizeIs(2));

  const GpuHealthSnapshot& g = node.gpus[1];
  EXPECT_EQ(g.index, 1u);
  EXPECT_EQ(g.name, "Fake GPU 1");
  EXPECT_EQ(g.uuid, "GPU-fa4e0000-0000-0000-0000-000000000001");
  EXPECT_TRUE(g.lost.empty());
  EXPECT_THAT(g.serial, Optional(std::string("1650000000001")));
  EXPECT_THAT(g.pci_bus_id, Optional(std::string("00000000:28:00.0")));
  EXPECT_THAT(g.vbios_version, Optional(std::string("96.00.74.00.01")));
  EXPECT_THAT(g.pcie.gen_current, Optional(1u));
  EXPECT_THAT(g.pcie.gen_max, Optional(4u));
  EXPECT_THAT(g.pcie.gen_gpu_max, Optional(5u));
  EXPECT_THAT(g.pcie.width_current, Optional(8u));
  EXPECT_THAT(g.pcie.width_max, Optional(16u));
  EXPECT_THAT(g.ecc_enabled, Optional(true));
  EXPECT_THAT(g.ecc_pending_enabled, Optional(true));
  EXPECT_THAT(g.ecc.volatile_uncorrected, Optional(3u));
  EXPECT_THAT(g.ecc.aggregate_uncorrected, Optional(11u));
  EXPECT_THAT(g.ecc.volatile_corrected, Optional(42u));
  EXPECT_THAT(g.ecc.aggregate_corrected, Optional(42u));
  EXPECT_THAT(g.retired_pages.multiple_single_bit, Optional(3u));
  EXPECT_THAT(g.retired_pages.double_bit, Optional(2u));
  EXPECT_THAT(g.retired_pages.pending, Optional(true));
  ASSERT_TRUE(g.remapped_rows.has_value());
  EXPECT_EQ(g.remapped_rows->corrected, 2u);
  EXPECT_EQ(g.remapped_rows->uncorrected, 1u);
  EXPECT_TRUE(g.remapped_rows->pending);
  EXPECT_TRUE(g.remapped_rows->failure);
  EXPECT_THAT(g.sm_clock_hz, Optional(345e6));
  EXPECT_THAT(g.sm_clock_max_hz, Optional(1980e6));
  EXPECT_THAT(g.memory_clock_hz, Optional(2619e6));
  EXPECT_THAT(g.memory_clock_max_hz, Optional(2619e6));
  EXPECT_THAT(g.clocks_event_reasons, Optional(0x4cu));
  EXPECT_THAT(g.temperature_kelvin, Optional(DoubleNear(358.15, 1e-9)));
  EXPECT_THAT(g.slowdown_temperature_kelvin, Optional(DoubleNear(360.15, 1e-9)));
  EXPECT_THAT(g.power_limit_watts, Optional(450.0));
  EXPECT_THAT(g.default_power_limit_watts, Optional(700.0));
  EXPECT_THAT(g.memory_total_bytes, Optional(80ULL << 30));
  EXPECT_THAT(g.unavailable, IsEmpty());

  // The first GPU keeps the defaults: the lists are per GPU.
  const GpuHealthSnapshot& first = node.gpus[0];
  EXPECT_THAT(first.pcie.width_current, Optional(16u));
  EXPECT_THAT(first.ecc.volatile_uncorrected, Optional(0u));
  EXPECT_FALSE(first.remapped_rows->failure);
  EXPECT_THAT(first.pci_bus_id, Optional(std::string("00000000:18:00.0")));
}

TEST_F(GpuHealthSnapshotTest, AnOlderDriverLacksSomeFunctionsAndTheRestIsRead) {
  const NodeGpuHealth node = read(ASSAY_FAKE_NVML_OLD);
  // The clock reasons fall back to their older name, so they are not missing.
  EXPECT_THAT(node.missing_functions,
              ElementsAre("nvmlDeviceGetGpuMaxPcieLinkGeneration", "nvmlDeviceGetRemappedRows"));
  ASSERT_THAT(node.gpus, SizeIs(1));
  const GpuHealthSnapshot& g = node.gpus[0];
  EXPECT_FALSE(g.remapped_rows.has_value());
  EXPECT_FALSE(g.pcie.gen_gpu_max.has_value());
  EXPECT_THAT(g.pcie.gen_max, Optional(5u));
  EXPECT_THAT(g.clocks_event_reasons, Optional(0x1u));
  EXPECT_THAT(g.ecc.volatile_uncorrected, Optional(0u));
  EXPECT_THAT(g.unavailable, IsEmpty()) << "missing functions are said once for the node";
}

TEST_F(GpuHealthSnapshotTest, WhatAGpuDoesNotSupportIsSaidPerReading) {
  ::setenv("FAKE_NVML_NOT_SUPPORTED", "nvmlDeviceGetRemappedRows,nvmlDeviceGetSerial", 1);
  ::setenv("FAKE_NVML_ECC_MODE", "0/0", 1);
  const NodeGpuHealth node = read();
  const GpuHealthSnapshot& g = node.gpus[0];
  EXPECT_FALSE(g.serial.has_value());
  EXPECT_FALSE(g.remapped_rows.has_value());
  EXPECT_THAT(g.ecc_enabled, Optional(false));
  EXPECT_FALSE(g.ecc.volatile_uncorrected.has_value());
  EXPECT_THAT(g.unavailable, Contains("serial: not supported on this GPU (nvmlDeviceGetSerial)"));
  EXPECT_THAT(g.unavailable, Contains("remapped_rows: not supported on this GPU (nvmlDeviceGetRemappedRows)"));
  EXPECT_THAT(g.unavailable,
              Contains("ecc.volatile_uncorrected: not supported on this GPU (nvmlDeviceGetTotalEccErrors)"));
  EXPECT_TRUE(g.temperature_kelvin.has_value()) << "the other readings go on";
}

TEST_F(GpuHealthSnapshotTest, AGpuNvmlCannotReachIsKeptAsLost) {
  ::setenv("FAKE_NVML_DEVICES", "3", 1);
  ::setenv("FAKE_NVML_LOST", "1", 1);
  const NodeGpuHealth node = read();
  ASSERT_THAT(node.gpus, SizeIs(3));
  EXPECT_TRUE(node.gpus[0].lost.empty());
  EXPECT_EQ(node.gpus[1].lost, "nvmlDeviceGetName: GPU is lost (15)");
  EXPECT_TRUE(node.gpus[1].uuid.empty());
  EXPECT_FALSE(node.gpus[1].temperature_kelvin.has_value());
  EXPECT_TRUE(node.gpus[2].lost.empty());
  EXPECT_TRUE(node.gpus[2].temperature_kelvin.has_value());
}

TEST_F(GpuHealthSnapshotTest, UncorrectableCountersCanGrowBetweenReads) {
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  ::setenv("FAKE_NVML_ECC_GROWTH", "0,2", 1);
  const NodeGpuHealth before = read();
  const NodeGpuHealth after = read();
  EXPECT_EQ(*after.gpus[0].ecc.volatile_uncorrected, *before.gpus[0].ecc.volatile_uncorrected);
  EXPECT_EQ(*after.gpus[1].ecc.volatile_uncorrected, *before.gpus[1].ecc.volatile_uncorrected + 2);
  EXPECT_EQ(*after.gpus[1].ecc.aggregate_uncorrected, *before.gpus[1].ecc.aggregate_uncorrected + 2);
}

TEST_F(GpuHealthSnapshotTest, NoGpuNoLibraryAndAFailingDriverAreEnvironmentErrors) {
  ::setenv("FAKE_NVML_DEVICES", "0", 1);
  auto none = read_gpu_health(std::string(ASSAY_FAKE_NVML));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, ErrorKind::environment);
  EXPECT_EQ(none.error().message, "no NVIDIA GPU (NVML reports 0 devices)");
  auto counted = count_nvidia_gpus(ASSAY_FAKE_NVML);
  ASSERT_FALSE(counted.ok());
  EXPECT_EQ(counted.error().message, "no NVIDIA GPU (NVML reports 0 devices)");

  ::setenv("FAKE_NVML_DEVICES", "4", 1);
  counted = count_nvidia_gpus(ASSAY_FAKE_NVML);
  ASSERT_TRUE(counted.ok()) << counted.error().message;
  EXPECT_EQ(*counted, 4u);

  auto absent = read_gpu_health(std::string("/nonexistent/libnvidia-ml.so.1"));
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().kind, ErrorKind::environment);
  EXPECT_THAT(absent.error().message, StartsWith("NVML not available: /nonexistent/libnvidia-ml.so.1"));

  ::setenv("FAKE_NVML_INIT_FAIL", "1", 1);
  auto failing = read_gpu_health(std::string(ASSAY_FAKE_NVML));
  ASSERT_FALSE(failing.ok());
  EXPECT_THAT(failing.error().message, HasSubstr("Driver Not Loaded (9)"));
}

TEST_F(GpuHealthSnapshotTest, InventoryJsonHasEveryFieldAndNullForWhatIsMissing) {
  ::setenv("FAKE_NVML_CLOCKS_EVENT_REASONS", "0x44", 1);
  NodeGpuHealth node = read(ASSAY_FAKE_NVML_OLD);
  const Json gpus = gpu_health_json(node);
  ASSERT_TRUE(gpus.is_array());
  ASSERT_EQ(gpus.size(), 1u);
  const Json& g = gpus[0];
  EXPECT_EQ(g["index"], 0);
  EXPECT_EQ(g["name"], "Fake GPU 0");
  EXPECT_EQ(g["uuid"], "GPU-fa4e0000-0000-0000-0000-000000000000");
  EXPECT_EQ(g["serial"], "1650000000000");
  EXPECT_EQ(g["pci_bus_id"], "00000000:18:00.0");
  EXPECT_EQ(g["driver_version"], "580.65.06");
  EXPECT_EQ(g["nvml_version"], "13.580.65.06");
  EXPECT_EQ(g["vbios_version"], "96.00.74.00.00");
  EXPECT_EQ(g["pcie"]["width_current"], 16);
  EXPECT_TRUE(g["pcie"]["gen_gpu_max"].is_null()) << "the older driver lacks it";
  EXPECT_EQ(g["ecc"]["enabled"], true);
  EXPECT_EQ(g["ecc"]["volatile"]["uncorrected"], 0);
  EXPECT_EQ(g["ecc"]["aggregate"]["corrected"], 0);
  EXPECT_EQ(g["retired_pages"]["pending"], false);
  EXPECT_TRUE(g["remapped_rows"].is_null());
  EXPECT_EQ(g["clocks_hz"]["sm_max"], 1980e6);
  EXPECT_EQ(g["clocks_event_reasons"]["mask"], "0x44");
  EXPECT_EQ(g["clocks_event_reasons"]["names"], Json::array({"sw_power_cap", "hw_thermal_slowdown"}));
  EXPECT_DOUBLE_EQ(g["temperature_k"].get<double>(), 313.15);
  EXPECT_EQ(g["power_limit_w"], 700.0);
  EXPECT_EQ(g["memory_total_bytes"], 80ULL << 30);
  EXPECT_TRUE(g["not_available"].is_array());
  EXPECT_FALSE(g.contains("lost"));
}

}  // namespace
}  // namespace assay
