// The quick start: `assay run` with no arguments, and what happens when it is stopped.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;

using testing::only_bundle;

Json read_json(const fs::path& path) { return Json::parse(testing::read_text(path.string()), nullptr, false); }

TEST(DefaultRun, RunsTheQuickSuiteIntoAssayResults) {
  const std::string dir = testing::make_temp_dir("default");
  const auto r = testing::run_assay({"run"}, dir);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << "\n" << r.out << r.err;
  EXPECT_NE(r.out.find("STATUS"), std::string::npos);
  const fs::path bundle = only_bundle((fs::path(dir) / "assay-results").string());
  const Json summary = read_json(bundle / "summary.json");
  ASSERT_FALSE(summary.is_discarded());
  EXPECT_EQ(summary["plan"]["suite"], "quick");
  EXPECT_EQ(summary["results"].size(), 3u);
  fs::remove_all(dir);
}

TEST(DefaultRun, SigtermStopsTheRunAndStillLeavesABundle) {
  const std::string dir = testing::make_temp_dir("sigterm");
  // cpu.fma with long repetitions: the signal arrives while it runs.
  std::ofstream(dir + "/slow.toml") << "[system]\nname = \"slow\"\n[run]\nprobes = [\"cpu.fma\", \"cpu.gemm\"]\n"
                                       "[probes.cpu.fma]\nrepetitions = 50\nseconds = 1\n";
  const auto r = testing::run_assay_signalled({"run", "slow.toml"}, dir, 1500, SIGTERM);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("--resume"), std::string::npos) << r.out;
  const fs::path bundle = only_bundle((fs::path(dir) / "assay-results").string());
  const Json summary = read_json(bundle / "summary.json");
  ASSERT_FALSE(summary.is_discarded());
  EXPECT_FALSE(summary["accepted"].get<bool>());
  ASSERT_EQ(summary["results"].size(), 1u);
  EXPECT_EQ(summary["results"][0]["status"], "error");
  EXPECT_NE(summary["results"][0]["error"].get<std::string>().find("interrupted"), std::string::npos);
  fs::remove_all(dir);
}

TEST(PlanInit, FromHostWritesAPlanThatChecks) {
  const std::string dir = testing::make_temp_dir("init");
  const std::string plan = dir + "/host.toml";
  auto r = testing::run_assay({"plan", "init", "--from-host", "-o", plan});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = testing::run_assay({"plan", "check", plan});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Refuses to overwrite without --force.
  r = testing::run_assay({"plan", "init", "--from-host", "-o", plan});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--force"), std::string::npos);
  r = testing::run_assay({"plan", "init"});
  EXPECT_EQ(r.exit_code, 0);
  std::ofstream(dir + "/template.toml") << r.out;
  r = testing::run_assay({"plan", "check", dir + "/template.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace assay
