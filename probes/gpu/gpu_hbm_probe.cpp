#include "probes/gpu/gpu_hbm_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "core/units.h"
#include "probes/gpu/copy_figures.h"
#include "probes/gpu/gpu_probe_common.h"
#include "probes/gpu/hbm_sizing.h"

namespace assay {
namespace {

using gpu::HbmKernel;

constexpr std::string_view probe_name = "gpu.hbm";

struct Settings {
  std::vector<int> devices;
  std::uint64_t array_bytes = 0;  // 0: each device's default (hbm_default_array_bytes)
  int repetitions = 0;
  int warmup = 0;
  bool concurrent = true;
};

// `devices` is null when no GPU is available: then only what does not depend on a
// device is checked (the runner does not run an unavailable probe anyway).
Expected<Settings> resolve_settings(const ParamList& params, const std::vector<gpu::Device>* devices) {
  Settings s;
  auto selected = gpu::parse_devices(probe_name, param_text(params, "devices"),
                                     devices != nullptr ? static_cast<int>(devices->size()) : 0);
  if (!selected) return selected.error();
  s.devices = std::move(*selected);
  const std::int64_t array_bytes = param_int(params, "array_bytes");
  if (array_bytes < 0) return bad_input(fmt::format("{}: array_bytes={}: expected 0 (automatic) or a size", probe_name, array_bytes));
  s.array_bytes = gpu::hbm_round_array_bytes(static_cast<std::uint64_t>(array_bytes));
  if (array_bytes != 0 && s.array_bytes < gpu::kHbmMinArrayBytes) {
    return bad_input(fmt::format("{}: array_bytes={}: expected 0 (automatic) or at least {} (smaller arrays time kernel "
                                 "launches, not memory)",
                                 probe_name, array_bytes, format_quantity(static_cast<double>(gpu::kHbmMinArrayBytes), Unit::byte)));
  }
  if (devices != nullptr && s.array_bytes != 0) {
    for (int d : s.devices) {
      const gpu::Device& dev = (*devices)[static_cast<std::size_t>(d)];
      if (!gpu::hbm_arrays_fit(s.array_bytes, dev.memory_bytes)) {
        return bad_input(fmt::format("{}: array_bytes={}: the two arrays need {}, more than 90% of gpu{}'s {}; give a "
                                     "smaller array_bytes or 0 (automatic)",
                                     probe_name, array_bytes,
                                     format_quantity(2.0 * static_cast<double>(s.array_bytes), Unit::byte), d,
                                     format_quantity(static_cast<double>(dev.memory_bytes), Unit::byte)));
      }
    }
  }
  s.repetitions = static_cast<int>(param_int(params, "repetitions"));
  s.warmup = static_cast<int>(param_int(params, "warmup"));
  s.concurrent = param_flag(params, "concurrent");
  return s;
}

std::uint64_t array_bytes_for(const Settings& s, const gpu::Device& device) {
  return s.array_bytes != 0 ? s.array_bytes : gpu::hbm_default_array_bytes(device.memory_bytes, device.l2_bytes);
}

struct Measured {
  int device = 0;
  std::string subject;
  std::uint64_t array_bytes = 0;
  gpu::HbmOutcome outcome;
  std::chrono::steady_clock::time_point start{}, end{};  ///< the module call, for power attribution
};

const std::vector<double>& seconds_of(const gpu::HbmOutcome& outcome, HbmKernel kernel) {
  switch (kernel) {
    case HbmKernel::read: return outcome.read_seconds;
    case HbmKernel::write: return outcome.write_seconds;
    case HbmKernel::copy: return outcome.copy_seconds;
  }
  return outcome.read_seconds;
}

std::string_view kernel_formula(HbmKernel kernel) {
  switch (kernel) {
    case HbmKernel::read: return "sum += a[i], N bytes";
    case HbmKernel::write: return "b[i] = pattern, N bytes";
    case HbmKernel::copy: return "b[i] = a[i], 2N bytes";
  }
  return "";
}

class GpuHbmProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "GPU device-memory (HBM) bandwidth: read, write and copy kernels over arrays far larger than the L2, per GPU "
           "and all GPUs at once, every result checked";
  }

