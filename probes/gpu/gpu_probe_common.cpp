#include "probes/gpu/gpu_probe_common.h"

#include <fmt/format.h>

#include <algorithm>
#include <barrier>
#include <charconv>
#include <thread>

namespace assay::gpu {

Availability gpu_probe_availability() {
  const GpuSetup& setup = gpu_setup();
  if (!setup.available()) return {false, setup.unavailable};
  return {};
}

ParamSpec devices_param() {
  return {"devices", ParamKind::text, std::string("all"),
          "CUDA devices to measure: all, or ordinals such as 0,2,3 (after CUDA_VISIBLE_DEVICES)", {}, {}};
}

ParamSpec concurrent_param() {
  return {"concurrent", ParamKind::flag, true,
          "after each GPU alone, run all selected GPUs at once (subjects gpuN@all)", {}, {}};
}

Expected<std::vector<int>> parse_devices(std::string_view probe, std::string_view text, int device_count) {
  std::vector<int> devices;
  if (text == "all") {
    for (int i = 0; i < device_count; ++i) devices.push_back(i);
    return devices;
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    int index = -1;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), index);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || index < 0) {
      return bad_input(fmt::format("{}: devices='{}': expected 'all' or CUDA ordinals separated by commas (e.g. 0,2)",
                                   probe, text));
    }
    if (index >= device_count) {
      return bad_input(fmt::format("{}: devices='{}': there is no gpu{}; this process sees {} CUDA device(s) (0 to {})",
                                   probe, text, index, device_count, device_count - 1));
    }
    if (std::find(devices.begin(), devices.end(), index) != devices.end()) {
      return bad_input(fmt::format("{}: devices='{}': gpu{} is listed twice", probe, text, index));
    }
    devices.push_back(index);
  }
  if (devices.empty()) {
    return bad_input(fmt::format("{}: devices='{}': expected 'all' or at least one CUDA ordinal", probe, text));
  }
  return devices;
}

void run_on_devices_together(const std::vector<int>& devices, const std::atomic<bool>* cancel,
                             const std::function<void(int device, const Control& control)>& operation) {
  std::barrier ready(static_cast<std::ptrdiff_t>(devices.size()));
  std::vector<std::thread> threads;
  threads.reserve(devices.size());
  for (int device : devices) {
    threads.emplace_back([&, device] {
      Control control;
      control.cancel = cancel;
      // Each thread arrives exactly once, whether or not its operation reaches the
      // timed part, so one failing GPU cannot leave the others waiting.
      bool arrived = false;
      control.before_timing = [&] {
        if (!arrived) {
          arrived = true;
          ready.arrive_and_wait();
        }
      };
      operation(device, control);
      if (!arrived) ready.arrive_and_drop();
    });
  }
  for (std::thread& t : threads) t.join();
}

std::string concurrent_subject(int device) { return fmt::format("gpu{}@all", device); }

ProbeResult skipped_result(ProbeResult result, std::string reason) {
  result.status = ProbeStatus::skipped;
  result.reason = std::move(reason);
  return result;
}

}  // namespace assay::gpu
