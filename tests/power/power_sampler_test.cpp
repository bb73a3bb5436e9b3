// How the sampler turns readings into a window: counters by difference, power readings
// by the trapezoid rule, and short slivers at the window's edges merged.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "probes/power/power_sampler.h"

namespace assay {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::vector<SteadyClock::time_point> times_at(std::initializer_list<double> seconds) {
  const auto t0 = SteadyClock::time_point{} + 1000s;
  std::vector<SteadyClock::time_point> times;
  for (double s : seconds) times.push_back(t0 + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s)));
  return times;
}

TEST(PowerSampler, CounterDifferencesGiveEnergyMeanAndPeak) {
  // 100 W for 0.2 s, then 300 W for 0.2 s.
  const auto times = times_at({0.0, 0.1, 0.2, 0.3, 0.4});
  std::vector<std::vector<DomainReading>> readings;
  for (double e : {0.0, 10.0, 20.0, 50.0, 80.0}) readings.push_back({{"package-0", e, std::nullopt}});
  const auto windows = summarise_readings("powercap", times, readings, 100ms);
  ASSERT_EQ(windows.size(), 1u);
  const DomainWindow& w = windows[0];
  EXPECT_EQ(w.source, "powercap");
  EXPECT_EQ(w.domain, "package-0");
  EXPECT_TRUE(w.from_counter);
  EXPECT_NEAR(w.seconds, 0.4, 1e-9);
  EXPECT_NEAR(w.energy_joules, 80.0, 1e-9);
  EXPECT_NEAR(w.mean_watts, 200.0, 1e-6);
  EXPECT_NEAR(w.peak_watts, 300.0, 1e-6);
  ASSERT_EQ(w.watts.size(), 4u);
  EXPECT_NEAR(w.watts[0], 100.0, 1e-6);
}

TEST(PowerSampler, ASliverAtTheEdgeJoinsTheIntervalBeforeIt) {
  // The forced end reading comes 1 ms after a periodic one; the counter moved by 1 J
  // (quantisation), which as its own interval would read as 1000 W.
  const auto times = times_at({0.0, 0.1, 0.2, 0.201});
  std::vector<std::vector<DomainReading>> readings;
  for (double e : {0.0, 10.0, 20.0, 21.0}) readings.push_back({{"package-0", e, std::nullopt}});
  const auto windows = summarise_readings("powercap", times, readings, 100ms);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].watts.size(), 2u);
  EXPECT_LT(windows[0].peak_watts, 120.0);
  EXPECT_NEAR(windows[0].energy_joules, 21.0, 1e-9);
}

TEST(PowerSampler, PowerReadingsAreIntegratedByTheTrapezoidRule) {
  const auto times = times_at({0.0, 1.0, 2.0});
  std::vector<std::vector<DomainReading>> readings = {
      {{"node", std::nullopt, 100.0}}, {{"node", std::nullopt, 200.0}}, {{"node", std::nullopt, 200.0}}};
  const auto windows = summarise_readings("ipmi", times, readings, 1000ms);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_FALSE(windows[0].from_counter);
  EXPECT_NEAR(windows[0].energy_joules, 150.0 + 200.0, 1e-9);
  EXPECT_NEAR(windows[0].mean_watts, 175.0, 1e-9);
  EXPECT_NEAR(windows[0].peak_watts, 200.0, 1e-9);
}

TEST(PowerSampler, ACounterIsPreferredToReadingsOfTheSameDomain) {
  const auto times = times_at({0.0, 1.0});
  std::vector<std::vector<DomainReading>> readings = {{{"gpu0", 0.0, 999.0}}, {{"gpu0", 250.0, 999.0}}};
  const auto windows = summarise_readings("nvml", times, readings, 100ms);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_TRUE(windows[0].from_counter);
  EXPECT_NEAR(windows[0].mean_watts, 250.0, 1e-9);
}

TEST(PowerSampler, OneReadingGivesNoWindow) {
  const auto times = times_at({0.0});
  std::vector<std::vector<DomainReading>> readings = {{{"gpu0", 0.0, 100.0}}};
  EXPECT_TRUE(summarise_readings("nvml", times, readings, 100ms).empty());
}

// A source whose counter the test drives, and which fails when told to.
class ScriptedSource final : public PowerSource {
 public:
  std::string_view name() const override { return "scripted"; }
  std::chrono::milliseconds min_interval() const override { return 10ms; }
  Expected<std::vector<DomainReading>> read() override {
    const int n = ++reads;
    if (fail) return environment_error("scripted read failure");
    return std::vector<DomainReading>{{"d", 50.0 * n, std::nullopt}};
  }
  std::vector<std::string> describe() const override { return {"scripted"}; }
  std::atomic<int> reads{0};  // the sampler thread reads while the test watches
  std::atomic<bool> fail{false};
};

TEST(PowerSampler, SamplesOnlyWhileAWindowIsOpenAndReportsFailedReads) {
  auto owned = std::make_unique<ScriptedSource>();
  ScriptedSource* source = owned.get();
  std::vector<std::unique_ptr<PowerSource>> sources;
  sources.push_back(std::move(owned));
  PowerSampler sampler(std::move(sources), 10ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(source->reads, 0) << "no window open: nothing read";
  sampler.begin_window();
  std::this_thread::sleep_for(100ms);
  const PowerWindow window = sampler.end_window();
  ASSERT_EQ(window.domains.size(), 1u);
  EXPECT_GE(window.domains[0].watts.size(), 4u);
  EXPECT_TRUE(window.notes.empty());
  const int after = source->reads;
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(source->reads, after) << "window closed: reading stopped";

  sampler.begin_window();
  source->fail = true;
  std::this_thread::sleep_for(50ms);
  const PowerWindow failing = sampler.end_window();
  ASSERT_EQ(failing.notes.size(), 1u);
  EXPECT_NE(failing.notes[0].find("scripted read failure"), std::string::npos) << failing.notes[0];
}

}  // namespace
}  // namespace assay
