// The IPMI source for real against a stand-in ipmitool: a shell script written into a
// temporary directory that prints what the test put beside it and records its argv
// and its IPMI_PASSWORD, so the test sees what the real ipmitool would be given.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "power_test_helpers.h"
#include "probes/power/ipmi_source.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::FixtureTree;

namespace fs = std::filesystem;

constexpr const char* kPassword = "ipmi-Secret-5150";

// What `ipmitool dcmi power reading` prints on a BMC with power measurement on.
constexpr const char* kActivated = R"(
    Instantaneous power reading:                   247 Watts
    Minimum during sampling period:                 98 Watts
    Maximum during sampling period:                412 Watts
    Average power reading over sample period:      230 Watts
    IPMI timestamp:                           Tue Mar  3 10:21:07 2026
    Sampling period:                          00000001 Seconds.
    Power reading state is:                   activated

)";

// The fake: argv one per line to "argv", "set:<value>" or "unset" to "env", then per
// the files the test wrote: "hang" (record its pid, then sleep), "stdout", "stderr",
// "exit" (the status).
constexpr const char* kFakeIpmitool = R"sh(#!/bin/sh
d=$(dirname "$0")
printf '%s\n' "$@" > "$d/argv"
if [ -n "${IPMI_PASSWORD+x}" ]; then echo "set:$IPMI_PASSWORD" > "$d/env"; else echo unset > "$d/env"; fi
if [ -e "$d/hang" ]; then echo $$ > "$d/pid"; exec sleep 30; fi
[ -e "$d/stdout" ] && cat "$d/stdout"
[ -e "$d/stderr" ] && cat "$d/stderr" >&2
exit "$(cat "$d/exit" 2>/dev/null || echo 0)"
)sh";

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class IpmiSource : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.write("ipmitool", kFakeIpmitool);
    ASSERT_EQ(::chmod(fake().c_str(), 0755), 0);
    tree_.write("stdout", kActivated);
    ::unsetenv("ASSAY_BMC_USER");
    ::unsetenv("ASSAY_BMC_PASSWORD");
    ::unsetenv("IPMI_PASSWORD");
  }
  void TearDown() override {
    ::unsetenv("ASSAY_BMC_USER");
    ::unsetenv("ASSAY_BMC_PASSWORD");
  }

  fs::path fake() const { return tree_.path() / "ipmitool"; }
  PowerSourceOptions local() const {
    PowerSourceOptions options;
    options.ipmitool = fake().string();
    return options;
  }

  FixtureTree tree_{"ipmi"};
};

TEST_F(IpmiSource, LocalReadingIsTheNodesInstantaneousPower) {
  auto source = open_ipmi_source(local());
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ((*source)->name(), "ipmi");
  EXPECT_EQ((*source)->min_interval(), std::chrono::milliseconds(1000));

  tree_.write("stdout", "    Instantaneous power reading:   250 Watts\n    Power reading state is:   activated\n");
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 1u);
  EXPECT_EQ((*readings)[0].domain, "node");
  EXPECT_DOUBLE_EQ((*readings)[0].watts.value_or(-1), 250);
  EXPECT_FALSE((*readings)[0].energy_joules);

  EXPECT_THAT(lines_of(tree_.path() / "argv"), ElementsAre("dcmi", "power", "reading"));
  EXPECT_EQ(slurp(tree_.path() / "env"), "unset\n");
  EXPECT_THAT((*source)->describe(), Contains("ipmitool dcmi power reading (local BMC)"));
}

TEST_F(IpmiSource, AnInheritedIpmiPasswordDoesNotReachALocalRun) {
  ::setenv("IPMI_PASSWORD", kPassword, 1);
  auto source = open_ipmi_source(local());
  ::unsetenv("IPMI_PASSWORD");
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ(slurp(tree_.path() / "env"), "unset\n");
}

