#include "probes/power/power_sample_probe.h"

#include <cmath>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "probes/power/meter_power.h"
#include "probes/power/power_attribution.h"
#include "probes/power/power_sampler.h"
#include "probes/power/power_sources.h"

namespace assay {
namespace {

// Above these a reading is a misread: the largest AI racks draw ~150 kW, and a meter
// log may be a whole campus's (a few hundred MW today).
constexpr double kImplausibleNodeWatts = 1e6;
constexpr double kImplausibleMeterWatts = 1e10;

PowerSourceOptions options_from(const ParamList& params) {
  PowerSourceOptions o;
  o.root = param_text(params, "root");
  o.endpoint = param_text(params, "endpoint");
  o.library = param_text(params, "library");
  o.file = param_text(params, "file");
  o.credentials_file = param_text(params, "credentials_file");
  o.ca_file = param_text(params, "ca_file");
  o.allow_http = param_flag(params, "allow_http");
  o.ipmitool = param_text(params, "ipmitool");
  return o;
}

// Every figure finite and within what a node can draw; counters never went backwards
// (the readers take wrap-around out, so a negative energy is a reader's fault).
Validation validate(const PowerWindow& window) {
  Validation v;
  v.checked = true;
  for (const DomainWindow& d : window.domains) {
    const bool finite = std::isfinite(d.mean_watts) && std::isfinite(d.peak_watts) && std::isfinite(d.energy_joules);
    const double limit = d.source == "meter" ? kImplausibleMeterWatts : kImplausibleNodeWatts;
    if (!finite || d.mean_watts < 0 || d.energy_joules < 0 || d.peak_watts > limit) {
      v.passed = false;
      v.detail = fmt::format("{} {}: implausible figures: mean {} W, peak {} W, energy {} J over {:.3f} s", d.source,
                             d.domain, d.mean_watts, d.peak_watts, d.energy_joules, d.seconds);
      return v;
    }
  }
  v.passed = true;
  v.detail = fmt::format("{} domain(s): energy non-negative, every power finite and within 0..{} W",
                         window.domains.size(), kImplausibleNodeWatts);
  if (!window.domains.empty() && window.domains.front().source == "meter") {
    v.detail = fmt::format("meter log: energy non-negative, every power finite and within 0..{} W",
                           kImplausibleMeterWatts);
  }
  return v;
}

class PowerSampleProbe final : public Probe {
 public:
  std::string_view name() const override { return "power.sample"; }
  std::string_view description() const override {
    return "power drawn now (idle or whatever runs) for N seconds: powercap, hwmon, NVML, IPMI, Redfish, or a "
           "meter log";
  }
  std::vector<ParamSpec> params() const override {
    return {
        {"source", ParamKind::text, std::string("auto"),
         "auto (every local source that answers: powercap, hwmon, nvml), or one of powercap, hwmon, nvml, ipmi, "
         "redfish, meter",
         {}, {}, {"auto", "powercap", "hwmon", "nvml", "ipmi", "redfish", "meter"}},
        {"seconds", ParamKind::seconds, 5.0, "how long to sample (not used for a meter log: its whole period)", 0.2,
         86400.0},
        {"interval", ParamKind::seconds, 0.1, "sampling interval (a BMC is read at most once a second)", 0.01, 60.0},
        {"root", ParamKind::text, std::string(""), "powercap/hwmon: sysfs root (default /sys/class/powercap or hwmon)", {}, {}},
        {"endpoint", ParamKind::text, std::string(""),
         "redfish: https://BMC; ipmi: BMC host for lanplus (empty: the local BMC)", {}, {}},
        {"library", ParamKind::text, std::string(""), "nvml: the library to load (default libnvidia-ml.so.1)", {}, {}},
        {"file", ParamKind::text, std::string(""), "meter: the CSV log (timestamp, watts)", {}, {}},
        {"credentials_file", ParamKind::text, std::string(""),
         "ipmi/redfish: file with user and password (default: ASSAY_BMC_USER / ASSAY_BMC_PASSWORD)", {}, {}},
        {"ca_file", ParamKind::text, std::string(""), "redfish: CA bundle for the BMC's certificate", {}, {}},
        {"allow_http", ParamKind::flag, false, "redfish: allow a plain http:// endpoint", {}, {}},
        {"ipmitool", ParamKind::text, std::string(""), "ipmi: the ipmitool program (default: on PATH)", {}, {}},
        {"bad_rows", ParamKind::text, std::string("refuse"), "meter: refuse a log with bad rows, or skip them",
         {}, {}, {"refuse", "skip"}},
    };
  }
  std::vector<MetricSpec> metrics() const override { return sampled_power_metrics(); }
  Expected<void> check_params(const ParamList& params) const override {
    const std::string& source = param_text(params, "source");
    if (source == "meter" && param_text(params, "file").empty()) {
      return bad_input("source=meter needs file=CSV (the meter's log: timestamp, watts)");
    }
    if (source == "redfish" && param_text(params, "endpoint").empty()) {
      return bad_input("source=redfish needs endpoint=https://BMC");
    }
    if (source == "redfish" && param_text(params, "endpoint").starts_with("http://") && !param_flag(params, "allow_http")) {
      return bad_input("endpoint: plain http:// sends the BMC password unencrypted; use https://, or set "
                       "allow_http=true to accept that");
    }
    // A meter log is the user's input: bad rows are refused up front (exit 2).
    if (source == "meter") {
      const auto policy = param_text(params, "bad_rows") == "skip" ? BadRowPolicy::skip : BadRowPolicy::refuse;
      if (auto log = read_meter_log(param_text(params, "file"), policy); !log) return log.error();
    }
    return {};
  }
  Availability availability() const override { return {}; }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.subject = "power";
    const std::string& source = param_text(params, "source");
    if (source == "meter") return run_meter(params, std::move(result));

