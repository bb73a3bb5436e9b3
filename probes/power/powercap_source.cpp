#include "probes/power/powercap_source.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "probes/power/sysfs_value.h"

namespace assay {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kZonePrefix = "intel-rapl:";

struct Zone {
  std::string id;      // "intel-rapl:0:1"
  std::string domain;  // "package-0/dram"
  fs::path energy_file;
  std::uint64_t range_uj = 0;  // the counter wraps after this value
  std::uint64_t last_uj = 0;
  double total_joules = 0;
  bool started = false;
};

std::string root_only_message(const fs::path& file) {
  return fmt::format("powercap: {} is readable only by root (Linux 5.10 and later restrict RAPL "
                     "energy counters, CVE-2020-8694): run assay as root, or give its user read "
                     "access to the energy_uj files (e.g. a udev rule), or use another power source",
                     file.string());
}

Expected<std::uint64_t> read_counter(const fs::path& file) {
  int failed_errno = 0;
  auto value = read_sysfs_uint(file, &failed_errno);
  if (!value && (failed_errno == EACCES || failed_errno == EPERM)) return environment_error(root_only_message(file));
  return value;
}

class PowercapSource final : public PowerSource {
 public:
  PowercapSource(fs::path root, std::vector<Zone> zones) : root_(std::move(root)), zones_(std::move(zones)) {}

  std::string_view name() const override { return "powercap"; }
  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(100); }

  Expected<std::vector<DomainReading>> read() override {
    std::vector<DomainReading> readings;
    readings.reserve(zones_.size());
    for (Zone& zone : zones_) {
      auto raw = read_counter(zone.energy_file);
      if (!raw) return raw.error();
      if (zone.started) {
        // A counter below its previous value has wrapped once (the sampler reads many
        // times per wrap period), so the range is added back.
        const std::uint64_t delta = *raw >= zone.last_uj ? *raw - zone.last_uj : zone.range_uj - zone.last_uj + *raw;
        zone.total_joules += static_cast<double>(delta) * 1e-6;
      }
      zone.started = true;
      zone.last_uj = *raw;
      readings.push_back({zone.domain, zone.total_joules, std::nullopt});
    }
    return readings;
  }

  std::vector<std::string> describe() const override {
    std::vector<std::string> lines;
    for (const Zone& zone : zones_) {
      lines.push_back(fmt::format("{}: {} (wraps at {} J)", zone.domain, zone.energy_file.string(),
                                  static_cast<double>(zone.range_uj) * 1e-6));
    }
    return lines;
  }

 private:
  fs::path root_;
  std::vector<Zone> zones_;
};

// "intel-rapl:0:1" -> "intel-rapl:0"; a top-level zone has no parent.
std::string parent_id(const std::string& id) {
  const auto last = id.rfind(':');
  if (last == std::string::npos || last < kZonePrefix.size()) return {};
  return id.substr(0, last);
}

}  // namespace

Expected<std::unique_ptr<PowerSource>> open_powercap_source(const PowerSourceOptions& options) {
  const fs::path root = options.root.empty() ? fs::path("/sys/class/powercap") : fs::path(options.root);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return environment_error(fmt::format("powercap: no {} (the kernel has no powercap RAPL driver here, "
                                         "or this is a virtual machine)", root.string()));
  }
  std::vector<Zone> zones;
  std::map<std::string, std::string> names;  // zone id -> its own name
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string id = entry.path().filename().string();
    if (!id.starts_with(kZonePrefix)) continue;  // intel-rapl-mmio:N duplicates the package
    const fs::path dir = entry.path();
    if (!fs::exists(dir / "energy_uj", ec)) continue;
    auto name = read_sysfs_text(dir / "name");
    if (!name) return name.error();
    auto range = read_sysfs_uint(dir / "max_energy_range_uj");
    if (!range) return range.error();
    if (*range == 0) {
      return environment_error(fmt::format("powercap: {} is 0; expected the counter's range in microjoules",
                                           (dir / "max_energy_range_uj").string()));
    }
    names[id] = *name;
    Zone zone;
    zone.id = id;
    zone.energy_file = dir / "energy_uj";
    zone.range_uj = *range;
    zones.push_back(std::move(zone));
  }
  if (ec) {
    return environment_error(fmt::format("powercap: cannot list {}: {}", root.string(), ec.message()));
  }
  if (zones.empty()) {
    return environment_error(fmt::format("powercap: no RAPL zone (intel-rapl:N with energy_uj) under {}",
                                         root.string()));
  }
  for (Zone& zone : zones) {
    const std::string parent = parent_id(zone.id);
    const auto parent_name = names.find(parent);
    zone.domain = parent_name == names.end() ? names[zone.id] : parent_name->second + "/" + names[zone.id];
  }
  std::sort(zones.begin(), zones.end(), [](const Zone& a, const Zone& b) { return a.id < b.id; });
  auto source = std::make_unique<PowercapSource>(root, std::move(zones));
  // The first read proves the counters are readable (root only on current kernels) and
  // sets each counter's origin.
  if (auto first = source->read(); !first) return first.error();
  return std::unique_ptr<PowerSource>(std::move(source));
}

}  // namespace assay
