#include "probes/power/hwmon_source.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "probes/power/sysfs_value.h"

namespace assay {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultRoot = "/sys/class/hwmon";

// Every error names the interface, so the sampler's log says where it came from; EACCES
// gets a hint because root-only energy counters are the usual cause on real machines.
Expected<std::uint64_t> read_value(const fs::path& file) {
  int failed_errno = 0;
  Expected<std::uint64_t> value = read_sysfs_uint(file, &failed_errno);
  if (value) return value;
  const char* hint = failed_errno == EACCES ? " (hwmon energy counters are often readable only by root)" : "";
  return environment_error(fmt::format("hwmon: {}{}", value.error().message, hint));
}

/// K when `file` is prefix<K>suffix with K decimal digits, e.g. ("power2_input", "power", "_input") -> 2.
std::optional<unsigned> channel_number(std::string_view file, std::string_view prefix, std::string_view suffix) {
  if (file.size() <= prefix.size() + suffix.size() || !file.starts_with(prefix) || !file.ends_with(suffix)) {
    return std::nullopt;
  }
  const std::string_view digits = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
  unsigned k = 0;
  const auto [stop, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
  if (ec != std::errc() || stop != digits.data() + digits.size()) return std::nullopt;
  return k;
}

struct Domain {
  std::string label;  ///< within its hwmon device; the source prefixes the device name
  std::string power_path;
  std::string energy_path;
  std::uint64_t last_counter_uj = 0;
  std::uint64_t energy_uj = 0;  ///< since open
};

struct Device {
  unsigned index = 0;  ///< N of hwmon<N>
  fs::path dir;
  std::string name;
  std::vector<Domain> domains;
};

/// power<K> or energy<K> channels of one kind: K -> file, labelled.
struct Channel {
  unsigned k = 0;
  std::string path;
  std::string label;
};

std::vector<Channel> labelled(const fs::path& dir, const std::map<unsigned, std::string>& files, const char* kind) {
  std::vector<Channel> channels;
  std::map<std::string, int> uses;
  for (const auto& [k, file] : files) {
    Channel c{k, (dir / file).string(), fmt::format("{}{}", kind, k)};
    const fs::path label_file = dir / fmt::format("{}{}_label", kind, k);
    std::error_code ec;
    if (fs::exists(label_file, ec)) {
      // A label that cannot be read only costs the readable name; the figures stay.
      if (Expected<std::string> text = read_sysfs_text(label_file); text && !text->empty()) c.label = *text;
    }
    ++uses[c.label];
    channels.push_back(std::move(c));
  }
  for (Channel& c : channels) {
    if (uses[c.label] > 1) c.label = fmt::format("{}:{}{}", c.label, kind, c.k);
  }
  return channels;
}

/// The device's channels, power first then energy, each merged into the power domain
/// of the same label. Files that cannot be read at open are left out and noted.
Expected<Device> scan_device(unsigned index, const fs::path& dir, std::vector<std::string>& skipped) {
  Device device{index, dir, fmt::format("hwmon{}", index), {}};
  std::map<unsigned, std::string> inputs, averages, energies;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (const auto k = channel_number(file, "power", "_input")) inputs[*k] = file;
    if (const auto k = channel_number(file, "power", "_average")) averages[*k] = file;
    if (const auto k = channel_number(file, "energy", "_input")) energies[*k] = file;
  }
  if (ec) return environment_error(fmt::format("hwmon: cannot list {}: {}", dir.string(), ec.message()));
  // The instantaneous reading when the driver has one; average-only drivers (amdgpu)
  // report over their own short window, which is the best there is.
  for (const auto& [k, file] : averages) inputs.try_emplace(k, file);

  if (Expected<std::string> name = read_sysfs_text(dir / "name"); name && !name->empty()) device.name = *name;

  for (Channel& c : labelled(dir, inputs, "power")) {
    if (Expected<std::uint64_t> uw = read_value(c.path); !uw) {
      skipped.push_back(uw.error().message);
      continue;
    }
    device.domains.push_back({c.label, c.path, "", 0, 0});
  }
  for (Channel& c : labelled(dir, energies, "energy")) {
    Expected<std::uint64_t> uj = read_value(c.path);
    if (!uj) {
      skipped.push_back(uj.error().message);
      continue;
    }
    auto same = std::find_if(device.domains.begin(), device.domains.end(),
                             [&](const Domain& d) { return d.label == c.label && d.energy_path.empty(); });
    if (same == device.domains.end()) same = device.domains.insert(device.domains.end(), Domain{c.label, "", "", 0, 0});
    same->energy_path = c.path;
    same->last_counter_uj = *uj;
  }
  return device;
}

class HwmonSource final : public PowerSource {
 public:
  HwmonSource(std::string root, std::vector<Device> devices, std::vector<std::string> skipped)
      : root_(std::move(root)), devices_(std::move(devices)), skipped_(std::move(skipped)) {
    std::map<std::string, int> uses;
    for (const Device& d : devices_) ++uses[d.name];
    for (const Device& d : devices_) {
      prefixes_.push_back(uses[d.name] > 1 ? fmt::format("{}@hwmon{}", d.name, d.index) : d.name);
    }
  }

