// Power beside a run, as a user gets it: a plan's [power] pointing at a powercap tree
// whose counters a helper process advances at a known rate; every probe's result carries
// its power and efficiency, a budget is judged as a limit, the bundle's plan keeps
// [power]; power.sample on its own; and what this machine (no RAPL, no hwmon) says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "e2e/run_assay.h"
#include "power/power_test_helpers.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;
using testing::CounterWriter;
using testing::FixtureTree;
using testing::run_assay;

constexpr double kPackageWatts = 150.0;
constexpr double kDramWatts = 10.0;
constexpr std::uint64_t kRange = 262'143'328'850;  // a real package's range

// A powercap tree with a package and its DRAM drawing known power.
class PowerRun : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [id, name] : {std::pair{"intel-rapl:0", "package-0"}, std::pair{"intel-rapl:0:0", "dram"}}) {
      tree_.write(std::string(id) + "/name", std::string(name) + "\n");
      tree_.write(std::string(id) + "/max_energy_range_uj", std::to_string(kRange) + "\n");
    }
    package_ = std::make_unique<CounterWriter>(tree_.path() / "intel-rapl:0/energy_uj", kPackageWatts, kRange - 50'000'000, kRange);
    dram_ = std::make_unique<CounterWriter>(tree_.path() / "intel-rapl:0:0/energy_uj", kDramWatts, 0, kRange);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  std::string write_plan(const std::string& extra) const {
    const fs::path plan = tree_.path().parent_path() / (tree_.path().filename().string() + ".toml");
    std::ofstream(plan) << R"(
[system]
name = "e2e power"

[run]
probes = ["cpu.fma", "memory.stream"]

# Windows of a few seconds: the counters' writer may run some milliseconds late on a
# loaded machine, an error that shrinks as the window grows.
[probes.cpu.fma]
repetitions = 3
seconds = 0.5

[probes.memory.stream]
elements = 4000000
repetitions = 20

[power]
sources = ["powercap"]
interval = "50 ms"
powercap_root = ")" + tree_.path().string() + "\"\n" + extra;
    return plan.string();
  }

  FixtureTree tree_{"e2e-powercap"};
  std::unique_ptr<CounterWriter> package_, dram_;
};

const Json* find_metric(const Json& result, const std::string& key, const std::string& subject = {}) {
  for (const Json& m : result["metrics"]) {
    if (m["key"] == key && (subject.empty() || m.value("subject", "") == subject)) return &m;
  }
  return nullptr;
}

Json read_power_json(const fs::path& file) {
  std::ifstream in(file);
  return Json::parse(in, nullptr, false);
}

TEST_F(PowerRun, EveryProbeCarriesItsPowerAndEfficiencyAndABudgetIsALimit) {
  const std::string out = testing::make_temp_dir("e2e-power-out");
  const std::string plan = write_plan(R"(
[rated]
"power.powercap.peak_watts" = { value = "100 W", source = "test budget" }
"power.powercap.watts" = { value = "1 kW", source = "test budget" }
)");
  const auto r = run_assay({"run", plan, "--out", out});
  ASSERT_EQ(r.exit_code, 1) << "the 100 W budget is exceeded\n" << r.out << r.err;
  fs::path bundle;
  for (const auto& e : fs::directory_iterator(out)) bundle = e.path();
  const Json summary = read_power_json(bundle / "summary.json");
  ASSERT_FALSE(summary.is_discarded());
  ASSERT_EQ(summary["results"].size(), 2u);
  for (const Json& result : summary["results"]) {
    SCOPED_TRACE(result["probe"].get<std::string>());
    ASSERT_EQ(result["status"], "ok") << result.dump(2);
    const Json* package = find_metric(result, "power.powercap.watts", "package-0");
    ASSERT_NE(package, nullptr);
    EXPECT_NEAR((*package)["value"].get<double>(), kPackageWatts, kPackageWatts * 0.02);
    const Json* dram = find_metric(result, "power.powercap.watts", "package-0/dram");
    ASSERT_NE(dram, nullptr);
    EXPECT_NEAR((*dram)["value"].get<double>(), kDramWatts, kDramWatts * 0.02);
    ASSERT_NE(find_metric(result, "power.powercap.energy", "package-0"), nullptr);
    ASSERT_NE(find_metric(result, "power.powercap.peak_watts", "package-0"), nullptr);
  }
  const Json& fma = summary["results"][0];
  const Json* fp64 = find_metric(fma, "cpu.fma.fp64");
  const Json* efficiency = find_metric(fma, "cpu.fma.fp64_per_watt");
  ASSERT_NE(fp64, nullptr);
  ASSERT_NE(efficiency, nullptr);
  EXPECT_EQ((*efficiency)["unit"], "FLOP/J");
  EXPECT_NEAR((*efficiency)["value"].get<double>(), (*fp64)["value"].get<double>() / (kPackageWatts + kDramWatts),
              (*efficiency)["value"].get<double>() * 0.03);
  ASSERT_NE(find_metric(summary["results"][1], "memory.stream.triad_per_watt"), nullptr);

  int failed_budgets = 0, passed_budgets = 0;
  for (const Json& v : summary["verdicts"]) {
    if (v["key"] == "power.powercap.peak_watts" && v["subject"] == "package-0") {
      EXPECT_EQ(v["status"], "FAIL") << v.dump();
      EXPECT_THAT(v["criterion"].get<std::string>(), HasSubstr("limit"));
      ++failed_budgets;
    }
    if (v["key"] == "power.powercap.watts") {
      EXPECT_EQ(v["status"], "PASS") << v.dump();
      ++passed_budgets;
    }
  }
  EXPECT_EQ(failed_budgets, 2) << "one per probe";
  EXPECT_EQ(passed_budgets, 4) << "two domains x two probes";
  std::ifstream recorded(bundle / "plan.toml");
  std::stringstream text;
  text << recorded.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("[power]"));
  EXPECT_THAT(text.str(), HasSubstr(tree_.path().string()));
  fs::remove_all(out);
}

