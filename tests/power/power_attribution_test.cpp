// What a probe's result gains from a power window: per domain power, peak and energy,
// the series, and efficiency figures divided by the right domains.

#include <gtest/gtest.h>

#include "probes/power/power_attribution.h"

namespace assay {
namespace {

DomainWindow domain(std::string source, std::string name, double mean_watts, double seconds = 10.0) {
  DomainWindow d;
  d.source = std::move(source);
  d.domain = std::move(name);
  d.seconds = seconds;
  d.mean_watts = mean_watts;
  d.energy_joules = mean_watts * seconds;
  d.peak_watts = mean_watts * 1.1;
  d.from_counter = true;
  d.times_s = {seconds / 2, seconds};
  d.watts = {mean_watts * 0.9, mean_watts * 1.1};
  return d;
}

ProbeResult fma_result() {
  ProbeResult r;
  r.probe = "cpu.fma";
  r.subject = "cpu";
  r.metrics.push_back(make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher, {2e11, 2e11, 2e11}));
  r.metrics.push_back(make_metric("cpu.fma.clock", Unit::hertz, Better::higher, {3e9}));
  r.metrics.push_back(make_metric("cpu.fma.fp64_peak_derived", Unit::flop_per_s, Better::higher, {3e11}));
  return r;
}

TEST(PowerAttribution, EveryDomainGetsPowerPeakEnergyAndASeries) {
  ProbeResult r = fma_result();
  PowerWindow w;
  w.seconds = 10;
  w.domains = {domain("powercap", "package-0", 150), domain("powercap", "package-0/dram", 10)};
  attach_power(r, w);
  const Metric* watts = find_metric(r, "power.powercap.watts", "package-0");
  ASSERT_NE(watts, nullptr);
  EXPECT_EQ(watts->unit, Unit::watt);
  EXPECT_EQ(watts->better, Better::lower);
  EXPECT_DOUBLE_EQ(watts->value, 150);
  const Metric* peak = find_metric(r, "power.powercap.peak_watts", "package-0/dram");
  ASSERT_NE(peak, nullptr);
  EXPECT_DOUBLE_EQ(peak->value, 11);
  const Metric* energy = find_metric(r, "power.powercap.energy", "package-0");
  ASSERT_NE(energy, nullptr);
  EXPECT_EQ(energy->unit, Unit::joule);
  EXPECT_DOUBLE_EQ(energy->value, 1500);
  ASSERT_EQ(r.tables.size(), 2u);
  EXPECT_EQ(r.tables[0].name, "power.powercap:package-0");
  EXPECT_EQ(r.tables[0].rows.size(), 2u);
}

TEST(PowerAttribution, CpuEfficiencyDividesByThePackagesAndTheirDram) {
  ProbeResult r = fma_result();
  PowerWindow w;
  w.domains = {domain("powercap", "package-0", 150), domain("powercap", "package-0/dram", 10),
               domain("powercap", "package-0/core", 120), domain("powercap", "psys", 400),
               domain("hwmon", "nvme/power1", 5)};
  attach_power(r, w);
  const Metric* eff = find_metric(r, "cpu.fma.fp64_per_watt");
  ASSERT_NE(eff, nullptr);
  EXPECT_EQ(eff->unit, Unit::flop_per_joule);
  EXPECT_EQ(eff->better, Better::higher);
  EXPECT_DOUBLE_EQ(eff->value, 2e11 / 160.0);
  EXPECT_NE(eff->note.find("package-0 + package-0/dram"), std::string::npos) << eff->note;
  EXPECT_EQ(find_metric(r, "cpu.fma.clock_per_watt"), nullptr) << "a clock has no efficiency";
  EXPECT_EQ(find_metric(r, "cpu.fma.fp64_peak_derived_per_watt"), nullptr) << "nor a derived peak";
}

TEST(PowerAttribution, WithoutRaplTheNodesBmcPowerIsUsed) {
  ProbeResult r = fma_result();
  PowerWindow w;
  w.domains = {domain("hwmon", "amdgpu/PPT", 50), domain("redfish", "chassis/1", 400)};
  attach_power(r, w);
  const Metric* eff = find_metric(r, "cpu.fma.fp64_per_watt");
  ASSERT_NE(eff, nullptr);
  EXPECT_DOUBLE_EQ(eff->value, 2e11 / 400.0);
}

TEST(PowerAttribution, GpuEfficiencyUsesItsOwnGpusPower) {
  ProbeResult r;
  r.probe = "gpu.gemm";
  r.subject = "gpu";
  r.metrics.push_back(make_metric("gpu.gemm.bf16", Unit::flop_per_s, Better::higher, {7e14}, ValueRule::median,
                                  "gpu1"));
  PowerWindow w;
  w.domains = {domain("nvml", "gpu0", 100), domain("nvml", "gpu1", 700)};
  attach_power(r, w);
  const Metric* eff = find_metric(r, "gpu.gemm.bf16_per_watt", "gpu1");
  ASSERT_NE(eff, nullptr);
  EXPECT_DOUBLE_EQ(eff->value, 1e12);
}

TEST(PowerAttribution, GpuEfficiencyUsesThePowerOverTheFiguresOwnSpan) {
  // gpu1 idles at 100 W for 5 s, then runs at 700 W while the figure is measured.
  const auto origin = std::chrono::steady_clock::now();
  DomainWindow gpu1 = domain("nvml", "gpu1", 400);
  gpu1.origin = origin;
  gpu1.times_s.clear();
  gpu1.watts.clear();
  for (int t = 1; t <= 10; ++t) {
    gpu1.times_s.push_back(t);
    gpu1.watts.push_back(t <= 5 ? 100.0 : 700.0);
  }
  ProbeResult r;
  r.probe = "gpu.gemm";
  r.subject = "gpus";
  for (const char* subject : {"gpu1", "gpu1@all"}) {
    r.metrics.push_back(make_metric("gpu.gemm.bf16", Unit::flop_per_s, Better::higher, {7e14}, ValueRule::median,
                                    subject));
    r.spans.push_back({"gpu.gemm.bf16", subject, origin + std::chrono::milliseconds(5500),
                       origin + std::chrono::milliseconds(10000)});
  }
  PowerWindow w;
  w.domains = {gpu1};
  attach_power(r, w);
  for (const char* subject : {"gpu1", "gpu1@all"}) {
    const Metric* eff = find_metric(r, "gpu.gemm.bf16_per_watt", subject);
    ASSERT_NE(eff, nullptr) << subject;
    EXPECT_DOUBLE_EQ(eff->value, 1e12) << subject;  // 7e14 FLOP/s / 700 W, not / the window's 400 W
    EXPECT_NE(eff->note.find("measured"), std::string::npos) << eff->note;
  }
}

TEST(PowerAttribution, ASpanShorterThanTheSamplingGetsNoEfficiency) {
  const auto origin = std::chrono::steady_clock::now();
  DomainWindow gpu0 = domain("nvml", "gpu0", 300);
  gpu0.origin = origin;
  ProbeResult r;
  r.probe = "gpu.gemm";
  r.metrics.push_back(make_metric("gpu.gemm.fp64", Unit::flop_per_s, Better::higher, {5e13}, ValueRule::median, "gpu0"));
  r.spans.push_back({"gpu.gemm.fp64", "gpu0", origin + std::chrono::milliseconds(100),
                     origin + std::chrono::milliseconds(200)});
  PowerWindow w;
  w.domains = {gpu0};
  attach_power(r, w);
  EXPECT_EQ(find_metric(r, "gpu.gemm.fp64_per_watt", "gpu0"), nullptr);
}

TEST(PowerAttribution, NoEfficiencyForAFailedProbeOrWithoutPower) {
  ProbeResult failed = fma_result();
  failed.status = ProbeStatus::error;
  PowerWindow w;
  w.domains = {domain("powercap", "package-0", 150)};
  attach_power(failed, w);
  EXPECT_EQ(find_metric(failed, "cpu.fma.fp64_per_watt"), nullptr);
  EXPECT_NE(find_metric(failed, "power.powercap.watts"), nullptr) << "its power is still shown";

  ProbeResult unpowered = fma_result();
  attach_power(unpowered, PowerWindow{});
  EXPECT_EQ(unpowered.metrics.size(), 3u);
}

TEST(PowerAttribution, LongSeriesAreBoundedAndKeepTheirMean) {
  ProbeResult r = fma_result();
  DomainWindow d = domain("powercap", "package-0", 100, 3600);
  d.times_s.clear();
  d.watts.clear();
  for (int i = 1; i <= 36000; ++i) {
    d.times_s.push_back(i * 0.1);
    d.watts.push_back(i % 2 ? 90.0 : 110.0);
  }
  PowerWindow w;
  w.domains = {d};
  attach_power(r, w);
  ASSERT_EQ(r.tables.size(), 1u);
  EXPECT_EQ(r.tables[0].rows.size(), kMaxSeriesPoints);
  for (const auto& row : r.tables[0].rows) EXPECT_NEAR(row[1], 100.0, 1e-9);
}

TEST(PowerAttribution, EfficiencyFigureNames) {
  EXPECT_EQ(efficiency_figure("memory.stream.triad", Unit::byte_per_s)->key, "memory.stream.triad_per_watt");
  EXPECT_EQ(efficiency_figure("memory.stream.triad", Unit::byte_per_s)->unit, Unit::byte_per_joule);
  EXPECT_EQ(efficiency_figure("gpu.gemm.int8", Unit::op_per_s)->unit, Unit::op_per_joule);
  EXPECT_EQ(efficiency_figure("gpu.hbm.copy", Unit::byte_per_s)->unit, Unit::byte_per_joule);
  EXPECT_FALSE(efficiency_figure("gpu.pcie.h2d", Unit::byte_per_s));
  EXPECT_FALSE(efficiency_figure("gpu.p2p.bandwidth", Unit::byte_per_s));
  EXPECT_FALSE(efficiency_figure("storage.seq.read", Unit::byte_per_s).has_value());
  EXPECT_FALSE(efficiency_figure("storage.seq.read_aggregate", Unit::byte_per_s).has_value());
  EXPECT_FALSE(efficiency_figure("interconnect.p2p.bandwidth", Unit::byte_per_s).has_value());
}

}  // namespace
}  // namespace assay