    std::vector<std::unique_ptr<PowerSource>> sources;
    const PowerSourceOptions options = options_from(params);
    if (source == "auto") {
      std::vector<std::string> absent;
      sources = open_local_sources(options, absent);
      if (sources.empty()) {
        result.status = ProbeStatus::skipped;
        result.reason = fmt::format("no power source on this node ({})", fmt::join(absent, "; "));
        return result;
      }
      for (const auto& line : absent) result.notes.push_back("not used: " + line);
    } else {
      auto opened = open_power_source(source, options);
      if (!opened) {
        if (opened.error().kind == ErrorKind::environment) {
          result.status = ProbeStatus::skipped;
          result.reason = opened.error().message;
          return result;
        }
        return error_result(std::move(result), opened.error().message);
      }
      sources.push_back(std::move(*opened));
    }
    const auto interval = std::chrono::milliseconds(std::llround(param_real(params, "interval") * 1e3));
    PowerSampler sampler(std::move(sources), interval);
    for (const auto& line : sampler.describe()) result.notes.push_back("read " + line);
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(param_real(params, "seconds"));
    sampler.begin_window();
    while (std::chrono::steady_clock::now() < until && !context.cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const PowerWindow window = sampler.end_window();
    if (context.cancelled()) return error_result(std::move(result), "power.sample: cancelled");
    return finish(std::move(result), window);
  }

 private:
  static ProbeResult finish(ProbeResult result, const PowerWindow& window) {
    if (window.domains.empty()) {
      return error_result(std::move(result),
                          fmt::format("power.sample: no reading succeeded ({})", fmt::join(window.notes, "; ")));
    }
    result.validation = validate(window);
    attach_power(result, window);
    if (!result.validation.passed) {
      result.status = ProbeStatus::error;
      result.error = "power.sample: " + result.validation.detail;
    }
    return result;
  }

  static ProbeResult run_meter(const ParamList& params, ProbeResult result) {
    const std::string& file = param_text(params, "file");
    const auto policy = param_text(params, "bad_rows") == "skip" ? BadRowPolicy::skip : BadRowPolicy::refuse;
    auto log = read_meter_log(file, policy);
    if (!log) return error_result(std::move(result), log.error().message);
    for (const auto& bad : log->bad_rows) result.notes.push_back("skipped " + bad);
    auto window = meter_power_window(*log, std::nullopt);
    if (!window) return error_result(std::move(result), window.error().message);
    result.notes.push_back(fmt::format("meter log {}: {} rows over {:.0f} s", file, log->rows.size(), window->seconds));
    return finish(std::move(result), *window);
  }
};

}  // namespace

std::unique_ptr<Probe> make_power_sample_probe() { return std::make_unique<PowerSampleProbe>(); }

}  // namespace assay
