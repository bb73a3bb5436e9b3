#include "probes/power/power_sources.h"

#include <algorithm>

#include <fmt/format.h>

#include "probes/power/hwmon_source.h"
#include "probes/power/ipmi_source.h"
#include "probes/power/nvml_source.h"
#include "probes/power/powercap_source.h"
#include "probes/power/redfish_source.h"

namespace assay {

bool is_live_source_name(std::string_view name) {
  return std::find(std::begin(kLiveSourceNames), std::end(kLiveSourceNames), name) != std::end(kLiveSourceNames);
}

Expected<std::unique_ptr<PowerSource>> open_power_source(std::string_view name, const PowerSourceOptions& options) {
  if (name == "powercap") return open_powercap_source(options);
  if (name == "hwmon") return open_hwmon_source(options);
  if (name == "nvml") return open_nvml_source(options);
  if (name == "ipmi") return open_ipmi_source(options);
  if (name == "redfish") return open_redfish_source(options);
  return bad_input(fmt::format("unknown power source '{}'; expected one of powercap, hwmon, nvml, ipmi, redfish",
                               name));
}

std::vector<std::unique_ptr<PowerSource>> open_local_sources(const PowerSourceOptions& options,
                                                             std::vector<std::string>& absent) {
  std::vector<std::unique_ptr<PowerSource>> sources;
  for (std::string_view name : {"powercap", "hwmon", "nvml"}) {
    PowerSourceOptions own = options;
    // One root cannot serve both sysfs classes; auto-detection uses the standard ones.
    own.root.clear();
    auto source = open_power_source(name, own);
    if (source) {
      sources.push_back(std::move(*source));
    } else {
      absent.push_back(fmt::format("{}: {}", name, source.error().message));
    }
  }
  return sources;
}

}  // namespace assay
