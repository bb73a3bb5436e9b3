#include "probes/cpu/cpu_uarch.h"

#include <string_view>

namespace assay {
namespace {

struct UarchRow {
  std::string_view vendor;  // /proc/cpuinfo vendor_id
  int family;
  int model_first, model_last;  // inclusive
  std::string_view name;
  double fma_128, fma_256, fma_512;  // FMA instructions per cycle per core
  std::string_view source;
};

constexpr std::string_view kIntelManual =
    "Intel 64 and IA-32 Architectures Optimization Reference Manual";
constexpr std::string_view kAmd17h = "AMD Software Optimization Guide for Family 17h (pub. 55723)";
constexpr std::string_view kAmdZen2 =
    "AMD Software Optimization Guide for Family 17h Models 30h+ (pub. 56305)";
constexpr std::string_view kAmdZen3 = "AMD Software Optimization Guide for Family 19h (pub. 56665)";
constexpr std::string_view kAmdZen4 =
    "AMD Software Optimization Guide for the Zen4 Microarchitecture (pub. 57647)";
constexpr std::string_view kAmdZen5 =
    "AMD Software Optimization Guide for the Zen5 Microarchitecture (pub. 58455)";

constexpr std::string_view kIntel = "GenuineIntel";
constexpr std::string_view kAmd = "AuthenticAMD";
constexpr std::string_view kHygon = "HygonGenuine";

// Model numbers as /proc/cpuinfo prints them (decimal there, hex here).
constexpr UarchRow kRows[] = {
    // Intel Haswell and Broadwell: two 256-bit FMA units on ports 0 and 1.
    {kIntel, 6, 0x3C, 0x3C, "Intel Haswell", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x3F, 0x3F, "Intel Haswell-EP", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x45, 0x46, "Intel Haswell", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x3D, 0x3D, "Intel Broadwell", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x47, 0x47, "Intel Broadwell", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x4F, 0x4F, "Intel Broadwell-EP", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x56, 0x56, "Intel Broadwell-DE", 2, 2, 0, kIntelManual},
    // Skylake client and its refreshes (Kaby, Coffee, Comet Lake): two 256-bit FMA units.
    {kIntel, 6, 0x4E, 0x4E, "Intel Skylake", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x5E, 0x5E, "Intel Skylake", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x8E, 0x8E, "Intel Kaby/Coffee Lake", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x9E, 0x9E, "Intel Kaby/Coffee Lake", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0xA5, 0xA6, "Intel Comet Lake", 2, 2, 0, kIntelManual},
    // Skylake-SP, Cascade Lake, Cooper Lake share model 0x55. 512-bit FMAs issue on the
    // fused port 0+1 and, on SKUs with the second unit, on port 5: two per cycle for
    // Platinum, Gold 6xxx and Gold 5122/5222, one for the other Gold 5xxx, Silver and
    // Bronze (Intel ARK "# of AVX-512 FMA Units"; see adjust_skylake_sp()).
    {kIntel, 6, 0x55, 0x55, "Intel Skylake-SP/Cascade Lake", 2, 2, 2,
     "Intel Optimization Reference Manual; Intel ARK (# of AVX-512 FMA Units)"},
    // Ice Lake, Tiger Lake, Rocket Lake client: one 512-bit FMA (fused port 0+1).
    {kIntel, 6, 0x7D, 0x7E, "Intel Ice Lake (client)", 2, 2, 1, kIntelManual},
    {kIntel, 6, 0x8C, 0x8D, "Intel Tiger Lake", 2, 2, 1, kIntelManual},
    {kIntel, 6, 0xA7, 0xA7, "Intel Rocket Lake", 2, 2, 1, kIntelManual},
    // Xeon Scalable from Ice Lake-SP on: two 512-bit FMA units on every SKU.
    {kIntel, 6, 0x6A, 0x6A, "Intel Ice Lake-SP", 2, 2, 2,
     "Intel Optimization Reference Manual; Intel ARK (# of AVX-512 FMA Units: 2)"},
    {kIntel, 6, 0x6C, 0x6C, "Intel Ice Lake-D", 2, 2, 2,
     "Intel Optimization Reference Manual; Intel ARK (# of AVX-512 FMA Units: 2)"},
    {kIntel, 6, 0x8F, 0x8F, "Intel Sapphire Rapids", 2, 2, 2, kIntelManual},
    {kIntel, 6, 0xCF, 0xCF, "Intel Emerald Rapids", 2, 2, 2, kIntelManual},
    {kIntel, 6, 0xAD, 0xAE, "Intel Granite Rapids", 2, 2, 2, kIntelManual},
    // Hybrid client parts: P-core figures (Golden/Raptor Cove: two 256-bit FMA units, no
    // AVX-512); their E-cores do one 256-bit FMA per cycle, so the derived peak of a
    // run that includes E-cores is too high.
    {kIntel, 6, 0x97, 0x97, "Intel Alder Lake (P-core figures)", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0x9A, 0x9A, "Intel Alder Lake (P-core figures)", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0xB7, 0xB7, "Intel Raptor Lake (P-core figures)", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0xBA, 0xBA, "Intel Raptor Lake (P-core figures)", 2, 2, 0, kIntelManual},
    {kIntel, 6, 0xBF, 0xBF, "Intel Raptor Lake (P-core figures)", 2, 2, 0, kIntelManual},
    // Sierra Forest (Crestmont E-cores): two 128-bit FMA pipes, a ymm FMA takes both.
    {kIntel, 6, 0xAF, 0xAF, "Intel Sierra Forest", 2, 1, 0, kIntelManual},
    // Xeon Phi: two 512-bit vector units per core.
    {kIntel, 6, 0x57, 0x57, "Intel Knights Landing", 2, 2, 2, kIntelManual},
    {kIntel, 6, 0x85, 0x85, "Intel Knights Mill", 2, 2, 2, kIntelManual},

    // AMD Zen, Zen+ and Hygon Dhyana (a Zen licence): two 128-bit FMA pipes; a ymm FMA
    // is split into two halves.
    {kAmd, 0x17, 0x00, 0x2F, "AMD Zen/Zen+", 2, 1, 0, kAmd17h},
    {kHygon, 0x18, 0x00, 0x0F, "Hygon Dhyana (Zen)", 2, 1, 0, kAmd17h},
    // Zen 2 (Rome, Renoir, Matisse, Van Gogh, Mendocino): two 256-bit FMA pipes.
    {kAmd, 0x17, 0x30, 0xFF, "AMD Zen 2", 2, 2, 0, kAmdZen2},
    // Family 19h mixes Zen 3 and Zen 4 by model range.
    {kAmd, 0x19, 0x00, 0x0F, "AMD Zen 3 (Milan)", 2, 2, 0, kAmdZen3},
    {kAmd, 0x19, 0x20, 0x5F, "AMD Zen 3", 2, 2, 0, kAmdZen3},
    // Zen 4 runs AVX-512 on its two 256-bit FMA pipes: a zmm FMA takes two passes.
    {kAmd, 0x19, 0x10, 0x1F, "AMD Zen 4 (Genoa)", 2, 2, 1, kAmdZen4},
    {kAmd, 0x19, 0x60, 0x7F, "AMD Zen 4", 2, 2, 1, kAmdZen4},
    {kAmd, 0x19, 0x90, 0xAF, "AMD Zen 4 (Bergamo/Siena/MI300A)", 2, 2, 1, kAmdZen4},
    // Zen 5 (family 1Ah): two FMA pipes, 512 bits wide in server and desktop parts...
    {kAmd, 0x1A, 0x00, 0x1F, "AMD Zen 5 (EPYC Turin)", 2, 2, 2, kAmdZen5},
    {kAmd, 0x1A, 0x40, 0x4F, "AMD Zen 5 (Granite Ridge)", 2, 2, 2, kAmdZen5},
    {kAmd, 0x1A, 0x70, 0x7F, "AMD Zen 5 (Strix Halo)", 2, 2, 2, kAmdZen5},
    // ...and 256 bits wide in the mobile Strix Point and Krackan Point, which
    // double-pump zmm FMAs like Zen 4.
    {kAmd, 0x1A, 0x20, 0x2F, "AMD Zen 5 (Strix Point, 256-bit datapath)", 2, 2, 1, kAmdZen5},
    {kAmd, 0x1A, 0x60, 0x6F, "AMD Zen 5 (Krackan Point, 256-bit datapath)", 2, 2, 1, kAmdZen5},
};

// Skylake-SP/Cascade Lake SKUs with a single 512-bit FMA unit, recognised by name:
// Silver, Bronze, Gold 5xxx other than 5122/5222, and Core i7-7800X/7820X.
bool single_avx512_fma_unit(const std::string& model_name) {
  const auto has = [&](std::string_view text) {
    return model_name.find(text) != std::string::npos;
  };
  if (has("Silver") || has("Bronze") || has("i7-7800X") || has("i7-7820X")) return true;
  const auto gold = model_name.find("Gold 5");
  if (gold == std::string::npos || model_name.size() < gold + 9) return false;
  const std::string number = model_name.substr(gold + 5, 4);  // "5118", "5122", ...
  return number != "5122" && number != "5222";
}

}  // namespace

CpuUarch lookup_cpu_uarch(const HostCpu& cpu) {
  for (const UarchRow& row : kRows) {
    if (cpu.vendor != row.vendor || cpu.family != row.family) continue;
    if (cpu.model < row.model_first || cpu.model > row.model_last) continue;
    CpuUarch uarch{std::string(row.name), row.fma_128, row.fma_256, row.fma_512, true,
                   std::string(row.source)};
    if (row.vendor == kIntel && row.model_first == 0x55 && single_avx512_fma_unit(cpu.model_name)) {
      uarch.name += " (one AVX-512 FMA unit)";
      uarch.fma_per_cycle_512 = 1;
    }
    return uarch;
  }
  // Not in the table: assume two FMA pipes of every width the ISA has, the common case
  // of current server cores, and say so.
  CpuUarch fallback;
  fallback.name = "unknown (" + (cpu.vendor.empty() ? std::string("no vendor") : cpu.vendor) +
                  " family " + std::to_string(cpu.family) + " model " +
                  std::to_string(cpu.model) + ")";
  fallback.fma_per_cycle_128 = 2;
  fallback.fma_per_cycle_256 = 2;
  fallback.fma_per_cycle_512 = 2;
  fallback.known = false;
  fallback.source = "assumed: two FMA pipes of the instruction set's full width";
  return fallback;
}

double fma_flops_per_cycle(const CpuUarch& uarch, int vector_bits, int element_bits) {
  if (element_bits <= 0) return 0;
  double fma_per_cycle = 0;
  switch (vector_bits) {
    case 128: fma_per_cycle = uarch.fma_per_cycle_128; break;
    case 256: fma_per_cycle = uarch.fma_per_cycle_256; break;
    case 512: fma_per_cycle = uarch.fma_per_cycle_512; break;
    default: return 0;
  }
  return fma_per_cycle * (vector_bits / element_bits) * 2.0;
}

}  // namespace assay
