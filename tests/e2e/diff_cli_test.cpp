// `assay diff` end to end: a bundle from the built binary, a copy of it with one metric
// made clearly worse, and the exit codes CI gates on (docs/diff.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_assay;
using testing::write_text;

/// Sets the samples of `key` in the bundle's summary.json to `level` with a spread of
/// 0.1% a sample: the measured samples of a loaded test machine can spread twofold,
/// which would make a halving less than clear by chance.
void set_samples(const fs::path& bundle, const std::string& key, double level) {
  Json summary = Json::parse(read_text(bundle / "summary.json"));
  int set = 0;
  for (auto& result : summary["results"]) {
    for (auto& metric : result["metrics"]) {
      if (metric["key"] != key) continue;
      double spread = 1.0;
      for (auto& sample : metric["samples"]) {
        sample = level * spread;
        spread += 0.001;
      }
      ++set;
    }
  }
  ASSERT_EQ(set, 1) << key;
  write_text(bundle / "summary.json", summary.dump(2));
}

/// The line of `text` that holds both `a` and `b`, or "".
std::string line_with(const std::string& text, const std::string& a, const std::string& b) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) return line;
  }
  return {};
}

// One run shared by the tests: the bundle is only read, and copied before editing.
class DiffCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::make_temp_dir("diff"));
    const std::string plan = *dir_ + "/plan.toml";
    write_text(plan, testing::small_quick_plan("e2e diff"));
    const auto r = run_assay({"run", plan, "--out", *dir_ + "/results"});
    run_ok_ = r.exit_code == 0 || r.exit_code == 1;
    if (!run_ok_) {
      run_failure_ = new std::string("exit " + std::to_string(r.exit_code) + "\n" + r.out + r.err);
      return;
    }
    const std::string bundle = testing::only_bundle(*dir_ + "/results");
    if (!bundle.empty()) bundle_ = new fs::path(bundle);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete bundle_;
    delete run_failure_;
  }
  void SetUp() override { ASSERT_TRUE(run_ok_ && bundle_) << (run_failure_ ? *run_failure_ : "no bundle"); }

  fs::path copy_of_bundle(const std::string& name) const {
    const fs::path copy = fs::path(*dir_) / name;
    fs::remove_all(copy);
    fs::copy(*bundle_, copy, fs::copy_options::recursive);
    return copy;
  }

  static std::string* dir_;
  static fs::path* bundle_;
  static bool run_ok_;
  static std::string* run_failure_;
};

std::string* DiffCli::dir_ = nullptr;
fs::path* DiffCli::bundle_ = nullptr;
bool DiffCli::run_ok_ = false;
std::string* DiffCli::run_failure_ = nullptr;

TEST_F(DiffCli, IdenticalBundlesHaveNoRegression) {
  const fs::path b = copy_of_bundle("same");
  const auto r = run_assay({"diff", bundle_->string(), b.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Result: no significant regression."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("e2e diff"), std::string::npos) << r.out;  // the plans are named

  const auto all = run_assay({"diff", bundle_->string(), b.string(), "--all"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(line_with(all.out, "cpu.fma.fp64", "0%"), "") << all.out;

  const auto json = run_assay({"diff", bundle_->string(), b.string(), "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  const Json j = Json::parse(json.out);
  EXPECT_EQ(j["schema"], "assay.diff/1");
  EXPECT_EQ(j["regression"], false);
  EXPECT_GT(j["counts"]["matched"].get<int>(), 3);
  EXPECT_TRUE(j["changes"].empty()) << j["changes"].dump(2);
}

TEST_F(DiffCli, AClearRegressionExitsOneAndNamesTheRow) {
  const fs::path a = copy_of_bundle("before");
  const fs::path b = copy_of_bundle("slower");
  set_samples(a, "cpu.fma.fp64", 2e11);
  set_samples(b, "cpu.fma.fp64", 1e11);
  const auto r = run_assay({"diff", a.string(), b.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string row = line_with(r.out, "REGRESSION", "cpu.fma.fp64");
  EXPECT_NE(row, "") << r.out;
  EXPECT_NE(row.find("-50.0% worse"), std::string::npos) << row;
  EXPECT_NE(r.out.find("Result: 1 significant regression."), std::string::npos) << r.out;

  const auto json = run_assay({"diff", a.string(), b.string(), "--json"});
  EXPECT_EQ(json.exit_code, 1) << json.err;
  const Json j = Json::parse(json.out);
  EXPECT_EQ(j["regression"], true);
  ASSERT_FALSE(j["changes"].empty());
  EXPECT_EQ(j["changes"][0]["key"], "cpu.fma.fp64");
  EXPECT_EQ(j["changes"][0]["class"], "regression");
  EXPECT_NEAR(j["changes"][0]["change"].get<double>(), -0.5, 1e-9);

  // The other way round it is an improvement, and nothing to gate on.
  const auto back = run_assay({"diff", b.string(), a.string()});
  EXPECT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_NE(line_with(back.out, "IMPROVEMENT", "cpu.fma.fp64"), "") << back.out;
}

TEST_F(DiffCli, BadInputExitsTwoNamingIt) {
  const std::string missing = *dir_ + "/no-such-bundle";
  const auto r = run_assay({"diff", bundle_->string(), missing});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  const fs::path empty = fs::path(*dir_) / "empty";
  fs::create_directories(empty);
  const auto not_bundle = run_assay({"diff", empty.string(), bundle_->string()});
  EXPECT_EQ(not_bundle.exit_code, 2);
  EXPECT_NE(not_bundle.err.find("summary.json"), std::string::npos) << not_bundle.err;

  const fs::path broken = copy_of_bundle("broken");
  write_text(broken / "summary.json", "{\"schema\": \"assay.summary/1\", ");
  const auto unparseable = run_assay({"diff", bundle_->string(), broken.string()});
  EXPECT_EQ(unparseable.exit_code, 2);
  EXPECT_NE(unparseable.err.find((broken / "summary.json").string()), std::string::npos) << unparseable.err;

  const auto flag = run_assay({"diff", bundle_->string(), bundle_->string(), "--threshold", "-3"});
  EXPECT_EQ(flag.exit_code, 2) << flag.err;
  const auto one_dir = run_assay({"diff", bundle_->string()});
  EXPECT_EQ(one_dir.exit_code, 2) << one_dir.err;
}

}  // namespace
}  // namespace assay
