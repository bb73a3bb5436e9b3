#pragma once
// What a run samples beside its probes: the plan's [power] table (docs/plans.md), the
// same on every node. Travels to the other ranks inside each step, so it has a JSON form.

#include <chrono>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/result_json.h"
#include "probes/power/power_source.h"

namespace assay {

struct PowerSetup {
  /// "auto" (every local source that answers: powercap, hwmon, nvml), or named live
  /// sources; empty: no sampling.
  std::vector<std::string> sources = {"auto"};
  std::chrono::milliseconds interval{100};
  std::string powercap_root;  ///< empty: /sys/class/powercap
  std::string hwmon_root;     ///< empty: /sys/class/hwmon
  std::string nvml_library;   ///< empty: libnvidia-ml.so.1
  /// ipmi: BMC host for lanplus (empty: the local BMC). redfish: https://BMC. "{host}"
  /// is replaced by each node's host name, as every node has its own BMC.
  std::string ipmi_host;
  std::string redfish_endpoint;
  std::string credentials_file;
  std::string ca_file;
  bool allow_http = false;
  std::string ipmitool;
  /// A PDU's or meter's live CSV log covering this node (or its rack); each probe gets
  /// the log's figures over its window. "{host}" as above.
  std::string meter_file;

  /// The options for one named source on `host`.
  PowerSourceOptions options_for(std::string_view source, std::string_view host) const;
};

/// Every field, in order, for plan.toml, the step message and inventories.
Json to_json(const PowerSetup& setup);
/// The inverse of to_json(); an error names the field.
Expected<PowerSetup> power_setup_from_json(const Json& json, std::string_view where);

/// `text` with every "{host}" replaced by `host`.
std::string with_host(std::string_view text, std::string_view host);

}  // namespace assay
