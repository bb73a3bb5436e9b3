// The NVML source for real against a stand-in libnvidia-ml (fixtures/fake_nvml.cpp),
// dlopened by path through the same loader as the driver's library.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "probes/power/nvml_library.h"
#include "probes/power/nvml_source.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class NvmlSource : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"FAKE_NVML_DEVICES", "FAKE_NVML_WATTS", "FAKE_NVML_NO_ENERGY", "FAKE_NVML_INIT_FAIL"}) {
      ::unsetenv(name);
    }
  }
  static PowerSourceOptions fake() {
    PowerSourceOptions options;
    options.library = ASSAY_FAKE_NVML;
    return options;
  }
};

TEST_F(NvmlSource, EnergyCounterAndWattsGiveTheGpusPower) {
  ::setenv("FAKE_NVML_WATTS", "250.5", 1);
  auto source = open_nvml_source(fake());
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ((*source)->name(), "nvml");
  EXPECT_EQ((*source)->min_interval(), std::chrono::milliseconds(100));

  const auto t0 = std::chrono::steady_clock::now();
  auto first = (*source)->read();
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto second = (*source)->read();
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(second.ok()) << second.error().message;

  ASSERT_EQ(first->size(), 1u);
  ASSERT_EQ(second->size(), 1u);
  const DomainReading& a = (*first)[0];
  const DomainReading& b = (*second)[0];
  EXPECT_EQ(b.domain, "gpu0");
  ASSERT_TRUE(a.energy_joules && b.energy_joules);
  // Relative to the counter at open, not to driver load (the fake starts at 5 MJ).
  EXPECT_LT(*a.energy_joules, 250.5 * 0.2);
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  EXPECT_NEAR((*b.energy_joules - *a.energy_joules) / seconds, 250.5, 250.5 * 0.02);
  ASSERT_TRUE(b.watts);
  EXPECT_NEAR(*b.watts, 250.5, 250.5 * 0.02);
}

TEST_F(NvmlSource, TwoGpusAreTwoDomainsDescribedByNameAndUuid) {
  ::setenv("FAKE_NVML_DEVICES", "2", 1);
  ::setenv("FAKE_NVML_WATTS", "300,75", 1);
  auto source = open_nvml_source(fake());
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 2u);
  EXPECT_EQ((*readings)[0].domain, "gpu0");
  EXPECT_EQ((*readings)[1].domain, "gpu1");
  EXPECT_DOUBLE_EQ((*readings)[0].watts.value_or(0), 300);
  EXPECT_DOUBLE_EQ((*readings)[1].watts.value_or(0), 75);

  const auto lines = (*source)->describe();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr(ASSAY_FAKE_NVML));
  EXPECT_THAT(lines[1], AllOf(StartsWith("gpu0: Fake GPU 0 (GPU-fa4e0000-0000-0000-0000-000000000000)"),
                              HasSubstr("energy counter")));
  EXPECT_THAT(lines[2], StartsWith("gpu1: Fake GPU 1 (GPU-fa4e0000-0000-0000-0000-000000000001)"));
}

TEST_F(NvmlSource, WithoutAnEnergyCounterOnlyWatts) {
  ::setenv("FAKE_NVML_NO_ENERGY", "1", 1);
  ::setenv("FAKE_NVML_WATTS", "42", 1);
  auto source = open_nvml_source(fake());
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 1u);
  EXPECT_FALSE((*readings)[0].energy_joules.has_value());
  EXPECT_DOUBLE_EQ((*readings)[0].watts.value_or(0), 42);
  EXPECT_THAT((*source)->describe()[1], HasSubstr("no energy counter"));
}

TEST_F(NvmlSource, NoGpuIsAnEnvironmentError) {
  ::setenv("FAKE_NVML_DEVICES", "0", 1);
  auto source = open_nvml_source(fake());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_EQ(source.error().message, "no NVIDIA GPU (NVML reports 0 devices)");
}

TEST_F(NvmlSource, InitFailureSaysWhatNvmlSaid) {
  ::setenv("FAKE_NVML_INIT_FAIL", "1", 1);
  auto source = open_nvml_source(fake());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, AllOf(HasSubstr("failed to initialise"), HasSubstr("Driver Not Loaded (9)")));
}

TEST_F(NvmlSource, AMissingLibraryIsAnEnvironmentErrorNamingIt) {
  PowerSourceOptions options;
  options.library = "/nonexistent/libnvidia-ml.so.1";
  auto source = open_nvml_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message,
              AllOf(StartsWith("NVML not available: "), HasSubstr("/nonexistent/libnvidia-ml.so.1")));
}

TEST_F(NvmlSource, ALibraryWithoutNvmlSaysWhichFunctionIsMissing) {
  PowerSourceOptions options;
  options.library = "libc.so.6";
  auto source = open_nvml_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, HasSubstr("lacks nvmlInit_v2"));
}

// The binary must run where the driver is absent; where it is present, this is a GPU box.
TEST_F(NvmlSource, TheDefaultLibraryOpensOrSaysWhy) {
  auto source = open_nvml_source(PowerSourceOptions{});
  if (source.ok()) GTEST_SKIP() << "the NVIDIA driver is installed here";
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, AnyOf(StartsWith("NVML not available: libnvidia-ml.so.1"),
                                            StartsWith("no NVIDIA GPU"), HasSubstr("failed to initialise")));
}

TEST_F(NvmlSource, LoadersCoexistAndShareTheLibrary) {
  auto a = load_nvml(ASSAY_FAKE_NVML);
  auto b = load_nvml(ASSAY_FAKE_NVML);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  unsigned count = 0;
  EXPECT_EQ((*b)->nvmlDeviceGetCount_v2(&count), nvml::kSuccess);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ((*a)->error_text(nvml::kErrorNotSupported), "Not Supported (3)");
}

}  // namespace
}  // namespace assay
