// The hwmon source for real against fixture trees laid out as sysfs is: class/hwmon/hwmonN
// are symlinks to hwmon directories under the devices that own them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "power_test_helpers.h"
#include "probes/power/hwmon_source.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;

class HwmonSource : public ::testing::Test {
 protected:
  /// Makes devices/<device>/hwmon/hwmon<n> with `files` and links class/hwmon/hwmon<n> to
  /// it; returns the link, the path the source reports files under.
  fs::path add_hwmon(unsigned n, const std::string& device,
                     std::initializer_list<std::pair<const char*, const char*>> files) {
    const fs::path dir = tree_.path() / "devices" / device / "hwmon" / ("hwmon" + std::to_string(n));
    for (const auto& [file, text] : files) tree_.write(dir / file, text);
    fs::create_directories(root());
    fs::create_directory_symlink(dir, root() / ("hwmon" + std::to_string(n)));
    return root() / ("hwmon" + std::to_string(n));
  }
  fs::path root() const { return tree_.path() / "class" / "hwmon"; }
  PowerSourceOptions options() const {
    PowerSourceOptions o;
    o.root = root().string();
    return o;
  }
  /// A typical machine: an amdgpu (average power only), a PSU with power and energy
  /// labelled alike, and a CPU temperature sensor that has nothing to do with power.
  void typical_machine() {
    add_hwmon(0, "pci0000:00/0000:03:00.0", {{"name", "amdgpu\n"}, {"power1_average", "123456789\n"},
                                              {"power1_cap", "200000000\n"}, {"power1_label", "PPT\n"},
                                              {"temp1_input", "45000\n"}});
    psu_ = add_hwmon(1, "platform/psu.0", {{"name", "psu\n"}, {"power1_input", "350000000\n"},
                                           {"power1_label", "PSU\n"}, {"energy1_input", "987654321000\n"},
                                           {"energy1_label", "PSU\n"}});
    add_hwmon(2, "pci0000:00/0000:00:18.3", {{"name", "k10temp\n"}, {"temp1_input", "51000\n"}});
  }

  testing::FixtureTree tree_{"hwmon"};
  fs::path psu_;
};

TEST_F(HwmonSource, FindsPowerAndEnergyChannelsInUnits) {
  typical_machine();
  auto source = open_hwmon_source(options());
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ((*source)->name(), "hwmon");
  EXPECT_EQ((*source)->min_interval(), std::chrono::milliseconds(100));

  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 2u);
  const DomainReading& gpu = (*readings)[0];
  EXPECT_EQ(gpu.domain, "amdgpu/PPT");
  EXPECT_DOUBLE_EQ(gpu.watts.value_or(-1), 123.456789);
  EXPECT_FALSE(gpu.energy_joules.has_value());
  const DomainReading& psu = (*readings)[1];
  EXPECT_EQ(psu.domain, "psu/PSU");
  EXPECT_DOUBLE_EQ(psu.watts.value_or(-1), 350);
  EXPECT_DOUBLE_EQ(psu.energy_joules.value_or(-1), 0);  // relative to the counter at open

  const auto lines = (*source)->describe();
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("amdgpu/PPT:"), HasSubstr("power1_average (microwatts)"))));
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("psu/PSU:"), HasSubstr("power1_input (microwatts)"),
                                    HasSubstr("energy1_input (microjoules)"))));
}

TEST_F(HwmonSource, EnergyIsTheCounterDifferenceAndSurvivesAReset) {
  typical_machine();
  auto source = open_hwmon_source(options());
  ASSERT_TRUE(source.ok()) << source.error().message;
  const auto psu_energy = [&] {
    auto readings = (*source)->read();
    EXPECT_TRUE(readings.ok()) << readings.error().message;
    return readings.ok() ? (*readings)[1].energy_joules.value_or(-1) : -1.0;
  };
  testing::replace_file(psu_ / "energy1_input", "987656821000\n");  // +2.5 J
  EXPECT_DOUBLE_EQ(psu_energy(), 2.5);
  testing::replace_file(psu_ / "energy1_input", "100000\n");  // reset; 0.1 J since
  EXPECT_DOUBLE_EQ(psu_energy(), 2.6);
  testing::replace_file(psu_ / "energy1_input", "400000\n");
  EXPECT_DOUBLE_EQ(psu_energy(), 2.9);
}