// Two ranks share 2 cores here: their FMA figures differ by more than a real fleet's.
constexpr const char* kLooseFleet = "[criteria]\nfleet_max_cv = 1.0\nfleet_outlier_mads = 1000\n";

// Under mpirun every node samples its own sources (here both ranks share the fixture
// tree) and rank 0's bundle holds each node's power.
TEST_F(PowerRun, EveryRankSamplesItsOwnPower) {
  const std::string mpiexec = ASSAY_MPIEXEC;
  if (mpiexec.empty()) GTEST_SKIP() << "built without MPI: no mpirun to launch two ranks";
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1", 1);  // Open MPI's own leaks (fleet_run_test)
  const std::string out = testing::make_temp_dir("e2e-power-fleet");
  const auto r = testing::run_program(mpiexec, {"--oversubscribe", "-np", "2", ASSAY_BINARY, "run", write_plan(kLooseFleet),
                                                "--out", out, "--deadline", "120"});
  // Completed (0 or 1): the FMA figures of two ranks sharing 2 busy cores may fall short
  // of the derived peak; this test is about power.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.out << r.err;
  fs::path bundle;
  for (const auto& e : fs::directory_iterator(out)) bundle = e.path();
  const Json summary = read_power_json(bundle / "summary.json");
  ASSERT_EQ(summary["results"].size(), 4u) << "two probes on two nodes";
  std::set<std::string> nodes;
  for (const Json& result : summary["results"]) {
    SCOPED_TRACE(result["node"].get<std::string>() + " " + result["probe"].get<std::string>());
    ASSERT_EQ(result["status"], "ok") << result.dump(2);
    const Json* package = find_metric(result, "power.powercap.watts", "package-0");
    ASSERT_NE(package, nullptr);
    EXPECT_NEAR((*package)["value"].get<double>(), kPackageWatts, kPackageWatts * 0.03);
    nodes.insert(result["node"].get<std::string>());
  }
  EXPECT_EQ(nodes.size(), 2u);
  bool power_scope = false;
  for (const Json& stat : summary["fleet"]) power_scope = power_scope || stat.contains("scope");
  EXPECT_TRUE(power_scope) << "power is compared across nodes per probe and domain";
  fs::remove_all(out);
}

