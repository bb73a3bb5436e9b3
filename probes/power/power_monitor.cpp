#include "probes/power/power_monitor.h"

#include <fmt/format.h>

#include "probes/power/meter_power.h"
#include "probes/power/power_attribution.h"
#include "probes/power/power_sources.h"

namespace assay {

PowerMonitor::PowerMonitor(const PowerSetup& setup, const std::string& node) {
  const std::string host = node.substr(0, node.find('#'));
  std::vector<std::unique_ptr<PowerSource>> sources;
  std::vector<std::string> absent;
  for (const std::string& name : setup.sources) {
    if (name == "auto") {
      PowerSourceOptions options;
      options.library = setup.nvml_library;
      for (auto& s : open_local_sources(options, absent)) sources.push_back(std::move(s));
      continue;
    }
    auto opened = open_power_source(name, setup.options_for(name, host));
    if (opened) {
      sources.push_back(std::move(*opened));
    } else {
      absent.push_back(fmt::format("{}: {}", name, opened.error().message));
    }
  }
  meter_file_ = with_host(setup.meter_file, host);
  if (!sources.empty()) {
    sampler_ = std::make_unique<PowerSampler>(std::move(sources), setup.interval);
    for (const auto& line : sampler_->describe()) notes_.push_back("power: sampled " + line);
  }
  for (const auto& line : absent) notes_.push_back("power: not sampled: " + line);
  if (!meter_file_.empty()) notes_.push_back("power: meter log " + meter_file_);
  if (setup.sources.empty() && meter_file_.empty()) notes_.push_back("power: not sampled ([power] sources = [])");
}

bool PowerMonitor::samples(std::string_view probe) { return !probe.starts_with("power."); }

void PowerMonitor::begin() {
  started_ = std::chrono::system_clock::now();
  if (sampler_) sampler_->begin_window();
}

void PowerMonitor::end(ProbeResult& result) {
  PowerWindow window;
  if (sampler_) window = sampler_->end_window();
  const auto ended = std::chrono::system_clock::now();
  if (!meter_file_.empty()) {
    // The meter's log is read afresh: a PDU appends to it while the run goes on.
    auto log = read_meter_log(meter_file_, BadRowPolicy::skip);
    auto meter = log ? meter_power_window(*log, WallSpan{started_, ended}) : Expected<PowerWindow>(log.error());
    if (meter) {
      for (auto& d : meter->domains) window.domains.push_back(std::move(d));
    } else {
      window.notes.push_back("meter: " + meter.error().message);
    }
  }
  for (const auto& note : notes_) result.notes.push_back(note);
  attach_power(result, window);
}

}  // namespace assay
