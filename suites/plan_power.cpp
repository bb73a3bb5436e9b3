#include "suites/plan_power.h"

#include <cmath>

#include "core/units.h"
#include "probes/power/power_sources.h"

namespace assay {
namespace {

const std::vector<std::string> power_keys = {
    "sources",  "interval",         "powercap_root", "hwmon_root", "nvml_library", "ipmi_host",
    "redfish_endpoint", "credentials_file", "ca_file", "allow_http", "ipmitool", "meter_file"};

// The fastest sensible interval: sysfs counters update about every millisecond, but
// below 10 ms the sampler's own reads would start to cost more than 1% of a core.
constexpr double kShortestInterval = 0.01;

}  // namespace

void read_power(const toml::table& table, PowerSetup& setup, TomlIssues& issues) {
  const toml::node* endpoint_node = nullptr;
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    const std::string what = "[power] " + name;
    std::string* text_field = name == "powercap_root"      ? &setup.powercap_root
                              : name == "hwmon_root"       ? &setup.hwmon_root
                              : name == "nvml_library"     ? &setup.nvml_library
                              : name == "ipmi_host"        ? &setup.ipmi_host
                              : name == "redfish_endpoint" ? &setup.redfish_endpoint
                              : name == "credentials_file" ? &setup.credentials_file
                              : name == "ca_file"          ? &setup.ca_file
                              : name == "ipmitool"         ? &setup.ipmitool
                              : name == "meter_file"       ? &setup.meter_file
                                                           : nullptr;
    if (text_field) {
      if (auto v = read_string(node, what, issues)) *text_field = *v;
      if (name == "redfish_endpoint") endpoint_node = &node;
    } else if (name == "sources") {
      // An empty list switches sampling off; read_string_array insists on one entry.
      if (const auto* array = node.as_array(); array && array->empty()) {
        setup.sources.clear();
        continue;
      }
      auto list = read_string_array(node, what, issues);
      if (!list) continue;
      setup.sources.clear();
      for (const auto& s : *list) {
        if (s.text != "auto" && !is_live_source_name(s.text)) {
          issues.add(s.where, what + ": unknown source '" + s.text +
                                  "'; expected auto, powercap, hwmon, nvml, ipmi or redfish (a meter log is "
                                  "meter_file)");
        }
        setup.sources.push_back(s.text);
      }
    } else if (name == "interval") {
      auto text = read_string(node, what, issues);
      if (!text) continue;
      auto seconds = parse_quantity_as(*text, Unit::second);
      if (!seconds) {
        issues.add(node.source(), what + ": " + seconds.error().message);
      } else if (!(seconds->value >= kShortestInterval && seconds->value <= 60)) {
        issues.add(node.source(), what + ": expected a duration from 10 ms to 60 s, e.g. '100 ms'");
      } else {
        setup.interval = std::chrono::milliseconds(std::llround(seconds->value * 1e3));
      }
    } else if (name == "allow_http") {
      if (auto v = read_bool(node, what, issues)) setup.allow_http = *v;
    } else {
      report_unknown_key(key, "[power]", power_keys, issues);
    }
  }
  const bool wants_redfish = std::find(setup.sources.begin(), setup.sources.end(), "redfish") != setup.sources.end();
  if (wants_redfish && setup.redfish_endpoint.empty()) {
    issues.add(table.source(), "[power] sources: redfish needs redfish_endpoint = \"https://BMC\" (\"{host}\" "
                               "stands for each node's host name)");
  }
  if (endpoint_node && setup.redfish_endpoint.starts_with("http://") && !setup.allow_http) {
    issues.add(endpoint_node->source(), "[power] redfish_endpoint: plain http:// sends the BMC password unencrypted; "
                                        "use https://, or set allow_http = true to accept that");
  }
}

void write_power(const PowerSetup& setup, std::ostringstream& out) {
  out << "[power]\nsources = [";
  for (std::size_t i = 0; i < setup.sources.size(); ++i) out << (i ? ", " : "") << toml_quote(setup.sources[i]);
  out << "]\ninterval = " << toml_quote(std::to_string(setup.interval.count()) + " ms") << "\n";
  const std::pair<const char*, const std::string*> texts[] = {
      {"powercap_root", &setup.powercap_root},       {"hwmon_root", &setup.hwmon_root},
      {"nvml_library", &setup.nvml_library},         {"ipmi_host", &setup.ipmi_host},
      {"redfish_endpoint", &setup.redfish_endpoint}, {"credentials_file", &setup.credentials_file},
      {"ca_file", &setup.ca_file},                   {"ipmitool", &setup.ipmitool},
      {"meter_file", &setup.meter_file}};
  for (const auto& [key, value] : texts) {
    if (!value->empty()) out << key << " = " << toml_quote(*value) << "\n";
  }
  if (setup.allow_http) out << "allow_http = true\n";
  out << "\n";
}

}  // namespace assay
