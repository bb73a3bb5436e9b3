// The storage probes as a user runs them: `assay probe storage.*` on a scratch
// directory, SIGTERM and Ctrl-C in the middle of a run leave no files behind, and bad
// paths and sizes are refused with exit 2 naming what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;

class StorageProbeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // Disk-backed, so O_DIRECT is exercised; the bundle's temp dir may be tmpfs.
    scratch_ = fs::path("/var/tmp") / ("assay-e2e-storage-" + std::to_string(::getpid()));
    fs::create_directories(scratch_);
  }
  void TearDown() override { fs::remove_all(scratch_); }

  std::size_t entries_left() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(scratch_), fs::directory_iterator{}));
  }

  fs::path scratch_;
};

TEST_F(StorageProbeCli, EachProbeMeasuresOnAScratchDirectoryAndCleansUp) {
  const std::string path = "path=" + scratch_.string();
  const std::vector<std::vector<std::string>> runs = {
      {"probe", "storage.seq", "--set", path, "--set", "size=16 MiB", "--json"},
      {"probe", "storage.rand", "--set", path, "--set", "size=16 MiB", "--set", "seconds=0.5", "--set", "ramp=0.1",
       "--json"},
      {"probe", "storage.meta", "--set", path, "--set", "files=300", "--json"},
  };
  for (const auto& args : runs) {
    const auto r = testing::run_assay(args);
    ASSERT_EQ(r.exit_code, 0) << args[1] << "\n" << r.out << r.err;
    const Json results = Json::parse(r.out, nullptr, false);
    ASSERT_FALSE(results.is_discarded()) << r.out;
    const Json& result = results.is_array() ? results[0] : results;
    EXPECT_EQ(result["status"], "ok") << result.dump(2);
    ASSERT_FALSE(result["metrics"].empty()) << args[1];
    for (const Json& m : result["metrics"]) EXPECT_GT(m["value"].get<double>(), 0) << m.dump();
    EXPECT_TRUE(result["validation"]["passed"].get<bool>()) << args[1];
    EXPECT_EQ(entries_left(), 0u) << args[1] << " left files in " << scratch_;
  }
}

TEST_F(StorageProbeCli, SigtermMidRunLeavesNoFiles) {
  for (const int signal_number : {SIGTERM, SIGINT}) {
    const auto r = testing::run_assay_signalled(
        {"probe", "storage.seq", "--set", "path=" + scratch_.string(), "--set", "size=2 GiB", "--set", "block=64 KiB"},
        {}, 700, signal_number);
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out + r.err, HasSubstr("interrupted"));
    EXPECT_EQ(entries_left(), 0u) << "signal " << signal_number << " left files in " << scratch_;
  }
}

TEST_F(StorageProbeCli, BadPathsAndSizesExit2NamingThem) {
  const std::string file = (scratch_ / "a-file").string();
  std::ofstream(file) << "x";
  struct Case {
    std::vector<std::string> sets;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"path=/nonexistent/assay-storage"}, "/nonexistent/assay-storage"},
      {{"path=" + file}, "not a directory"},
      {{"path=/proc"}, "/proc"},
      {{"path=" + scratch_.string(), "block=1000"}, "parameter 'block' must be at least 4 KiB"},
      {{"path=" + scratch_.string(), "block=6000"}, "block=6000 B is not a positive multiple of 4096 B"},
      {{"path=" + scratch_.string(), "size=0"}, "size"},
      {{"path=" + scratch_.string(), "size=512 TiB"}, "free"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"probe", "storage.seq"};
    for (const auto& s : c.sets) args.insert(args.end(), {"--set", s});
    const auto r = testing::run_assay(args);
    EXPECT_EQ(r.exit_code, 2) << c.expected << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.expected));
  }
  fs::remove(file);
  EXPECT_EQ(entries_left(), 0u);
}

}  // namespace
}  // namespace assay