  std::vector<ParamSpec> params() const override {
    return {
        gpu::devices_param(),
        {"array_bytes", ParamKind::size_bytes, std::int64_t{0},
         "bytes per array (two arrays per GPU); 0: the larger of 1 GiB and 8x the GPU's L2, at most 1/8 of its memory",
         0.0, 0x1p40},
        {"repetitions", ParamKind::integer, std::int64_t{50}, "timed rounds of the three kernels per GPU", 1.0, 10000.0},
        {"warmup", ParamKind::integer, std::int64_t{3}, "untimed rounds first (clocks ramp up, kernels load)", 1.0,
         1000.0},
        gpu::concurrent_param(),
    };
  }

  std::vector<MetricSpec> metrics() const override {
    std::vector<MetricSpec> specs;
    for (HbmKernel k : gpu::kHbmKernels) {
      specs.push_back({gpu::hbm_metric_key(k), Unit::byte_per_s, Better::higher,
                       fmt::format("device-memory {} ({}), median of the rounds", gpu::hbm_kernel_name(k),
                                   kernel_formula(k))});
    }
    return specs;
  }

  Availability availability() const override { return gpu::gpu_probe_availability(); }

  Expected<void> check_params(const ParamList& params) const override {
    const gpu::GpuSetup& setup = gpu::gpu_setup();
    auto settings = resolve_settings(params, setup.available() ? &setup.devices : nullptr);
    if (!settings) return settings.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.probe = std::string(probe_name);
    result.node = context.node;
    result.subject = "gpus";
    result.params = params;
    const gpu::GpuSetup& setup = gpu::gpu_setup();
    if (!setup.available()) return gpu::skipped_result(std::move(result), setup.unavailable);
    auto resolved = resolve_settings(params, &setup.devices);
    if (!resolved) return error_result(std::move(result), resolved.error().message);
    const Settings& s = *resolved;
    if (s.array_bytes != 0) set_param(result.params, "array_bytes", static_cast<std::int64_t>(s.array_bytes));

    std::vector<Measured> measured;
    for (int d : s.devices) {
      if (context.cancelled()) return cancelled(std::move(result));
      context.report(fmt::format("gpu{} alone", d));
      const std::uint64_t bytes = array_bytes_for(s, device(setup, d));
      gpu::HbmRequest request = make_request(s, d, bytes);
      request.control.cancel = context.cancel;
      const auto start = std::chrono::steady_clock::now();
      gpu::HbmOutcome outcome = setup.module->hbm(request);
      measured.push_back({d, gpu::gpu_subject(d), bytes, std::move(outcome), start, std::chrono::steady_clock::now()});
    }
    if (s.concurrent && s.devices.size() > 1) {
      if (context.cancelled()) return cancelled(std::move(result));
      context.report(fmt::format("all {} GPUs at once", s.devices.size()));
      std::vector<Measured> together(s.devices.size());
      std::mutex lock;
      gpu::run_on_devices_together(s.devices, context.cancel, [&](int d, const gpu::Control& control) {
        const std::uint64_t bytes = array_bytes_for(s, device(setup, d));
        gpu::HbmRequest request = make_request(s, d, bytes);
        request.control = control;
        const auto start = std::chrono::steady_clock::now();
        gpu::HbmOutcome outcome = setup.module->hbm(request);
        const auto end = std::chrono::steady_clock::now();
        const std::lock_guard<std::mutex> guard(lock);
        const auto slot = static_cast<std::size_t>(std::find(s.devices.begin(), s.devices.end(), d) - s.devices.begin());
        together[slot] = {d, gpu::concurrent_subject(d), bytes, std::move(outcome), start, end};
      });
      for (Measured& m : together) measured.push_back(std::move(m));
    }

    result.notes.push_back(setup.versions);
    for (int d : s.devices) result.notes.push_back(gpu::device_note(device(setup, d)));

    std::string first_failure;
    for (const Measured& m : measured) {
      if (!m.outcome.error.empty()) {
        return error_result(std::move(result), fmt::format("{}: {}: {}", probe_name, m.subject, m.outcome.error));
      }
      if (m.outcome.cancelled) return cancelled(std::move(result));
      if (!m.outcome.check_failure.empty()) {
        result.validation.detail += fmt::format("{}{}: FAILED: {}", result.validation.detail.empty() ? "" : "; ",
                                                m.subject, m.outcome.check_failure);
        if (first_failure.empty()) first_failure = fmt::format("{}: {}", m.subject, m.outcome.check_failure);
        continue;
      }
      result.validation.detail +=
          fmt::format("{}{}: {}", result.validation.detail.empty() ? "" : "; ", m.subject, m.outcome.check_detail);
      for (HbmKernel k : gpu::kHbmKernels) {
        const double bytes = gpu::hbm_bytes_moved(k, m.array_bytes);
        auto samples = gpu::rate_samples(bytes, seconds_of(m.outcome, k),
                                         fmt::format("{} {} {}", probe_name, gpu::hbm_kernel_name(k), m.subject));
        if (!samples) return error_result(std::move(result), samples.error().message);
        result.metrics.push_back(make_metric(
            gpu::hbm_metric_key(k), Unit::byte_per_s, Better::higher, std::move(*samples), ValueRule::median,
            m.subject,
            fmt::format("{} ({}) over arrays of {}, {} counted per kernel, median of {} rounds",
                        gpu::hbm_kernel_name(k), kernel_formula(k),
                        format_quantity(static_cast<double>(m.array_bytes), Unit::byte),
                        format_quantity(bytes, Unit::byte), seconds_of(m.outcome, k).size())));
        // The three kernels alternate within the call, so each gets the call's span.
        result.spans.push_back({gpu::hbm_metric_key(k), m.subject, m.start, m.end});
      }
    }
    result.validation.checked = true;
    result.validation.passed = first_failure.empty();
    if (!first_failure.empty()) {
      return error_result(std::move(result),
                          fmt::format("{}: a GPU moved data wrongly: {}; its figures are not reported", probe_name,
                                      first_failure));
    }
    add_notes(result, s, setup, measured);
    return result;
  }

