// The command line as a user meets it: help, unknown commands and flags, exit codes.
#include <gtest/gtest.h>

#include "e2e/run_assay.h"

namespace assay {
namespace {

using testing::run_assay;

TEST(CliUsage, HelpListsEveryCommand) {
  const auto r = run_assay({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* cmd : {"run", "probe", "list", "plan", "specs", "report"}) {
    EXPECT_NE(r.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd << " missing from\n" << r.out;
  }
}

TEST(CliUsage, EveryCommandHasHelp) {
  for (const char* cmd : {"run", "probe", "list", "plan", "specs", "report"}) {
    const auto r = run_assay({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << ":\n" << r.out;
  }
}

TEST(CliUsage, NoArgumentsIsUsageOnStderrAndExit2) {
  const auto r = run_assay({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Usage"), std::string::npos);
}

TEST(CliUsage, AnUnknownCommandSuggestsTheClosestAndExits2) {
  const auto r = run_assay({"rn"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'rn'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'run'"), std::string::npos) << r.err;
}

TEST(CliUsage, AnUnknownFlagExits2WithAHint) {
  const auto r = run_assay({"list", "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("assay list --help"), std::string::npos) << r.err;
}

TEST(CliUsage, AnUnknownProbeSuggestsAndExits2) {
  const auto r = run_assay({"probe", "cpu.fmaa"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'cpu.fma'"), std::string::npos) << r.err;
}

TEST(CliUsage, ABadSetValueNamesTheParameterAndExits2) {
  auto r = run_assay({"probe", "cpu.gemm", "--set", "n=abc"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("abc"), std::string::npos) << r.err;
  r = run_assay({"probe", "cpu.gemm", "--set", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("key=value"), std::string::npos) << r.err;
  r = run_assay({"probe", "cpu.gemm", "--set", "colour=blue"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("colour"), std::string::npos) << r.err;
}

TEST(CliUsage, VersionNamesTheBuild) {
  const auto r = run_assay({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("assay ", 0), 0u);
}

TEST(CliUsage, ListShowsTheProbes) {
  const auto r = run_assay({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* p : {"cpu.fma", "cpu.gemm", "memory.stream"}) {
    EXPECT_NE(r.out.find(p), std::string::npos) << p;
  }
  const auto d = run_assay({"list", "--details"});
  EXPECT_EQ(d.exit_code, 0);
  EXPECT_NE(d.out.find("threads"), std::string::npos);
  EXPECT_NE(d.out.find("cpu.fma.fp64"), std::string::npos);
}

TEST(CliUsage, SpecsListAndShow) {
  auto r = run_assay({"specs", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nvidia-h100-sxm5"), std::string::npos);
  r = run_assay({"specs", "show", "nvidia-h100-sxm5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("gpu.gemm.bf16"), std::string::npos);
  EXPECT_NE(r.out.find("989.5 TFLOP/s"), std::string::npos) << r.out;
  r = run_assay({"specs", "show", "nvidia-h100-sxm"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean"), std::string::npos) << r.err;
}

TEST(CliUsage, ReportOfAMissingBundleExits2) {
  const auto r = run_assay({"report", "/nonexistent/bundle"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/bundle"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace assay
