#include "suites/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace assay {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("assay-journal-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "journal.jsonl").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static ProbeResult result(const std::string& probe, ProbeStatus status, double sample) {
    ProbeResult r;
    r.probe = probe;
    r.node = "n1";
    r.subject = "cpu";
    r.status = status;
    if (status == ProbeStatus::error) r.error = "boom";
    if (status == ProbeStatus::skipped) r.reason = "absent";
    r.metrics.push_back(make_metric(probe + ".x", Unit::flop_per_s, Better::higher, {sample}));
    return r;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(JournalTest, AppendsOneLinePerResultAndReadsThemBack) {
  {
    auto j = Journal::open(path_);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE(j->append(result("cpu.fma", ProbeStatus::ok, 1.0)).ok());
    ASSERT_TRUE(j->append(result("cpu.gemm", ProbeStatus::error, 2.0)).ok());
  }
  std::ifstream in(path_);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 2);
  auto contents = Journal::read(path_);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->results.size(), 2u);
  EXPECT_EQ(contents->results[1].probe, "cpu.gemm");
  EXPECT_FALSE(contents->truncated_tail);
}

TEST_F(JournalTest, ReopeningAppendsRatherThanTruncates) {
  ASSERT_TRUE(Journal::open(path_)->append(result("a.b", ProbeStatus::ok, 1.0)).ok());
  ASSERT_TRUE(Journal::open(path_)->append(result("c.d", ProbeStatus::ok, 1.0)).ok());
  EXPECT_EQ(Journal::read(path_)->results.size(), 2u);
}

TEST_F(JournalTest, ALastLineCutShortByACrashIsDroppedAndReported) {
  ASSERT_TRUE(Journal::open(path_)->append(result("a.b", ProbeStatus::ok, 1.0)).ok());
  std::ofstream(path_, std::ios::app) << "{\"schema\": \"assay.res";
  auto contents = Journal::read(path_);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_EQ(contents->results.size(), 1u);
  EXPECT_TRUE(contents->truncated_tail);
}

TEST_F(JournalTest, ABadLineInTheMiddleIsAnErrorWithItsNumber) {
  ASSERT_TRUE(Journal::open(path_)->append(result("a.b", ProbeStatus::ok, 1.0)).ok());
  std::ofstream(path_, std::ios::app) << "not json\n";
  ASSERT_TRUE(Journal::open(path_)->append(result("c.d", ProbeStatus::ok, 1.0)).ok());
  auto contents = Journal::read(path_);
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("line 2"), std::string::npos) << contents.error().message;
}

TEST_F(JournalTest, OpeningInAMissingDirectoryFailsWithThePath) {
  auto j = Journal::open((dir_ / "no/such/dir/journal.jsonl").string());
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().message.find("no/such/dir"), std::string::npos);
}

TEST(LatestResults, ALaterResultReplacesAnEarlierOneOfTheSameProbe) {
  ProbeResult a;
  a.node = "n1";
  a.probe = "cpu.fma";
  a.status = ProbeStatus::error;
  ProbeResult b = a;
  b.probe = "cpu.gemm";
  ProbeResult c = a;
  c.status = ProbeStatus::ok;
  const auto latest = latest_results({a, b, c});
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].probe, "cpu.fma");
  EXPECT_EQ(latest[0].status, ProbeStatus::ok);
  EXPECT_EQ(latest[1].probe, "cpu.gemm");
}

}  // namespace
}  // namespace assay
