#pragma once
// A power source: one reader of one hardware (or log) interface that reports, per
// domain, a cumulative energy counter and/or a power reading. The sampler
// (power_sampler.h) reads every open source at its interval and turns the readings into
// mean power, peak power and energy over each probe's window (docs/probes/power.md).
//
// Every reader takes its root path, endpoint or library as an option, so the tests run
// the real reader against fixture trees, loopback servers and stand-in libraries.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace assay {

/// One domain's state at one instant.
struct DomainReading {
  /// What the figure covers: "package-0", "package-0/dram" (powercap), "amdgpu/PPT"
  /// (hwmon), "gpu0" (NVML), "node" (IPMI DCMI), "chassis/1U" (Redfish).
  std::string domain;
  /// Energy since the source was opened, in joules, monotonic: counter wrap-around and
  /// the counter's own origin already taken out. Empty when the domain has no counter.
  std::optional<double> energy_joules;
  /// Power the source reports now (or averaged over its own short window), in watts.
  /// Empty when the domain has only an energy counter.
  std::optional<double> watts;
};

/// A reader of one interface. Not thread-safe: the sampler calls it from one thread at
/// a time.
class PowerSource {
 public:
  virtual ~PowerSource() = default;
  /// "powercap", "hwmon", "nvml", "ipmi", "redfish" (the <source> of power.<source>.watts).
  virtual std::string_view name() const = 0;
  /// The shortest interval at which reading is meaningful and cheap (sysfs and NVML:
  /// 100 ms; a BMC answers about once a second). The sampler never reads faster.
  virtual std::chrono::milliseconds min_interval() const = 0;
  /// Reads every domain once. An error names the interface and what failed (a file
  /// that vanished, a BMC that stopped answering); the sampler records it and goes on.
  virtual Expected<std::vector<DomainReading>> read() = 0;
  /// What was found when opening: the files, devices or URLs read, so a reader of the
  /// result can tell where the figures came from. Never contains credentials.
  virtual std::vector<std::string> describe() const = 0;
};

/// Where a source reads from; each reader uses the fields that concern it and ignores
/// the rest. Empty fields mean "the usual place on this machine".
struct PowerSourceOptions {
  std::string root;      ///< sysfs root: /sys/class/powercap, /sys/class/hwmon
  std::string endpoint;  ///< Redfish: https://bmc.example; IPMI: BMC host (empty = local /dev/ipmi0)
  std::string library;   ///< NVML: the library to dlopen (default libnvidia-ml.so.1)
  std::string file;      ///< meter: the CSV log
  /// BMC credentials file (user and password, docs/probes/power.md); empty: the
  /// ASSAY_BMC_USER and ASSAY_BMC_PASSWORD environment variables.
  std::string credentials_file;
  std::string ca_file;       ///< Redfish: CA bundle to verify the BMC's certificate
  bool allow_http = false;   ///< Redfish: plain http:// endpoints are refused unless set
  std::string ipmitool;      ///< IPMI: the ipmitool program (default: ipmitool on PATH)
};

/// The names of the live sources, in the order auto-detection tries them.
inline constexpr std::string_view kLiveSourceNames[] = {"powercap", "hwmon", "nvml", "ipmi", "redfish"};

}  // namespace assay
