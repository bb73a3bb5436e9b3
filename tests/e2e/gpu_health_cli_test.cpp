// gpu.health through the built binary: skipped with the reason on this machine (no
// driver), and with the stand-in NVML put where the driver's library would be (a
// libnvidia-ml.so.1 on LD_LIBRARY_PATH), read per GPU, recorded in inventory.json, and
// a GPU with new uncorrectable errors during a run failing that run by name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::run_assay;

constexpr const char* kVariables[] = {"LD_LIBRARY_PATH",      "FAKE_NVML_DEVICES",       "FAKE_NVML_PCIE_WIDTH",
                                      "FAKE_NVML_REMAP_FAILURE", "FAKE_NVML_ECC_GROWTH", "FAKE_NVML_PCIE_GEN"};

const Json* find_metric(const Json& result, const std::string& key, const std::string& subject) {
  for (const Json& m : result["metrics"]) {
    if (m["key"] == key && m.value("subject", "") == subject) return &m;
  }
  return nullptr;
}

Json read_health_json(const fs::path& file) {
  std::ifstream in(file);
  return Json::parse(in, nullptr, false);
}

class GpuHealthCli : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) ::unsetenv(name);
  }
  void TearDown() override {
    SetUp();
    for (const auto& dir : dirs_) fs::remove_all(dir);
  }

  // The stand-in under the driver's soname, found by the dynamic loader as the real one
  // would be; assay itself is not told about it.
  void install_fake_driver() {
    const std::string dir = temp_dir("fake-driver");
    fs::create_symlink(ASSAY_FAKE_NVML, fs::path(dir) / "libnvidia-ml.so.1");
    ::setenv("LD_LIBRARY_PATH", dir.c_str(), 1);
  }

  std::string temp_dir(const std::string& tag) {
    dirs_.push_back(testing::make_temp_dir(tag));
    return dirs_.back();
  }

  std::vector<std::string> dirs_;
};