  std::string_view name() const override { return "hwmon"; }
  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(100); }

  Expected<std::vector<DomainReading>> read() override {
    std::vector<DomainReading> readings;
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      for (Domain& d : devices_[i].domains) {
        DomainReading reading;
        reading.domain = prefixes_[i] + "/" + d.label;
        if (!d.power_path.empty()) {
          Expected<std::uint64_t> uw = read_value(d.power_path);
          if (!uw) return uw.error();
          reading.watts = static_cast<double>(*uw) / 1e6;
        }
        if (!d.energy_path.empty()) {
          Expected<std::uint64_t> uj = read_value(d.energy_path);
          if (!uj) return uj.error();
          // Counters are cumulative, but drivers reset them (module reload, suspend) and
          // wrap them at widths they do not publish, so a smaller value is taken as a
          // restart from 0: the energy since the previous reading is then undercounted
          // by what was used before the restart, which at 100 ms intervals is small.
          d.energy_uj += *uj >= d.last_counter_uj ? *uj - d.last_counter_uj : *uj;
          d.last_counter_uj = *uj;
          reading.energy_joules = static_cast<double>(d.energy_uj) / 1e6;
        }
        readings.push_back(std::move(reading));
      }
    }
    return readings;
  }

  std::vector<std::string> describe() const override {
    std::vector<std::string> lines = {"hwmon root " + root_};
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      for (const Domain& d : devices_[i].domains) {
        std::string line = prefixes_[i] + "/" + d.label + ":";
        if (!d.power_path.empty()) line += " power " + d.power_path + " (microwatts)";
        if (!d.energy_path.empty()) line += " energy " + d.energy_path + " (microjoules)";
        lines.push_back(std::move(line));
      }
    }
    for (const std::string& s : skipped_) lines.push_back("left out: " + s);
    return lines;
  }

 private:
  std::string root_;
  std::vector<Device> devices_;
  std::vector<std::string> prefixes_;  ///< per device: its name, or name@hwmon<N> when shared
  std::vector<std::string> skipped_;
};

}  // namespace

Expected<std::unique_ptr<PowerSource>> open_hwmon_source(const PowerSourceOptions& options) {
  const std::string root = options.root.empty() ? kDefaultRoot : options.root;
  std::vector<std::pair<unsigned, fs::path>> dirs;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const auto index = channel_number(it->path().filename().string(), "hwmon", "");
    std::error_code dir_ec;
    if (index && fs::is_directory(it->path(), dir_ec)) dirs.emplace_back(*index, it->path());
  }
  if (ec) return environment_error(fmt::format("hwmon: cannot list {}: {}", root, ec.message()));
  std::sort(dirs.begin(), dirs.end());

  std::vector<Device> devices;
  std::vector<std::string> skipped;
  for (const auto& [index, dir] : dirs) {
    Expected<Device> device = scan_device(index, dir, skipped);
    if (!device) return device.error();
    if (!device->domains.empty()) devices.push_back(std::move(device).value());
  }
  if (devices.empty() && skipped.empty()) return environment_error("no hwmon power or energy sensor under " + root);
  if (devices.empty()) {
    std::string why;
    for (const std::string& s : skipped) why += (why.empty() ? "" : "; ") + s;
    return environment_error(fmt::format("no readable hwmon power or energy sensor under {}: {}", root, why));
  }
  return std::unique_ptr<PowerSource>(std::make_unique<HwmonSource>(root, std::move(devices), std::move(skipped)));
}

}  // namespace assay