 private:
  static const gpu::Device& device(const gpu::GpuSetup& setup, int d) {
    return setup.devices[static_cast<std::size_t>(d)];
  }

  static gpu::HbmRequest make_request(const Settings& s, int device, std::uint64_t array_bytes) {
    gpu::HbmRequest request;
    request.device = device;
    request.array_bytes = array_bytes;
    request.warmup = s.warmup;
    request.repetitions = s.repetitions;
    return request;
  }

  static ProbeResult cancelled(ProbeResult result) {
    return error_result(std::move(result), fmt::format("{}: cancelled", probe_name));
  }

  static void add_notes(ProbeResult& result, const Settings& s, const gpu::GpuSetup& setup,
                        const std::vector<Measured>& measured) {
    for (int d : s.devices) {
      const gpu::Device& dev = device(setup, d);
      const std::uint64_t bytes = array_bytes_for(s, dev);
      const double l2_ratio = dev.l2_bytes > 0 ? static_cast<double>(bytes) / static_cast<double>(dev.l2_bytes) : 0;
      std::string line = fmt::format("gpu{}: arrays of {} ({}){}", d, format_quantity(static_cast<double>(bytes), Unit::byte),
                                     s.array_bytes != 0 ? "array_bytes given" : "automatic",
                                     dev.l2_bytes > 0 ? fmt::format(", {:.1f}x its L2", l2_ratio) : std::string());
      if (dev.l2_bytes > 0 && l2_ratio < 4) {
        line += "; under 4x the L2, so the figures include L2 bandwidth and are not device-memory figures";
      }
      result.notes.push_back(line);
    }
    for (const Measured& m : measured) {
      if (m.subject == gpu::gpu_subject(m.device)) {
        result.notes.push_back(fmt::format("gpu{} launch: {}", m.device, m.outcome.launch));
      }
    }
    result.notes.push_back(
        "value: median of the timed rounds (GPU times are taken with CUDA events on the device, so host noise does not "
        "enter them; the median is what the GPU sustains, where a best-of would let one lucky round hide throttling); "
        "bytes counted as BabelStream counts them: read N, write N, copy 2N");
    result.notes.push_back(
        "timing: each kernel timed alone between CUDA events, queued behind a short lead-in kernel so that its launch "
        "overhead is not timed");
    if (s.concurrent && s.devices.size() > 1) {
      result.notes.push_back("gpuN@all: all selected GPUs ran their rounds at the same time, each from its own host "
                             "thread, their timed parts started together");
    }
  }
};

}  // namespace

std::unique_ptr<Probe> make_gpu_hbm_probe() { return std::make_unique<GpuHbmProbe>(); }

}  // namespace assay