TEST_F(GpuHealthCli, WithoutTheDriverTheProbeIsSkippedWithTheReason) {
  const auto r = run_assay({"probe", "gpu.health", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.out;
  ASSERT_EQ(j.size(), 1u);
  if (j[0]["status"] == "ok") GTEST_SKIP() << "the NVIDIA driver is installed here";
  EXPECT_EQ(j[0]["status"], "skipped");
  EXPECT_THAT(j[0]["reason"].get<std::string>(), StartsWith("no NVIDIA GPU"));
  EXPECT_THAT(j[0]["reason"].get<std::string>(), HasSubstr("libnvidia-ml.so.1"));

  const auto list = run_assay({"list"});
  EXPECT_THAT(list.out, HasSubstr("gpu.health")) << list.err;
  EXPECT_THAT(list.out, HasSubstr("no NVIDIA GPU"));
}

TEST_F(GpuHealthCli, WithTheStandInEveryGpuIsReadAndProblemsAreCounted) {
  install_fake_driver();
  ::setenv("FAKE_NVML_DEVICES", "3", 1);
  ::setenv("FAKE_NVML_PCIE_WIDTH", "16/16,8/16,16/16", 1);
  ::setenv("FAKE_NVML_REMAP_FAILURE", "0,0,1", 1);
  const auto r = run_assay({"probe", "gpu.health", "--json", "--power", "off", "--set",
                            std::string("nvml_library=") + ASSAY_FAKE_NVML});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.out;
  const Json& result = j[0];
  ASSERT_EQ(result["status"], "ok") << result.dump(2);
  EXPECT_EQ(result["params"]["nvml_library"], ASSAY_FAKE_NVML);
  for (const auto& [gpu, count] : std::vector<std::pair<std::string, double>>{{"gpu0", 0}, {"gpu1", 1}, {"gpu2", 1}}) {
    const Json* problems = find_metric(result, "gpu.health.problems", gpu);
    ASSERT_NE(problems, nullptr) << gpu;
    EXPECT_EQ((*problems)["value"], count) << gpu;
  }
  EXPECT_THAT((*find_metric(result, "gpu.health.problems", "gpu1"))["note"].get<std::string>(),
              HasSubstr("x8, below its maximum x16"));
  const Json* temperature = find_metric(result, "gpu.health.temperature", "gpu0");
  ASSERT_NE(temperature, nullptr);
  EXPECT_EQ((*temperature)["unit"], "K");
  EXPECT_TRUE(result_from_json(result, "stdout").ok());
}

TEST_F(GpuHealthCli, ARunRecordsTheGpusAndFailsTheOneThatGainedErrorsByName) {
  install_fake_driver();
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  ::setenv("FAKE_NVML_ECC_GROWTH", "0,3", 1);  // gpu1 gains 3 uncorrectable errors per read
  ::setenv("FAKE_NVML_PCIE_GEN", "2/5/5", 1);  // idle link: a note only
  const std::string dir = temp_dir("gpu-health-run");
  const std::string plan = dir + "/plan.toml";
  std::ofstream(plan) << R"(
[system]
name = "e2e gpu health"

[run]
probes = ["gpu.health"]

[rated]
"gpu.health.temperature" = { value = "358 K", source = "test: 85 degrees C at most" }
)";
  const auto r = run_assay({"run", plan, "--out", dir + "/out"});
  ASSERT_EQ(r.exit_code, 1) << "gpu1 fails\n" << r.out << r.err;
  fs::path bundle;
  for (const auto& e : fs::directory_iterator(dir + "/out")) bundle = e.path();

  const Json inventory = read_health_json(bundle / "inventory.json");
  ASSERT_FALSE(inventory.is_discarded());
  const Json& gpus = inventory["nodes"][0]["gpus"];
  ASSERT_EQ(gpus.size(), 2u) << inventory.dump(2);
  EXPECT_EQ(gpus[1]["uuid"], "GPU-fa4e0000-0000-0000-0000-000000000001");
  EXPECT_EQ(gpus[1]["serial"], "1650000000001");
  EXPECT_EQ(gpus[1]["driver_version"], "580.65.06");
  EXPECT_EQ(gpus[1]["ecc"]["volatile"]["uncorrected"], 0) << "the first read, at the start";

  const Json summary = read_health_json(bundle / "summary.json");
  ASSERT_FALSE(summary.is_discarded());
  const Json& result = summary["results"][0];
  ASSERT_EQ(result["status"], "ok") << result.dump(2);
  std::string notes;
  for (const Json& n : result["notes"]) notes += n.get<std::string>() + "\n";
  EXPECT_THAT(notes, HasSubstr("with the node's inventory through libnvidia-ml.so.1 (2 GPUs), matched by UUID"));
  EXPECT_THAT(notes, HasSubstr("gpu0: PCIe link at Gen2 now, Gen5 at most"));
  EXPECT_GT((*find_metric(result, "gpu.health.ecc_uncorrected_new", "gpu1"))["value"].get<double>(), 0);
  EXPECT_EQ((*find_metric(result, "gpu.health.ecc_uncorrected_new", "gpu0"))["value"], 0);

  int fails = 0, passes = 0, temperatures = 0;
  for (const Json& v : summary["verdicts"]) {
    if (v["key"] == "gpu.health.problems") {
      if (v["subject"] == "gpu1") {
        EXPECT_EQ(v["status"], "FAIL") << v.dump();
        EXPECT_THAT(v["message"].get<std::string>(),
                    AllOf(HasSubstr("new uncorrectable ECC errors since the baseline"), HasSubstr("volatile 0 -> ")));
        ++fails;
      } else {
        EXPECT_EQ(v["status"], "PASS") << v.dump();
        ++passes;
      }
    }
    if (v["key"] == "gpu.health.temperature") {
      EXPECT_EQ(v["status"], "PASS") << v.dump();  // 313 K <= 358 K
      ++temperatures;
    }
  }
  EXPECT_EQ(fails, 1);
  EXPECT_EQ(passes, 1);
  EXPECT_EQ(temperatures, 2);
  EXPECT_EQ(summary["accepted"], false);

  // The verdicts follow from the bundle alone (once this assay has `verify`).
  const auto verified = run_assay({"verify", bundle.string()});
  if (verified.err.find("unknown command 'verify'") == std::string::npos) {
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  }
}

}  // namespace
}  // namespace assay
