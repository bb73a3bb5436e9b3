#include "probes/gpu/gpu_pcie_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/units.h"
#include "probes/common/host_topology.h"
#include "probes/common/thread_team.h"
#include "probes/gpu/copy_figures.h"
#include "probes/gpu/gpu_numa.h"
#include "probes/gpu/gpu_probe_common.h"

namespace assay {
namespace {

using gpu::PcieDirection;

constexpr std::string_view probe_name = "gpu.pcie";
constexpr std::int64_t min_bytes = 4096;
// Pinned memory cannot be swapped or reclaimed: leave the host most of what it has.
constexpr double usable_fraction_of_available = 0.5;
constexpr double usable_fraction_of_device = 0.9;

struct Settings {
  std::vector<int> devices;
  std::uint64_t bytes = 0;
  int repetitions = 0;
  int warmup = 0;
  bool concurrent = true;
  bool numa_bind = true;
};

Expected<Settings> resolve_settings(const ParamList& params, const std::vector<gpu::Device>* devices,
                                    const HostMemory& memory) {
  Settings s;
  auto selected = gpu::parse_devices(probe_name, param_text(params, "devices"),
                                     devices != nullptr ? static_cast<int>(devices->size()) : 0);
  if (!selected) return selected.error();
  s.devices = std::move(*selected);
  const std::int64_t bytes = param_int(params, "bytes");
  if (bytes < min_bytes) {
    return bad_input(fmt::format("{}: bytes={}: expected at least {} per copy", probe_name, bytes, min_bytes));
  }
  s.bytes = static_cast<std::uint64_t>(bytes) / 8 * 8;  // whole words, the unit the copies are checked in
  s.repetitions = static_cast<int>(param_int(params, "repetitions"));
  s.warmup = static_cast<int>(param_int(params, "warmup"));
  s.concurrent = param_flag(params, "concurrent");
  s.numa_bind = param_flag(params, "numa_bind");

  const std::int64_t available = memory.available_bytes ? memory.available_bytes : memory.total_bytes;
  const auto pinned = static_cast<double>(gpu::pcie_pinned_bytes(s.bytes, s.devices.size(), s.concurrent));
  if (available > 0 && pinned > usable_fraction_of_available * static_cast<double>(available)) {
    return bad_input(fmt::format("{}: bytes={}: {} of pinned host memory ({} buffers of {}) is more than {:.0f}% of the "
                                 "{} this host has available; give a smaller bytes",
                                 probe_name, bytes, format_quantity(pinned, Unit::byte),
                                 pinned / static_cast<double>(s.bytes),
                                 format_quantity(static_cast<double>(s.bytes), Unit::byte),
                                 100 * usable_fraction_of_available,
                                 format_quantity(static_cast<double>(available), Unit::byte)));
  }
  if (devices != nullptr) {
    for (int d : s.devices) {
      const gpu::Device& dev = (*devices)[static_cast<std::size_t>(d)];
      if (2.0 * static_cast<double>(s.bytes) > usable_fraction_of_device * static_cast<double>(dev.memory_bytes)) {
        return bad_input(fmt::format("{}: bytes={}: two device buffers of that size do not fit in gpu{}'s {}", probe_name,
                                     bytes, d, format_quantity(static_cast<double>(dev.memory_bytes), Unit::byte)));
      }
    }
  }
  return s;
}

struct Measured {
  int device = 0;
  std::string subject;
  gpu::NumaPlacement placement;
  bool bound = false;
  gpu::PcieOutcome outcome;
};

const std::vector<double>& seconds_of(const gpu::PcieOutcome& outcome, PcieDirection direction) {
  switch (direction) {
    case PcieDirection::h2d: return outcome.h2d_seconds;
    case PcieDirection::d2h: return outcome.d2h_seconds;
    case PcieDirection::bidir: return outcome.bidir_seconds;
  }
  return outcome.h2d_seconds;
}

std::string_view direction_text(PcieDirection direction) {
  switch (direction) {
    case PcieDirection::h2d: return "host to device";
    case PcieDirection::d2h: return "device to host";
    case PcieDirection::bidir: return "both directions at once, bytes of both counted";
  }
  return "";
}

class GpuPcieProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "GPU host<->device copy bandwidth over PCIe (pinned memory, each direction and both at once), per GPU and "
           "all GPUs at once, every copy checked";
  }