TEST_F(PowerRun, PowerSampleMeasuresTheKnownRate) {
  const auto r = run_assay({"probe", "power.sample", "--set", "source=powercap", "--set",
                            "root=" + tree_.path().string(), "--set", "seconds=1.5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json results = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(results.is_array()) << r.out;
  const Json& result = results[0];
  EXPECT_EQ(result["status"], "ok") << result.dump(2);
  const Json* watts = find_metric(result, "power.powercap.watts", "package-0");
  ASSERT_NE(watts, nullptr) << result.dump(2);
  EXPECT_NEAR((*watts)["value"].get<double>(), kPackageWatts, kPackageWatts * 0.02);
  const Json* energy = find_metric(result, "power.powercap.energy", "package-0");
  ASSERT_NE(energy, nullptr);
  EXPECT_NEAR((*energy)["value"].get<double>(), kPackageWatts * 1.5, kPackageWatts * 1.5 * 0.03);
  EXPECT_EQ((*energy)["unit"], "J");
}

TEST(PowerOnThisMachine, PowerSampleSaysWhyItHasNoSource) {
  if (fs::exists("/sys/class/powercap") || fs::exists("/sys/class/hwmon")) {
    GTEST_SKIP() << "this machine has powercap or hwmon: the no-source path is not reachable here";
  }
  const auto r = run_assay({"probe", "power.sample", "--set", "seconds=0.2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json results = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(results.is_array()) << r.out;
  EXPECT_EQ(results[0]["status"], "skipped");
  const std::string reason = results[0]["reason"];
  EXPECT_THAT(reason, HasSubstr("powercap"));
  EXPECT_THAT(reason, HasSubstr("hwmon"));
  EXPECT_THAT(reason, HasSubstr("nvml"));
}

TEST(PowerPlan, BadPowerSettingsAreRefusedNamingTheKey) {
  const std::string dir = testing::make_temp_dir("e2e-power-plan");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sources = [\"rapl\"]", "unknown source 'rapl'"},
      {"sources = [\"redfish\"]\nredfish_endpoint = \"http://bmc\"", "allow_http"},
      {"sources = [\"redfish\"]", "redfish_endpoint"},
      {"interval = \"1 us\"", "[power] interval"},
      {"colour = \"red\"", "unknown key 'colour'"},
  };
  for (const auto& [body, expected] : cases) {
    const std::string plan = dir + "/plan.toml";
    std::ofstream(plan) << "[system]\nname = \"x\"\n[power]\n" << body << "\n";
    const auto r = run_assay({"plan", "check", plan});
    EXPECT_EQ(r.exit_code, 2) << body << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(expected)) << body;
    EXPECT_THAT(r.err, HasSubstr("plan.toml:")) << body;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace assay

namespace assay {
namespace {

// PUE and meter logs from the command line: the figure with its category and period,
// and a bad row refused with exit 2 naming its line.
TEST(PowerLogs, PueFromTheCommandLine) {
  const std::string dir = testing::make_temp_dir("e2e-pue");
  {
    std::ofstream facility(dir + "/facility.csv");
    std::ofstream it(dir + "/it.csv");
    facility << "timestamp,kWh\n";
    it << "timestamp,kWh\n";
    for (int day = 0; day <= 30; ++day) {
      const std::string date = fmt::format("2026-10-{:02}T00:00:00Z", day + 1);
      facility << date << "," << 1300.0 * 24 * day << "\n";
      it << date << "," << 1000.0 * 24 * day << "\n";
    }
  }
  const auto ok = run_assay({"probe", "power.pue", "--set", "facility=" + dir + "/facility.csv", "--set",
                             "it=" + dir + "/it.csv", "--set", "category=pdu-output", "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  const Json results = Json::parse(ok.out, nullptr, false);
  ASSERT_TRUE(results.is_array()) << ok.out;
  const Json& result = results[0];
  const Json* pue = find_metric(result, "power.pue.ratio");
  ASSERT_NE(pue, nullptr) << ok.out;
  EXPECT_NEAR((*pue)["value"].get<double>(), 1.3, 1e-9);
  EXPECT_THAT(result["notes"].dump(), HasSubstr("not an annual PUE"));
  EXPECT_THAT(result["notes"].dump(), HasSubstr("PUE2"));

  const auto no_category = run_assay({"probe", "power.pue", "--set", "facility=" + dir + "/facility.csv", "--set",
                                      "it=" + dir + "/it.csv"});
  EXPECT_EQ(no_category.exit_code, 2) << no_category.err;
  EXPECT_THAT(no_category.err, HasSubstr("category"));

  std::ofstream(dir + "/it.csv", std::ios::app) << "2026-11-01T00:00:00Z,lots\n";
  const auto bad_row = run_assay({"probe", "power.pue", "--set", "facility=" + dir + "/facility.csv", "--set",
                                  "it=" + dir + "/it.csv", "--set", "category=pdu-output"});
  EXPECT_EQ(bad_row.exit_code, 2) << bad_row.out << bad_row.err;
  EXPECT_THAT(bad_row.err, HasSubstr("it.csv:33"));
  EXPECT_THAT(bad_row.err, HasSubstr("bad_rows=skip"));
  const auto skipped = run_assay({"probe", "power.pue", "--set", "facility=" + dir + "/facility.csv", "--set",
                                  "it=" + dir + "/it.csv", "--set", "category=pdu-output", "--set", "bad_rows=skip"});
  EXPECT_EQ(skipped.exit_code, 0) << skipped.out << skipped.err;
  EXPECT_THAT(skipped.out, HasSubstr("skipped"));

  // In a run, the contracted PUE is a limit: 1.30 measured against 1.28 fails.
  const std::string plan = dir + "/pue.toml";
  std::ofstream(plan) << "[system]\nname = \"pue\"\n[run]\nprobes = [\"power.pue\"]\n"
                      << "[probes.\"power.pue\"]\nfacility = \"" << dir << "/facility.csv\"\nit = \"" << dir
                      << "/it.csv\"\ncategory = \"pdu-output\"\nbad_rows = \"skip\"\n"
                      << "[rated]\n\"power.pue.ratio\" = { value = \"1.28\", source = \"contract 7.1\" }\n";
  const auto run = run_assay({"run", plan, "--out", dir + "/out"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("power.pue.ratio"));
  EXPECT_THAT(run.out, HasSubstr("measured <= the limit (1.28)"));

  const auto meter = run_assay({"probe", "power.sample", "--set", "source=meter", "--set",
                                "file=" + dir + "/facility.csv", "--json"});
  ASSERT_EQ(meter.exit_code, 0) << meter.out << meter.err;
  const Json sampled = Json::parse(meter.out, nullptr, false);
  ASSERT_TRUE(sampled.is_array()) << meter.out;
  const Json* watts = find_metric(sampled[0], "power.meter.watts", "facility.csv");
  ASSERT_NE(watts, nullptr) << meter.out;
  EXPECT_NEAR((*watts)["value"].get<double>(), 1.3e6, 1.0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace assay
