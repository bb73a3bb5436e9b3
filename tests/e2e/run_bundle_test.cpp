// `assay run` end to end: a plan in, a valid bundle out, reports reproducible from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using testing::only_bundle;
using testing::read_text;
using testing::run_assay;

class RunBundle : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("run");
    plan_ = (fs::path(dir_) / "plan.toml").string();
    testing::write_text(plan_, testing::small_quick_plan("e2e small"));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, plan_;
};

TEST_F(RunBundle, WritesAValidBundleAndPrintsTheVerdictTable) {
  const auto r = run_assay({"run", plan_, "--out", dir_ + "/results"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << "\n" << r.out << r.err;
  EXPECT_NE(r.out.find("STATUS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpu.fma.fp64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bundle: "), std::string::npos);

  const fs::path bundle = only_bundle(dir_ + "/results");
  EXPECT_NE(bundle.filename().string().find("-e2e-small"), std::string::npos) << bundle;
  for (const char* f : {"plan.toml", "inventory.json", "journal.jsonl", "summary.json", "report.md"}) {
    EXPECT_TRUE(fs::is_regular_file(bundle / f)) << f;
  }
  const Json summary_json = Json::parse(read_text(bundle / "summary.json"));
  auto summary = summary_from_json(summary_json, "summary.json");
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->plan_name, "e2e small");
  ASSERT_EQ(summary->results.size(), 3u);
  for (const auto& res : summary->results) {
    EXPECT_EQ(res.status, ProbeStatus::ok) << res.probe << ": " << res.error;
    EXPECT_TRUE(res.validation.passed) << res.probe;
    EXPECT_FALSE(res.metrics.empty()) << res.probe;
  }
  EXPECT_EQ(summary->accepted, r.exit_code == 0);
  // cpu.fma is judged against the peak it derived; nothing is left unjudged silently.
  bool fma_judged = false;
  for (const auto& v : summary->verdicts) {
    if (v.key == "cpu.fma.fp64") fma_judged = v.derived && v.rated.has_value();
  }
  EXPECT_TRUE(fma_judged);

  // One journal line per result, each a valid result.
  std::ifstream journal(bundle / "journal.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(journal, line)) {
    ++lines;
    EXPECT_TRUE(result_from_json(Json::parse(line), "journal").ok());
  }
  EXPECT_EQ(lines, 3);

  // The inventory names this machine's CPU.
  const Json inventory = Json::parse(read_text(bundle / "inventory.json"));
  EXPECT_FALSE(inventory["nodes"][0]["cpu"]["model_name"].get<std::string>().empty());

  // Reports come back from the bundle alone, identical.
  const auto md = run_assay({"report", bundle.string(), "--format", "md"});
  EXPECT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out, read_text(bundle / "report.md"));
  const auto json = run_assay({"report", bundle.string(), "--format", "json"});
  EXPECT_EQ(Json::parse(json.out), summary_json);

  // The bundle's plan is complete and loads on its own.
  const auto check = run_assay({"plan", "check", (bundle / "plan.toml").string()});
  EXPECT_EQ(check.exit_code, 0) << check.err;
}

TEST_F(RunBundle, ResumeKeepsWhatWasMeasuredAndRunsTheRest) {
  ASSERT_LE(run_assay({"run", plan_, "--out", dir_ + "/results"}).exit_code, 1);
  const fs::path bundle = only_bundle(dir_ + "/results");
  // Pretend the run died after its first probe.
  std::ifstream in(bundle / "journal.jsonl");
  std::string first;
  std::getline(in, first);
  in.close();
  testing::write_text(bundle / "journal.jsonl", first + "\n");
  fs::remove(bundle / "summary.json");

  const auto r = run_assay({"run", "--resume", bundle.string()});
  ASSERT_LE(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("kept from the resumed bundle"), std::string::npos) << r.err;
  auto summary = summary_from_json(Json::parse(read_text(bundle / "summary.json")), "summary.json");
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->results.size(), 3u);
  EXPECT_EQ(to_json(summary->results[0]).dump(), Json::parse(first).dump());
}

TEST_F(RunBundle, ResumeOfSomethingThatIsNotABundleExits2) {
  // dir_ holds a plan.toml but is not a bundle: no inventory.json.
  auto r = run_assay({"run", "--resume", dir_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a bundle (no inventory.json"), std::string::npos) << r.err;
  fs::create_directories(dir_ + "/empty");
  r = run_assay({"run", "--resume", dir_ + "/empty"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a bundle (no plan.toml"), std::string::npos) << r.err;
  r = run_assay({"run", plan_, "--resume", dir_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("do not give PLAN"), std::string::npos) << r.err;
}

TEST_F(RunBundle, ABadPlanExits2NamingTheLine) {
  const std::string bad = dir_ + "/bad.toml";
  testing::write_text(bad, "[system]\nname = \"x\"\n\n[criteria]\nmin_fraction = \"most\"\n");
  const auto r = run_assay({"run", bad, "--out", dir_ + "/results"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.toml:5:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("min_fraction"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/results"));
}

TEST_F(RunBundle, AMissingPlanFileExits2NamingIt) {
  const auto r = run_assay({"run", dir_ + "/absent.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("absent.toml"), std::string::npos) << r.err;
}

TEST_F(RunBundle, AnUnwritableOutputDirectoryExits2) {
  testing::write_text(dir_ + "/file", "x");
  const auto r = run_assay({"run", plan_, "--out", dir_ + "/file"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir_ + "/file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace assay