TEST_F(IpmiSource, RemoteUsesLanplusWithThePasswordOnlyInItsEnvironment) {
  ::setenv("ASSAY_BMC_USER", "ops", 1);
  ::setenv("ASSAY_BMC_PASSWORD", kPassword, 1);
  PowerSourceOptions options = local();
  options.endpoint = "bmc7.example:6230";
  auto source = open_ipmi_source(options);
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  EXPECT_DOUBLE_EQ((*readings)[0].watts.value_or(-1), 247);

  const auto argv = lines_of(tree_.path() / "argv");
  EXPECT_THAT(argv, ElementsAre("-I", "lanplus", "-H", "bmc7.example", "-p", "6230", "-U", "ops", "-E", "dcmi", "power",
                                "reading"));
  for (const std::string& arg : argv) EXPECT_THAT(arg, Not(HasSubstr(kPassword)));
  EXPECT_EQ(slurp(tree_.path() / "env"), std::string("set:") + kPassword + "\n");
  const auto lines = (*source)->describe();
  EXPECT_THAT(lines, Contains("ipmitool dcmi power reading via lanplus to bmc7.example:6230"));
  for (const std::string& line : lines) EXPECT_THAT(line, Not(HasSubstr(kPassword)));
}

TEST_F(IpmiSource, RemoteWithoutCredentialsIsBadInput) {
  PowerSourceOptions options = local();
  options.endpoint = "bmc7.example";
  auto source = open_ipmi_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(source.error().message, HasSubstr("ASSAY_BMC_PASSWORD"));
}

TEST_F(IpmiSource, DeactivatedPowerReadingIsAnError) {
  tree_.write("stdout",
              "    Instantaneous power reading:     0 Watts\n"
              "    Power reading state is:                   deactivated\n");
  auto source = open_ipmi_source(local());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message,
              AllOf(HasSubstr("DCMI power reading is not activated on this BMC"), HasSubstr("0 Watts")));
}

TEST_F(IpmiSource, OutputWithoutAReadingIsAnError) {
  tree_.write("stdout", "DCMI request failed because: Invalid command (c1)\n");
  auto source = open_ipmi_source(local());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, AllOf(HasSubstr("DCMI power reading is not available on this BMC"),
                                            HasSubstr("Instantaneous power reading"), HasSubstr("Invalid command")));
}

TEST_F(IpmiSource, NonZeroExitIsAnErrorWithItsStderr) {
  auto source = open_ipmi_source(local());
  ASSERT_TRUE(source.ok()) << source.error().message;
  tree_.write("stderr", "Error: Unable to establish IPMI v2 / RMCP+ session\n\n\nline 2\nline 3\nline 4\n");
  tree_.write("exit", "1\n");
  auto readings = (*source)->read();
  ASSERT_FALSE(readings.ok());
  EXPECT_EQ(readings.error().kind, ErrorKind::environment);
  EXPECT_THAT(readings.error().message,
              AllOf(HasSubstr("exited with status 1"),
                    HasSubstr("Unable to establish IPMI v2 / RMCP+ session | line 2 | line 3"),
                    Not(HasSubstr("line 4"))));
}

TEST_F(IpmiSource, AChildThatHangsIsKilledAtTheTimeout) {
  auto source = open_ipmi_source(local(), std::chrono::milliseconds(500));
  ASSERT_TRUE(source.ok()) << source.error().message;
  tree_.write("hang", "");
  const auto start = std::chrono::steady_clock::now();
  auto readings = (*source)->read();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(readings.ok());
  EXPECT_THAT(readings.error().message, AllOf(HasSubstr("did not finish within 0.5 s"), HasSubstr("killed")));
  EXPECT_GE(seconds, 0.45);
  EXPECT_LT(seconds, 2);
  // Killed and reaped: the pid names no process any more, not even a zombie.
  const pid_t pid = std::stoi(slurp(tree_.path() / "pid"));
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(IpmiSource, MissingProgramIsAnEnvironmentError) {
  PowerSourceOptions options;
  options.ipmitool = (tree_.path() / "no-such-ipmitool").string();
  auto source = open_ipmi_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, HasSubstr("ipmitool not found"));

  options.ipmitool = "assay-no-such-ipmitool";
  source = open_ipmi_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(source.error().message, AllOf(HasSubstr("ipmitool not found"), HasSubstr("PATH")));
}

TEST_F(IpmiSource, WithoutTheKernelsIpmiDeviceThereIsNoLocalBmc) {
  for (const char* device : {"/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0"}) {
    if (::access(device, F_OK) == 0) GTEST_SKIP() << device << " exists on this machine";
  }
  // The default program, found on a PATH that holds only the fake: the device check
  // applies, as it does not when a program is named.
  const char* path = std::getenv("PATH");
  const std::string saved = path ? path : "";
  ::setenv("PATH", tree_.path().c_str(), 1);
  auto source = open_ipmi_source(PowerSourceOptions{});
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, HasSubstr("no local BMC (/dev/ipmi0 absent)"));
}

}  // namespace
}  // namespace assay
