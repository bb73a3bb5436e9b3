#include "probes/power/power_setup.h"

#include <fmt/format.h>

namespace assay {

std::string with_host(std::string_view text, std::string_view host) {
  constexpr std::string_view placeholder = "{host}";
  std::string out;
  for (std::size_t at = 0;;) {
    const auto found = text.find(placeholder, at);
    out += text.substr(at, found - at);
    if (found == std::string_view::npos) return out;
    out += host;
    at = found + placeholder.size();
  }
}

PowerSourceOptions PowerSetup::options_for(std::string_view source, std::string_view host) const {
  PowerSourceOptions o;
  if (source == "powercap") o.root = powercap_root;
  if (source == "hwmon") o.root = hwmon_root;
  o.library = nvml_library;
  if (source == "ipmi") o.endpoint = with_host(ipmi_host, host);
  if (source == "redfish") o.endpoint = with_host(redfish_endpoint, host);
  o.credentials_file = credentials_file;
  o.ca_file = ca_file;
  o.allow_http = allow_http;
  o.ipmitool = ipmitool;
  o.file = with_host(meter_file, host);
  return o;
}

Json to_json(const PowerSetup& setup) {
  return Json{{"sources", setup.sources},
              {"interval_s", std::chrono::duration<double>(setup.interval).count()},
              {"powercap_root", setup.powercap_root},
              {"hwmon_root", setup.hwmon_root},
              {"nvml_library", setup.nvml_library},
              {"ipmi_host", setup.ipmi_host},
              {"redfish_endpoint", setup.redfish_endpoint},
              {"credentials_file", setup.credentials_file},
              {"ca_file", setup.ca_file},
              {"allow_http", setup.allow_http},
              {"ipmitool", setup.ipmitool},
              {"meter_file", setup.meter_file}};
}

Expected<PowerSetup> power_setup_from_json(const Json& json, std::string_view where) {
  if (!json.is_object()) return bad_input(fmt::format("{}: expected an object", where));
  PowerSetup s;
  try {
    s.sources = json.at("sources").get<std::vector<std::string>>();
    s.interval = std::chrono::milliseconds(static_cast<long long>(json.at("interval_s").get<double>() * 1e3 + 0.5));
    s.powercap_root = json.at("powercap_root").get<std::string>();
    s.hwmon_root = json.at("hwmon_root").get<std::string>();
    s.nvml_library = json.at("nvml_library").get<std::string>();
    s.ipmi_host = json.at("ipmi_host").get<std::string>();
    s.redfish_endpoint = json.at("redfish_endpoint").get<std::string>();
    s.credentials_file = json.at("credentials_file").get<std::string>();
    s.ca_file = json.at("ca_file").get<std::string>();
    s.allow_http = json.at("allow_http").get<bool>();
    s.ipmitool = json.at("ipmitool").get<std::string>();
    s.meter_file = json.at("meter_file").get<std::string>();
  } catch (const Json::exception& e) {
    return bad_input(fmt::format("{}: {}", where, e.what()));
  }
  return s;
}

}  // namespace assay
