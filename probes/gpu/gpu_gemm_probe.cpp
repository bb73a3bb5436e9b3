#include "probes/gpu/gpu_gemm_probe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/units.h"
#include "probes/gpu/gemm_check.h"
#include "probes/gpu/gemm_precision.h"
#include "probes/gpu/gpu_probe_common.h"

namespace assay {
namespace {

using gpu::GemmPrecision;

constexpr std::string_view probe_name = "gpu.gemm";
constexpr std::int64_t default_n = 8192;
constexpr std::int64_t min_n = 256;
constexpr std::int64_t max_n = 65536;
constexpr std::uint64_t seed_a = 0x5eed'9a00'0000'0011ULL;
constexpr std::uint64_t seed_b = 0x5eed'9b00'0000'0012ULL;
constexpr std::uint64_t seed_entries = 0x5eed'9c00'0000'0013ULL;

struct Settings {
  std::vector<int> devices;
  std::vector<GemmPrecision> precisions;
  std::int64_t n = 0;
  int repetitions = 0;
  double repetition_seconds = 0;
  int warmup_calls = 0;
  std::size_t check_entries = 0;
  std::uint64_t workspace_bytes = 0;
  bool concurrent = true;
};

Expected<std::vector<GemmPrecision>> parse_precisions(std::string_view text) {
  std::vector<GemmPrecision> precisions;
  if (text == "all") return std::vector<GemmPrecision>(std::begin(gpu::kAllGemmPrecisions), std::end(gpu::kAllGemmPrecisions));
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    const auto precision = gpu::gemm_precision_from_name(item);
    if (!precision) {
      return bad_input(fmt::format("{}: precisions='{}': '{}' is not one of all, fp64, fp32, tf32, bf16, fp16, fp8, int8",
                                   probe_name, text, item));
    }
    if (std::find(precisions.begin(), precisions.end(), *precision) == precisions.end()) precisions.push_back(*precision);
  }
  if (precisions.empty()) return bad_input(fmt::format("{}: precisions='{}': expected 'all' or a list such as bf16,fp8", probe_name, text));
  return precisions;
}

Expected<Settings> resolve_settings(const ParamList& params, int device_count) {
  Settings s;
  auto devices = gpu::parse_devices(probe_name, param_text(params, "devices"), device_count);
  if (!devices) return devices.error();
  s.devices = std::move(*devices);
  auto precisions = parse_precisions(param_text(params, "precisions"));
  if (!precisions) return precisions.error();
  s.precisions = std::move(*precisions);
  s.n = param_int(params, "n");
  if (s.n < min_n || s.n > max_n) {
    return bad_input(fmt::format("{}: n={}: expected {} to {} (smaller matrices measure launch overhead, not the tensor "
                                 "cores)",
                                 probe_name, s.n, min_n, max_n));
  }
  s.repetitions = static_cast<int>(param_int(params, "repetitions"));
  s.repetition_seconds = param_real(params, "seconds");
  s.warmup_calls = static_cast<int>(param_int(params, "warmup"));
  s.check_entries = static_cast<std::size_t>(param_int(params, "check_entries"));
  s.workspace_bytes = static_cast<std::uint64_t>(param_int(params, "workspace"));
  s.concurrent = param_flag(params, "concurrent");
  return s;
}

// One (device, precision) measurement and its check.
struct Measured {
  int device = 0;
  std::string subject;
  std::int64_t n = 0;
  gpu::GemmOutcome outcome;
  gpu::GemmCheckResult check;
  std::chrono::steady_clock::time_point start{}, end{};  ///< the module call, for power attribution
};

class GpuGemmProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "GPU matrix-multiply throughput per precision (FP64, FP32, TF32, BF16, FP16, FP8, INT8) through cuBLASLt, "
           "per GPU and all GPUs at once, results checked on sampled entries";
  }

  std::vector<ParamSpec> params() const override {
    return {
        {"n", ParamKind::integer, default_n, "matrix order m = n = k (rounded down to a multiple of 16; halved where a "
                                             "GPU's memory is too small)",
         static_cast<double>(min_n), static_cast<double>(max_n)},
        {"precisions", ParamKind::text, std::string("all"),
         "precisions to run: all, or a list of fp64, fp32, tf32, bf16, fp16, fp8, int8", {}, {}},
        gpu::devices_param(),
        {"repetitions", ParamKind::integer, std::int64_t{5}, "timed samples per precision and GPU", 1.0, 1000.0},
        {"seconds", ParamKind::seconds, 0.5, "length of one sample (back-to-back calls timed with CUDA events)", 0.01,
         60.0},
        {"warmup", ParamKind::integer, std::int64_t{20}, "untimed calls first (clocks ramp, kernels load)", 2.0, 10000.0},
        {"check_entries", ParamKind::integer, std::int64_t{64},
         "entries of D read back and checked after the warm-up and after every sample", 1.0, 100000.0},
        {"workspace", ParamKind::size_bytes, std::int64_t{32} << 20, "cuBLASLt workspace per GPU", 0.0, 4.0 * (1LL << 30)},
        gpu::concurrent_param(),
    };
  }

  std::vector<MetricSpec> metrics() const override {
    std::vector<MetricSpec> specs;
    for (GemmPrecision p : gpu::kAllGemmPrecisions) {
      specs.push_back({gpu::gemm_metric_key(p), gpu::gemm_unit(p), Better::higher,
                       fmt::format("{} matrix multiply through cuBLASLt, 2mnk {} per call, median of the samples",
                                   gpu::gemm_precision_name(p), p == GemmPrecision::int8 ? "operations" : "FLOPs")});
    }
    return specs;
  }

  Availability availability() const override { return gpu::gpu_probe_availability(); }

  Expected<void> check_params(const ParamList& params) const override {
    const gpu::GpuSetup& setup = gpu::gpu_setup();
    // Without devices only the device-independent checks apply; the run will SKIP.
    auto settings = resolve_settings(params, setup.available() ? static_cast<int>(setup.devices.size()) : 1 << 20);
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
    auto resolved = resolve_settings(params, static_cast<int>(setup.devices.size()));
    if (!resolved) return error_result(std::move(result), resolved.error().message);
    const Settings& s = *resolved;

    result.notes.push_back(setup.versions);
    for (int d : s.devices) {
      const gpu::Device& dev = setup.devices[static_cast<std::size_t>(d)];
      result.notes.push_back(fmt::format("gpu{}: {} (compute capability {}.{}, {} SMs, {}, PCI {}, {})", d, dev.name,
                                         dev.cc_major, dev.cc_minor, dev.multiprocessors,
                                         format_quantity(static_cast<double>(dev.memory_bytes), Unit::byte),
                                         dev.pci_bus_id, dev.uuid));
    }

    std::vector<std::string> skipped;
    std::string first_failure;
    std::size_t measured_count = 0;
    for (GemmPrecision precision : s.precisions) {
      const std::string label(gpu::gemm_precision_name(precision));
      // Devices that can run this precision, with the order each can hold.
      std::vector<int> runnable;
      std::map<int, std::int64_t> order;
      for (int d : s.devices) {
        const gpu::Device& dev = setup.devices[static_cast<std::size_t>(d)];
        if (auto why = gpu::gemm_unsupported_reason(precision, dev.cc_major, dev.cc_minor)) {
          skipped.push_back(fmt::format("{} on gpu{}: {}", label, d, *why));
          continue;
        }
        const auto n = gpu::gemm_order_for_device(precision, s.n, dev.memory_bytes, s.workspace_bytes);
        if (!n) {
          skipped.push_back(fmt::format("{} on gpu{}: even {} x {} matrices do not fit in its {}", label, d, min_n, min_n,
                                        format_quantity(static_cast<double>(dev.memory_bytes), Unit::byte)));
          continue;
        }
        runnable.push_back(d);
        order[d] = *n;
      }
      if (runnable.empty()) continue;

      std::vector<Measured> measured;
      for (int d : runnable) {
        if (context.cancelled()) return cancelled(std::move(result), label);
        context.report(fmt::format("{} gpu{}", label, d));
        gpu::GemmRequest request = make_request(s, precision, d, order[d]);
        request.control.cancel = context.cancel;
        const auto start = std::chrono::steady_clock::now();
        gpu::GemmOutcome outcome = setup.module->gemm(request);
        measured.push_back({d, gpu::gpu_subject(d), order[d], std::move(outcome), {}, start,
                            std::chrono::steady_clock::now()});
      }
      // A failure alone ends the probe before the GPUs run together; a precision cuBLASLt
      // lacks on a GPU is not run there again.
      std::vector<int> together_devices;
      for (const Measured& m : measured) {
        if (m.outcome.cancelled) return cancelled(std::move(result), label);
        if (m.outcome.unsupported) continue;
        if (!m.outcome.error.empty()) {
          return error_result(std::move(result),
                              fmt::format("{}: {} on {}: {}", probe_name, label, m.subject, m.outcome.error));
        }
        together_devices.push_back(m.device);
      }
      if (s.concurrent && together_devices.size() > 1) {
        const std::vector<int>& runnable_together = together_devices;
        context.report(fmt::format("{} all {} GPUs at once", label, runnable_together.size()));
        std::vector<Measured> together(runnable_together.size());
        std::mutex lock;
        gpu::run_on_devices_together(runnable_together, context.cancel, [&](int d, const gpu::Control& control) {
          gpu::GemmRequest request = make_request(s, precision, d, order[d]);
          request.control = control;
          const auto start = std::chrono::steady_clock::now();
          gpu::GemmOutcome outcome = setup.module->gemm(request);
          const auto end = std::chrono::steady_clock::now();
          const std::lock_guard<std::mutex> guard(lock);
          const auto slot = static_cast<std::size_t>(std::find(runnable_together.begin(), runnable_together.end(), d) -
                                                     runnable_together.begin());
          together[slot] = {d, gpu::concurrent_subject(d), order[d], std::move(outcome), {}, start, end};
        });
        for (Measured& m : together) measured.push_back(std::move(m));
      }

      for (Measured& m : measured) {
        if (m.outcome.unsupported) {
          skipped.push_back(fmt::format("{} on {}: {}", label, m.subject, m.outcome.error));
          continue;
        }
        if (!m.outcome.error.empty()) {
          return error_result(std::move(result), fmt::format("{}: {} on {}: {}", probe_name, label, m.subject, m.outcome.error));
        }
        if (m.outcome.cancelled) return cancelled(std::move(result), label);
        const auto entries = gpu::gemm_check_entries(m.n, m.n, s.check_entries, seed_entries);
        const auto references = gpu::gemm_references(precision, seed_a, seed_b, m.n, entries);
        m.check = gpu::check_gemm_values(precision, m.n, entries, references, m.outcome.checked_values);
        result.validation.detail += fmt::format(
            "{}{} {}: {} entries checked over {} read-backs, worst error {:.3g} of the tolerance",
            result.validation.detail.empty() ? "" : "; ", label, m.subject, entries.size(),
            m.outcome.checked_values.size(), m.check.worst_fraction);
        if (!m.check.passed()) {
          result.validation.detail += fmt::format(" -- FAILED: {} ({} of {} wrong)", m.check.first_failure,
                                                  m.check.failures, m.check.checked);
          if (first_failure.empty()) {
            first_failure = fmt::format("{} on {}: {}", label, m.subject, m.check.first_failure);
          }
          continue;
        }
        const double operations = gpu::gemm_operations(m.n, m.n, m.n) * m.outcome.calls_per_repetition;
        std::vector<double> samples;
        for (double seconds : m.outcome.seconds) samples.push_back(operations / seconds);
        result.metrics.push_back(make_metric(
            gpu::gemm_metric_key(precision), gpu::gemm_unit(precision), Better::higher, std::move(samples),
            ValueRule::median, m.subject,
            fmt::format("cuBLASLt {} x {} x {} ({}), {} calls per sample, median of {} samples; {}", m.n, m.n, m.n,
                        m.outcome.types, m.outcome.calls_per_repetition, m.outcome.seconds.size(), m.outcome.algorithm)));
        result.spans.push_back({gpu::gemm_metric_key(precision), m.subject, m.start, m.end});
        ++measured_count;
      }
    }
    for (const std::string& line : skipped) result.notes.push_back("skipped " + line);

    result.validation.checked = true;
    result.validation.passed = first_failure.empty();
    if (!first_failure.empty()) {
      return error_result(std::move(result),
                          fmt::format("{}: a result is wrong: {}; its figure is not reported", probe_name, first_failure));
    }
    if (measured_count == 0) {
      return gpu::skipped_result(std::move(result),
                                 fmt::format("no requested precision runs on the selected GPUs: {}", fmt::join(skipped, "; ")));
    }
    return result;
  }

 private:
  static gpu::GemmRequest make_request(const Settings& s, GemmPrecision precision, int device, std::int64_t n) {
    gpu::GemmRequest request;
    request.device = device;
    request.precision = precision;
    request.m = request.n = request.k = n;
    request.seed_a = seed_a;
    request.seed_b = seed_b;
    request.workspace_bytes = s.workspace_bytes;
    request.warmup_calls = s.warmup_calls;
    request.repetition_seconds = s.repetition_seconds;
    request.repetitions = s.repetitions;
    request.check_entries = gpu::gemm_check_entries(n, n, s.check_entries, seed_entries);
    return request;
  }

  static ProbeResult cancelled(ProbeResult result, std::string_view label) {
    return error_result(std::move(result), fmt::format("{}: cancelled during {}", probe_name, label));
  }
};

}  // namespace

std::unique_ptr<Probe> make_gpu_gemm_probe() { return std::make_unique<GpuGemmProbe>(); }

}  // namespace assay
