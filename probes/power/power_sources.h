#pragma once
// Opening power sources by name, and finding the ones this machine has.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "probes/power/power_source.h"

namespace assay {

/// Opens "powercap", "hwmon", "nvml", "ipmi" or "redfish" with `options`. An
/// environment error says why the source is absent here; a bad_input error names the
/// option that is wrong (an http:// endpoint without allow_http, an unreadable
/// credentials file).
Expected<std::unique_ptr<PowerSource>> open_power_source(std::string_view name, const PowerSourceOptions& options);

/// The sources that need no address and answer here: powercap, hwmon and NVML (the BMC
/// sources need an endpoint or cost a process per reading, so they are only opened when
/// named). `absent` gets one line per source that did not open, with the reason.
std::vector<std::unique_ptr<PowerSource>> open_local_sources(const PowerSourceOptions& options,
                                                             std::vector<std::string>& absent);

/// Whether `name` is a source open_power_source() knows.
bool is_live_source_name(std::string_view name);

}  // namespace assay
