#pragma once
// Linux powercap RAPL zones (/sys/class/powercap/intel-rapl:N and intel-rapl:N:M; AMD
// CPUs use the same names): package, dram, core, uncore and psys energy counters.
//
// energy_uj is a 32- to 64-bit microjoule counter that wraps at max_energy_range_uj
// (about 262 kJ on many parts: 20 minutes at 200 W), so every read adds the difference
// since the previous one, adding the range back when the counter went down. The
// sampler reads far more often than once per wrap.
//
// Since Linux 5.10 energy_uj is readable by root only (CVE-2020-8694, "PLATYPUS");
// opening says so instead of reporting no power.

#include <memory>

#include "core/expected.h"
#include "probes/power/power_source.h"

namespace assay {

/// Opens every RAPL zone under `options.root` (default /sys/class/powercap). Domains
/// are the zones' names: "package-0", children as "package-0/dram". The
/// intel-rapl-mmio zones repeat the package counters and are left out, so that sums
/// over domains do not count a package twice. An environment error when there is no
/// zone or the counters cannot be read (saying why).
Expected<std::unique_ptr<PowerSource>> open_powercap_source(const PowerSourceOptions& options);

}  // namespace assay
