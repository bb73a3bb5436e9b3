#include "probes/cpu/cpu_uarch.h"

#include <string>

#include <gtest/gtest.h>

namespace assay {
namespace {

HostCpu cpu(std::string vendor, int family, int model, std::string model_name = "") {
  HostCpu c;
  c.vendor = std::move(vendor);
  c.family = family;
  c.model = model;
  c.model_name = std::move(model_name);
  return c;
}

double fp64_512(const HostCpu& c) { return fma_flops_per_cycle(lookup_cpu_uarch(c), 512, 64); }
double fp64_256(const HostCpu& c) { return fma_flops_per_cycle(lookup_cpu_uarch(c), 256, 64); }

TEST(CpuUarch, Zen5ServerHasFull512BitFma) {
  // This machine: AMD EPYC, family 26 (1Ah), model 2.
  const HostCpu turin = cpu("AuthenticAMD", 26, 2, "AMD EPYC 9555 64-Core Processor");
  const CpuUarch u = lookup_cpu_uarch(turin);
  EXPECT_TRUE(u.known);
  EXPECT_NE(u.name.find("Zen 5"), std::string::npos) << u.name;
  EXPECT_FALSE(u.source.empty());
  EXPECT_EQ(fma_flops_per_cycle(u, 512, 64), 32);
  EXPECT_EQ(fma_flops_per_cycle(u, 512, 32), 64);
  EXPECT_EQ(fma_flops_per_cycle(u, 256, 64), 16);
}

TEST(CpuUarch, Zen4AndMobileZen5DoublePumpAvx512) {
  EXPECT_EQ(fp64_512(cpu("AuthenticAMD", 25, 0x11, "AMD EPYC 9654")), 16);  // Genoa
  EXPECT_EQ(fp64_256(cpu("AuthenticAMD", 25, 0x11)), 16);
  EXPECT_EQ(fp64_512(cpu("AuthenticAMD", 25, 0x61)), 16);  // Raphael
  EXPECT_EQ(fp64_512(cpu("AuthenticAMD", 26, 0x24)), 16);  // Strix Point
  EXPECT_EQ(fp64_512(cpu("AuthenticAMD", 26, 0x44)), 32);  // Granite Ridge
}

TEST(CpuUarch, OlderZenCores) {
  EXPECT_EQ(fp64_256(cpu("AuthenticAMD", 25, 0x01)), 16);  // Milan, Zen 3
  EXPECT_EQ(fp64_512(cpu("AuthenticAMD", 25, 0x01)), 0);   // no AVX-512
  EXPECT_EQ(fp64_256(cpu("AuthenticAMD", 23, 0x31)), 16);  // Rome, Zen 2
  EXPECT_EQ(fp64_256(cpu("AuthenticAMD", 23, 0x01)), 8);   // Naples, Zen: 128-bit pipes
  const CpuUarch dhyana = lookup_cpu_uarch(cpu("HygonGenuine", 24, 0));
  EXPECT_TRUE(dhyana.known);
  EXPECT_NE(dhyana.name.find("Hygon"), std::string::npos);
  EXPECT_EQ(fma_flops_per_cycle(dhyana, 256, 64), 8);
}

TEST(CpuUarch, IntelXeonScalable) {
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 85, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz")), 32);
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 85, "Intel(R) Xeon(R) Platinum 8280 CPU")), 32);
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 106, "Intel(R) Xeon(R) Platinum 8380")), 32);
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 143, "Intel(R) Xeon(R) Platinum 8480+")), 32);
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 207)), 32);  // Emerald Rapids
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 173)), 32);  // Granite Rapids
}

TEST(CpuUarch, SkylakeSpSkusWithOneAvx512Unit) {
  for (const char* name :
       {"Intel(R) Xeon(R) Silver 4114 CPU @ 2.20GHz", "Intel(R) Xeon(R) Bronze 3106 CPU @ 1.70GHz",
        "Intel(R) Xeon(R) Gold 5118 CPU @ 2.30GHz", "Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz"}) {
    const CpuUarch u = lookup_cpu_uarch(cpu("GenuineIntel", 6, 85, name));
    EXPECT_EQ(fma_flops_per_cycle(u, 512, 64), 16) << name;
    EXPECT_EQ(fma_flops_per_cycle(u, 256, 64), 16) << name;
    EXPECT_NE(u.name.find("one AVX-512 FMA unit"), std::string::npos) << u.name;
  }
  // The exceptions among Gold 5xxx have both units.
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 85, "Intel(R) Xeon(R) Gold 5122 CPU @ 3.60GHz")), 32);
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 85, "Intel(R) Xeon(R) Gold 5222 CPU @ 3.80GHz")), 32);
}

TEST(CpuUarch, IntelClientCores) {
  EXPECT_EQ(fp64_256(cpu("GenuineIntel", 6, 63)), 16);  // Haswell-EP
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 63)), 0);
  EXPECT_EQ(fp64_512(cpu("GenuineIntel", 6, 140)), 16);  // Tiger Lake: one 512-bit unit
}

TEST(CpuUarch, UnknownCpuFallsBackToAnAssumption) {
  for (const HostCpu& c : {cpu("GenuineIntel", 6, 1), cpu("CentaurHauls", 7, 59), cpu("", 0, 0)}) {
    const CpuUarch u = lookup_cpu_uarch(c);
    EXPECT_FALSE(u.known);
    EXPECT_NE(u.name.find("unknown"), std::string::npos) << u.name;
    EXPECT_NE(u.source.find("assumed"), std::string::npos) << u.source;
    EXPECT_EQ(fma_flops_per_cycle(u, 512, 64), 32);
    EXPECT_EQ(fma_flops_per_cycle(u, 256, 32), 32);
  }
}

TEST(CpuUarch, WidthsWithoutAFigureGiveZero) {
  const CpuUarch u = lookup_cpu_uarch(cpu("AuthenticAMD", 26, 2));
  EXPECT_EQ(fma_flops_per_cycle(u, 0, 64), 0);
  EXPECT_EQ(fma_flops_per_cycle(u, 1024, 64), 0);
  EXPECT_EQ(fma_flops_per_cycle(u, 512, 0), 0);
  EXPECT_EQ(fma_flops_per_cycle(u, 128, 64), 8);
}

}  // namespace
}  // namespace assay
