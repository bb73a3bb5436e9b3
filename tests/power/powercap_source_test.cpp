// The powercap reader against fixture trees shaped like /sys/class/powercap, with a
// helper process advancing the counters at a known rate, through a wrap-around.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "power_test_helpers.h"
#include "probes/power/power_sampler.h"
#include "probes/power/powercap_source.h"

namespace assay {
namespace {

using testing::CounterWriter;
using testing::FixtureTree;
using namespace std::chrono_literals;

void add_zone(const FixtureTree& tree, const std::string& id, const std::string& name, std::uint64_t range_uj,
              std::uint64_t energy_uj = 0) {
  tree.write(id + "/name", name + "\n");
  tree.write(id + "/max_energy_range_uj", std::to_string(range_uj) + "\n");
  tree.write(id + "/energy_uj", std::to_string(energy_uj) + "\n");
}

std::unique_ptr<PowerSource> open_at(const FixtureTree& tree) {
  PowerSourceOptions options;
  options.root = tree.path().string();
  auto source = open_powercap_source(options);
  EXPECT_TRUE(source.ok()) << source.error().message;
  return source.ok() ? std::move(*source) : nullptr;
}

const DomainWindow* find_domain(const PowerWindow& window, const std::string& domain) {
  for (const auto& d : window.domains) {
    if (d.domain == domain) return &d;
  }
  return nullptr;
}

TEST(PowercapSource, NamesZonesAndLeavesOutTheMmioDuplicate) {
  FixtureTree tree("powercap");
  add_zone(tree, "intel-rapl:0", "package-0", 262143328850);
  add_zone(tree, "intel-rapl:0:0", "dram", 65532610987);
  add_zone(tree, "intel-rapl:1", "package-1", 262143328850);
  add_zone(tree, "intel-rapl-mmio:0", "package-0", 262143328850);
  std::filesystem::create_directories(tree.path() / "intel-rapl");  // the control type: no counter
  auto source = open_at(tree);
  ASSERT_TRUE(source);
  EXPECT_EQ(source->name(), "powercap");
  const auto reading = source->read();
  ASSERT_TRUE(reading.ok()) << reading.error().message;
  ASSERT_EQ(reading->size(), 3u);
  EXPECT_EQ((*reading)[0].domain, "package-0");
  EXPECT_EQ((*reading)[1].domain, "package-0/dram");
  EXPECT_EQ((*reading)[2].domain, "package-1");
  EXPECT_TRUE((*reading)[0].energy_joules.has_value());
  EXPECT_FALSE((*reading)[0].watts.has_value());
}

TEST(PowercapSource, CounterAdvancedAtAKnownRateThroughAWrapGivesThatPower) {
  FixtureTree tree("powercap");
  // A 300 J range at 150 W wraps every 2 s; starting 100 J below the top, the counter
  // wraps about 0.7 s into the 1.5 s window.
  constexpr double kWatts = 150.0;
  constexpr std::uint64_t kRange = 300'000'000;
  add_zone(tree, "intel-rapl:0", "package-0", kRange);
  add_zone(tree, "intel-rapl:0:0", "dram", kRange);
  CounterWriter package(tree.path() / "intel-rapl:0/energy_uj", kWatts, kRange - 100'000'000, kRange);
  CounterWriter dram(tree.path() / "intel-rapl:0:0/energy_uj", 12.5, 5'000'000, kRange);
  std::this_thread::sleep_for(20ms);

  std::vector<std::unique_ptr<PowerSource>> sources;
  sources.push_back(open_at(tree));
  ASSERT_TRUE(sources.back());
  PowerSampler sampler(std::move(sources), 100ms);
  sampler.begin_window();
  std::this_thread::sleep_for(1500ms);
  const PowerWindow window = sampler.end_window();

  const DomainWindow* pkg = find_domain(window, "package-0");
  ASSERT_NE(pkg, nullptr);
  EXPECT_TRUE(pkg->from_counter);
  EXPECT_NEAR(pkg->mean_watts, kWatts, kWatts * 0.02);
  EXPECT_NEAR(pkg->energy_joules, kWatts * pkg->seconds, kWatts * pkg->seconds * 0.02);
  // About 15 intervals of 100 ms. Single intervals are not checked against the rate:
  // the writer process may run a few milliseconds late on a loaded machine, which moves
  // power between neighbouring intervals but not out of the window.
  EXPECT_GE(pkg->watts.size(), 10u);
  const DomainWindow* mem = find_domain(window, "package-0/dram");
  ASSERT_NE(mem, nullptr);
  EXPECT_NEAR(mem->mean_watts, 12.5, 12.5 * 0.02);
  EXPECT_TRUE(window.notes.empty());
}

TEST(PowercapSource, NoZonesIsAnEnvironmentErrorNamingTheRoot) {
  FixtureTree tree("powercap");
  PowerSourceOptions options;
  options.root = tree.path().string();
  auto source = open_powercap_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_NE(source.error().message.find(tree.path().string()), std::string::npos) << source.error().message;

  options.root = (tree.path() / "absent").string();
  source = open_powercap_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message.find("absent"), std::string::npos) << source.error().message;
}

TEST(PowercapSource, ACounterThatIsNotANumberIsReported) {
  FixtureTree tree("powercap");
  add_zone(tree, "intel-rapl:0", "package-0", 1000);
  tree.write("intel-rapl:0/energy_uj", "garbage\n");
  PowerSourceOptions options;
  options.root = tree.path().string();
  auto source = open_powercap_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message.find("energy_uj"), std::string::npos) << source.error().message;
  EXPECT_NE(source.error().message.find("garbage"), std::string::npos) << source.error().message;
}

// Current kernels make energy_uj readable by root only; a user gets told so. The tests
// run as root here, so the reader runs in a child that has dropped to nobody.
TEST(PowercapSource, AnUnreadableCounterSaysItIsRootOnly) {
  FixtureTree tree("powercap");
  add_zone(tree, "intel-rapl:0", "package-0", 1000, 5);
  namespace fs = std::filesystem;
  fs::permissions(tree.path(), fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  std::filesystem::permissions(tree.path() / "intel-rapl:0/energy_uj", std::filesystem::perms::owner_read);
  if (::geteuid() != 0) {
    PowerSourceOptions options;
    options.root = tree.path().string();
    const auto source = open_powercap_source(options);
    ASSERT_FALSE(source.ok());
    EXPECT_NE(source.error().message.find("root"), std::string::npos) << source.error().message;
    return;
  }
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(3);
    PowerSourceOptions options;
    options.root = tree.path().string();
    const auto source = open_powercap_source(options);
    const std::string message = source.ok() ? "opened" : source.error().message;
    if (::write(pipe_fds[1], message.data(), message.size()) < 0) _exit(4);
    _exit(source.ok() ? 1 : 0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, got);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << message;
  EXPECT_NE(message.find("readable only by root"), std::string::npos) << message;
  EXPECT_NE(message.find("energy_uj"), std::string::npos) << message;
}

}  // namespace
}  // namespace assay