  std::vector<ParamSpec> params() const override {
    return {
        gpu::devices_param(),
        {"bytes", ParamKind::size_bytes, std::int64_t{256} << 20, "bytes per copy and direction", static_cast<double>(min_bytes),
         0x1p40},
        {"repetitions", ParamKind::integer, std::int64_t{20}, "timed rounds (h2d, d2h, both) per GPU", 1.0, 10000.0},
        {"warmup", ParamKind::integer, std::int64_t{2}, "untimed rounds first", 1.0, 1000.0},
        gpu::concurrent_param(),
        {"numa_bind", ParamKind::flag, true,
         "bind each GPU's host thread, and so its pinned buffers, to the GPU's NUMA node", {}, {}},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    std::vector<MetricSpec> specs;
    for (PcieDirection d : gpu::kPcieDirections) {
      specs.push_back({fmt::format("gpu.pcie.{}", gpu::pcie_direction_name(d)), Unit::byte_per_s, Better::higher,
                       fmt::format("cudaMemcpyAsync with pinned host memory, {}, median of the rounds",
                                   direction_text(d))});
    }
    return specs;
  }

  Availability availability() const override { return gpu::gpu_probe_availability(); }

  Expected<void> check_params(const ParamList& params) const override {
    const gpu::GpuSetup& setup = gpu::gpu_setup();
    auto settings = resolve_settings(params, setup.available() ? &setup.devices : nullptr, read_host_memory());
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
    auto resolved = resolve_settings(params, &setup.devices, read_host_memory());
    if (!resolved) return error_result(std::move(result), resolved.error().message);
    const Settings& s = *resolved;
    set_param(result.params, "bytes", static_cast<std::int64_t>(s.bytes));

    const std::vector<int> allowed = allowed_cpus();
    std::vector<gpu::NumaPlacement> placements;
    for (int d : s.devices) placements.push_back(gpu::numa_placement(device(setup, d).pci_bus_id, allowed));
    const auto placement_of = [&](int d) -> const gpu::NumaPlacement& {
      return placements[static_cast<std::size_t>(std::find(s.devices.begin(), s.devices.end(), d) - s.devices.begin())];
    };
    // Binds the calling thread (a thread of its own, never the runner's) and measures.
    const auto measure = [&](int d, const gpu::Control& control, std::string subject) {
      Measured m{d, std::move(subject), placement_of(d), false, {}};
      if (s.numa_bind) m.bound = gpu::bind_current_thread(m.placement.cpus);
      gpu::PcieRequest request;
      request.device = d;
      request.bytes = s.bytes;
      request.warmup = s.warmup;
      request.repetitions = s.repetitions;
      request.control = control;
      m.outcome = setup.module->pcie(request);
      return m;
    };

    std::vector<Measured> measured;
    for (int d : s.devices) {
      if (context.cancelled()) return cancelled(std::move(result));
      context.report(fmt::format("gpu{} alone", d));
      gpu::Control control;
      control.cancel = context.cancel;
      std::thread worker([&] { measured.push_back(measure(d, control, gpu::gpu_subject(d))); });
      worker.join();
    }
    if (s.concurrent && s.devices.size() > 1) {
      if (context.cancelled()) return cancelled(std::move(result));
      context.report(fmt::format("all {} GPUs at once", s.devices.size()));
      std::vector<Measured> together(s.devices.size());
      std::mutex lock;
      gpu::run_on_devices_together(s.devices, context.cancel, [&](int d, const gpu::Control& control) {
        Measured m = measure(d, control, gpu::concurrent_subject(d));
        const std::lock_guard<std::mutex> guard(lock);
        const auto slot = static_cast<std::size_t>(std::find(s.devices.begin(), s.devices.end(), d) - s.devices.begin());
        together[slot] = std::move(m);
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
      for (PcieDirection direction : gpu::kPcieDirections) {
        const double bytes = gpu::pcie_bytes_moved(direction, s.bytes);
        const std::string key = fmt::format("gpu.pcie.{}", gpu::pcie_direction_name(direction));
        auto samples = gpu::rate_samples(bytes, seconds_of(m.outcome, direction), key + " " + m.subject);
        if (!samples) return error_result(std::move(result), samples.error().message);
        result.metrics.push_back(make_metric(
            key, Unit::byte_per_s, Better::higher, std::move(*samples), ValueRule::median, m.subject,
            fmt::format("cudaMemcpyAsync {}, {} per copy, {} counted, median of {} rounds; NUMA node {}{}",
                        direction_text(direction), format_quantity(static_cast<double>(s.bytes), Unit::byte),
                        format_quantity(bytes, Unit::byte), seconds_of(m.outcome, direction).size(),
                        m.placement.node >= 0 ? fmt::format("{}", m.placement.node) : std::string("unknown"),
                        m.bound ? " (bound)" : " (not bound)")));
      }
    }
    result.validation.checked = true;
    result.validation.passed = first_failure.empty();
    if (!first_failure.empty()) {
      return error_result(std::move(result),
                          fmt::format("{}: a copy delivered wrong data: {}; its figures are not reported", probe_name,
                                      first_failure));
    }
    add_notes(result, s, placements, measured);
    return result;
  }

 private:
  static const gpu::Device& device(const gpu::GpuSetup& setup, int d) {
    return setup.devices[static_cast<std::size_t>(d)];
  }

  static ProbeResult cancelled(ProbeResult result) {
    return error_result(std::move(result), fmt::format("{}: cancelled", probe_name));
  }

  static void add_notes(ProbeResult& result, const Settings& s, const std::vector<gpu::NumaPlacement>& placements,
                        const std::vector<Measured>& measured) {
    for (std::size_t i = 0; i < s.devices.size(); ++i) {
      const int d = s.devices[i];
      bool bound = false;
      for (const Measured& m : measured) bound = bound || (m.device == d && m.bound);
      result.notes.push_back(fmt::format("gpu{}: {}; {}", d, placements[i].text,
                                         !s.numa_bind                ? "host thread not bound (numa_bind=false)"
                                         : bound                     ? "host thread and pinned buffers bound there"
                                         : placements[i].cpus.empty() ? "host thread not bound"
                                                                      : "host thread NOT bound (the kernel refused)"));
    }
    result.notes.push_back(fmt::format(
        "copies: cudaMemcpyAsync of {} between pinned host memory (cudaHostAlloc) and device memory, timed with CUDA "
        "events behind a short lead-in kernel; h2d and d2h on one stream each in turn, bidir as h2d and d2h on two "
        "streams at once (the GPU's two copy engines), counted as 2 x {}",
        format_quantity(static_cast<double>(s.bytes), Unit::byte),
        format_quantity(static_cast<double>(s.bytes), Unit::byte)));
    result.notes.push_back("value: median of the timed rounds, as nvbandwidth reports the median of its trials");
    if (s.concurrent && s.devices.size() > 1) {
      result.notes.push_back("gpuN@all: all selected GPUs copied at the same time, each from its own host thread, their "
                             "timed parts started together: lower figures than alone point to a shared PCIe switch, "
                             "root port or socket link");
    }
  }
};

}  // namespace

std::unique_ptr<Probe> make_gpu_pcie_probe() { return std::make_unique<GpuPcieProbe>(); }

}  // namespace assay