TEST_F(HwmonSource, EnergyFollowsACounterAdvancingInTime) {
  typical_machine();
  const testing::CounterWriter writer(psu_ / "energy1_input", 80.0, 5'000'000'000ULL, ~0ULL >> 1);
  auto source = open_hwmon_source(options());
  ASSERT_TRUE(source.ok()) << source.error().message;
  const auto t0 = std::chrono::steady_clock::now();
  auto first = (*source)->read();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto second = (*source)->read();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(first.ok() && second.ok());
  const double joules = (*second)[1].energy_joules.value_or(0) - (*first)[1].energy_joules.value_or(0);
  // The writer process rewrites the file about every millisecond when it gets a core;
  // 10% is 50 ms of it being late on a busy machine. The exact arithmetic is tested above.
  EXPECT_NEAR(joules / seconds, 80.0, 80.0 * 0.1);
}

TEST_F(HwmonSource, NamesWithoutLabelsDuplicatesAndInputOverAverage) {
  add_hwmon(3, "pci0000:00/0000:01:00.0/nvme/nvme0", {{"name", "nvme\n"}, {"power1_input", "5000000\n"}});
  add_hwmon(4, "pci0000:00/0000:02:00.0/nvme/nvme1", {{"name", "nvme\n"}, {"power1_input", "6000000\n"}});
  add_hwmon(5, "platform/board", {{"name", "board\n"}, {"power1_input", "10000000\n"},
                                  {"power1_average", "99000000\n"}, {"power1_label", "rail\n"},
                                  {"power2_input", "20000000\n"}, {"power2_label", "rail\n"},
                                  {"energy1_input", "7000000\n"}});
  auto source = open_hwmon_source(options());
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 5u);
  EXPECT_EQ((*readings)[0].domain, "nvme@hwmon3/power1");
  EXPECT_DOUBLE_EQ((*readings)[0].watts.value_or(-1), 5);
  EXPECT_EQ((*readings)[1].domain, "nvme@hwmon4/power1");
  EXPECT_EQ((*readings)[2].domain, "board/rail:power1");
  EXPECT_DOUBLE_EQ((*readings)[2].watts.value_or(-1), 10);
  EXPECT_EQ((*readings)[3].domain, "board/rail:power2");
  EXPECT_EQ((*readings)[4].domain, "board/energy1");
  EXPECT_FALSE((*readings)[4].watts.has_value());
  EXPECT_DOUBLE_EQ((*readings)[4].energy_joules.value_or(-1), 0);
}

TEST_F(HwmonSource, NoPowerSensorIsAnEnvironmentErrorNamingTheRoot) {
  fs::create_directories(root());
  auto empty = open_hwmon_source(options());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::environment);
  EXPECT_EQ(empty.error().message, "no hwmon power or energy sensor under " + root().string());

  add_hwmon(2, "pci0000:00/0000:00:18.3", {{"name", "k10temp\n"}, {"temp1_input", "51000\n"}});
  auto temperatures_only = open_hwmon_source(options());
  ASSERT_FALSE(temperatures_only.ok());
  EXPECT_EQ(temperatures_only.error().message, "no hwmon power or energy sensor under " + root().string());
}

TEST_F(HwmonSource, AMissingRootIsAnEnvironmentErrorNamingIt) {
  auto source = open_hwmon_source(options());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, AllOf(HasSubstr(root().string()), HasSubstr("No such file")));
}

// As root, permission bits do not stop reads of ordinary files, but kernfs refuses to open
// a write-only sysfs attribute for reading even to root; so a symlink to one is an
// EACCES that works for every user. Elsewhere chmod 000 does the same.
TEST_F(HwmonSource, AnUnreadableFileIsNamedWithTheReason) {
  const fs::path dir = add_hwmon(0, "platform/meter", {{"name", "meter\n"}});
  const fs::path energy = dir / "energy1_input";
  if (::geteuid() == 0) {
    const fs::path write_only = "/sys/bus/pci/rescan";
    if (::access(write_only.c_str(), F_OK) != 0) GTEST_SKIP() << "running as root and " << write_only << " is absent";
    fs::create_symlink(write_only, energy);
  } else {
    tree_.write(energy, "1000\n");
    fs::permissions(energy, fs::perms::none);
  }
  auto source = open_hwmon_source(options());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message,
              AllOf(HasSubstr("no readable hwmon power or energy sensor under " + root().string()),
                    HasSubstr(energy.string()), HasSubstr("Permission denied"), HasSubstr("only by root")));

  // With a readable channel beside it, the source opens and says what it left out.
  tree_.write(dir / "power1_input", "1500000\n");
  auto partial = open_hwmon_source(options());
  ASSERT_TRUE(partial.ok()) << partial.error().message;
  EXPECT_THAT((*partial)->describe(), Contains(AllOf(HasSubstr("left out"), HasSubstr(energy.string()))));
  auto readings = (*partial)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 1u);
  EXPECT_EQ((*readings)[0].domain, "meter/power1");
}

TEST_F(HwmonSource, AChannelThatIsNotAFileIsNamedWithTheReason) {
  const fs::path dir = add_hwmon(0, "platform/meter", {{"name", "meter\n"}});
  fs::create_directories(dir / "power1_input");
  auto source = open_hwmon_source(options());
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(source.error().message, AllOf(HasSubstr((dir / "power1_input").string()), HasSubstr("Is a directory")));
}

TEST_F(HwmonSource, AFileThatVanishesFailsTheReadNamingIt) {
  typical_machine();
  auto source = open_hwmon_source(options());
  ASSERT_TRUE(source.ok()) << source.error().message;
  fs::remove(psu_ / "energy1_input");
  auto readings = (*source)->read();
  ASSERT_FALSE(readings.ok());
  EXPECT_EQ(readings.error().kind, ErrorKind::environment);
  EXPECT_THAT(readings.error().message,
              AllOf(HasSubstr("hwmon"), HasSubstr((psu_ / "energy1_input").string()), HasSubstr("No such file")));
}

TEST_F(HwmonSource, GarbageInAChannelIsNamed) {
  const fs::path dir = add_hwmon(0, "platform/meter", {{"name", "meter\n"}, {"power1_input", "n/a\n"}});
  auto source = open_hwmon_source(options());
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(source.error().message, AllOf(HasSubstr((dir / "power1_input").string()), HasSubstr("'n/a'")));
}

}  // namespace
}  // namespace assay
