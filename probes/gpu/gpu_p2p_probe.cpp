#include "probes/gpu/gpu_p2p_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/units.h"
#include "probes/gpu/copy_figures.h"
#include "probes/gpu/gpu_probe_common.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "gpu.p2p";
constexpr std::int64_t min_bytes = 4096;
constexpr std::int64_t max_latency_bytes = std::int64_t{1} << 20;
constexpr double usable_fraction_of_device = 0.9;
// A pair below this fraction of the median pair (above its inverse for latency) is named
// in the notes: on an NVSwitch system every pair should be alike.
constexpr double lagging_fraction = 0.8;

struct Settings {
  std::vector<int> devices;
  std::uint64_t bytes = 0;
  std::uint64_t latency_bytes = 0;
  int latency_copies = 0;
  int repetitions = 0;
  int warmup = 0;
};

Expected<Settings> resolve_settings(const ParamList& params, const std::vector<gpu::Device>* devices) {
  Settings s;
  auto selected = gpu::parse_devices(probe_name, param_text(params, "devices"),
                                     devices != nullptr ? static_cast<int>(devices->size()) : 0);
  if (!selected) return selected.error();
  s.devices = std::move(*selected);
  const std::int64_t bytes = param_int(params, "bytes");
  if (bytes < min_bytes) {
    return bad_input(fmt::format("{}: bytes={}: expected at least {} per copy", probe_name, bytes, min_bytes));
  }
  s.bytes = static_cast<std::uint64_t>(bytes) / 8 * 8;
  const std::int64_t latency_bytes = param_int(params, "latency_bytes");
  if (latency_bytes < 8 || latency_bytes % 8 != 0 || latency_bytes > max_latency_bytes || latency_bytes > bytes) {
    return bad_input(fmt::format("{}: latency_bytes={}: expected a multiple of 8 from 8 to {} and at most bytes", probe_name,
                                 latency_bytes, max_latency_bytes));
  }
  s.latency_bytes = static_cast<std::uint64_t>(latency_bytes);
  s.latency_copies = static_cast<int>(param_int(params, "latency_copies"));
  s.repetitions = static_cast<int>(param_int(params, "repetitions"));
  s.warmup = static_cast<int>(param_int(params, "warmup"));
  if (devices != nullptr) {
    for (int d : s.devices) {
      const gpu::Device& dev = (*devices)[static_cast<std::size_t>(d)];
      if (2.0 * static_cast<double>(s.bytes) > usable_fraction_of_device * static_cast<double>(dev.memory_bytes)) {
        return bad_input(fmt::format("{}: bytes={}: a send and a receive buffer of that size do not fit in gpu{}'s {}",
                                     probe_name, bytes, d,
                                     format_quantity(static_cast<double>(dev.memory_bytes), Unit::byte)));
      }
    }
  }
  return s;
}

struct Measured {
  gpu::DevicePair pair;
  gpu::P2pOutcome outcome;
};

class GpuP2pProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "GPU-to-GPU copy bandwidth (one way and both ways) and latency for every ordered pair of GPUs, peer access "
           "where possible, every copy checked";
  }

  std::vector<ParamSpec> params() const override {
    return {
        gpu::devices_param(),
        {"bytes", ParamKind::size_bytes, std::int64_t{256} << 20, "bytes per bandwidth copy and direction",
         static_cast<double>(min_bytes), 0x1p40},
        {"latency_bytes", ParamKind::size_bytes, std::int64_t{16},
         "bytes per latency copy (16, one int4, as p2pBandwidthLatencyTest)", 8.0, static_cast<double>(max_latency_bytes)},
        {"latency_copies", ParamKind::integer, std::int64_t{100},
         "small copies queued back to back whose mean time is one latency sample (at most 1000: more can fill the "
         "stream's queue, as p2pBandwidthLatencyTest warns)",
         1.0, 1000.0},
        {"repetitions", ParamKind::integer, std::int64_t{20}, "timed rounds per pair", 1.0, 10000.0},
        {"warmup", ParamKind::integer, std::int64_t{2}, "untimed rounds first", 1.0, 1000.0},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {
        {"gpu.p2p.bandwidth", Unit::byte_per_s, Better::higher,
         "cudaMemcpyPeerAsync one way, issued by the source; subject gpuA->gpuB; median of the rounds"},
        {"gpu.p2p.bibandwidth", Unit::byte_per_s, Better::higher,
         "both ways at once, the bytes of both directions counted; subject gpuA<->gpuB; median of the rounds"},
        {"gpu.p2p.latency", Unit::second, Better::lower,
         "mean GPU time of one small cudaMemcpyPeerAsync among many queued back to back; subject gpuA->gpuB; median "
         "of the rounds"},
    };
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
    set_param(result.params, "bytes", static_cast<std::int64_t>(s.bytes));
    if (s.devices.size() < 2) {
      return gpu::skipped_result(
          std::move(result),
          fmt::format("{} needs at least 2 GPUs; devices='{}' selects {} of the {} this process sees", probe_name,
                      param_text(params, "devices"), s.devices.size(), setup.devices.size()));
    }

    const std::vector<gpu::DevicePair> pairs = gpu::p2p_pairs(s.devices);
    std::vector<Measured> measured;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (context.cancelled()) {
        return error_result(std::move(result), fmt::format("{}: cancelled after {} of {} pairs", probe_name, i, pairs.size()));
      }
      const gpu::DevicePair& pair = pairs[i];
      context.report(fmt::format("{} ({}/{})", gpu::link_subject(pair.source, pair.destination), i + 1, pairs.size()));
      gpu::P2pRequest request;
      request.source = pair.source;
      request.destination = pair.destination;
      request.bytes = s.bytes;
      request.latency_bytes = s.latency_bytes;
      request.latency_copies = s.latency_copies;
      request.bidirectional = pair.bidirectional;
      request.warmup = s.warmup;
      request.repetitions = s.repetitions;
      request.control.cancel = context.cancel;
      measured.push_back({pair, setup.module->p2p(request)});
    }

    result.notes.push_back(setup.versions);
    for (int d : s.devices) result.notes.push_back(gpu::device_note(setup.devices[static_cast<std::size_t>(d)]));

    std::string first_failure;
    Figures figures;
    for (const Measured& m : measured) {
      const std::string subject = gpu::link_subject(m.pair.source, m.pair.destination);
      if (!m.outcome.error.empty()) {
        return error_result(std::move(result), fmt::format("{}: {}: {}", probe_name, subject, m.outcome.error));
      }
      if (m.outcome.cancelled) return error_result(std::move(result), fmt::format("{}: cancelled", probe_name));
      if (!m.outcome.check_failure.empty()) {
        result.validation.detail += fmt::format("{}{}: FAILED: {}", result.validation.detail.empty() ? "" : "; ", subject,
                                                m.outcome.check_failure);
        if (first_failure.empty()) first_failure = fmt::format("{}: {}", subject, m.outcome.check_failure);
        continue;
      }
      result.validation.detail +=
          fmt::format("{}{}: {}", result.validation.detail.empty() ? "" : "; ", subject, m.outcome.check_detail);
      if (auto added = add_metrics(result, s, m, figures); !added) {
        return error_result(std::move(result), added.error().message);
      }
    }
    result.validation.checked = true;
    result.validation.passed = first_failure.empty();
    if (!first_failure.empty()) {
      return error_result(std::move(result),
                          fmt::format("{}: a copy delivered wrong data: {}; its figures are not reported", probe_name,
                                      first_failure));
    }
    add_notes(result, s, measured, figures);
    return result;
  }

 private:
  // The medians by pair, for the matrices and the lagging pairs in the notes.
  struct Figures {
    std::map<std::pair<int, int>, double> bandwidth, bibandwidth, latency;
  };

  static Expected<void> add_metrics(ProbeResult& result, const Settings& s, const Measured& m, Figures& figures) {
    const int a = m.pair.source, b = m.pair.destination;
    const std::string subject = gpu::link_subject(a, b);
    const std::string path = m.outcome.peer_access ? "peer access" : "no peer access: staged through host memory";
    const double bytes = static_cast<double>(s.bytes);
    auto bandwidth = gpu::rate_samples(bytes, m.outcome.unidirectional_seconds, "gpu.p2p.bandwidth " + subject);
    if (!bandwidth) return bandwidth.error();
    Metric& bw = result.metrics.emplace_back(make_metric(
        "gpu.p2p.bandwidth", Unit::byte_per_s, Better::higher, std::move(*bandwidth), ValueRule::median, subject,
        fmt::format("cudaMemcpyPeerAsync of {} issued on gpu{}'s stream, median of {} rounds; {}",
                    format_quantity(bytes, Unit::byte), a, m.outcome.unidirectional_seconds.size(), path)));
    figures.bandwidth[{a, b}] = bw.value;

    for (double seconds : m.outcome.latency_seconds) {
      if (!(seconds > 0)) {
        return environment_error(fmt::format("gpu.p2p.latency {}: a latency sample of {} s, below what CUDA events "
                                             "resolve; give more latency_copies",
                                             subject, seconds));
      }
    }
    Metric& latency = result.metrics.emplace_back(make_metric(
        "gpu.p2p.latency", Unit::second, Better::lower, m.outcome.latency_seconds, ValueRule::median, subject,
        fmt::format("mean GPU time of one {}-byte cudaMemcpyPeerAsync among {} queued back to back, median of {} "
                    "rounds; {}",
                    s.latency_bytes, s.latency_copies, m.outcome.latency_seconds.size(), path)));
    figures.latency[{a, b}] = latency.value;

    if (m.pair.bidirectional) {
      const std::string both = gpu::both_ways_subject(a, b);
      auto bidirectional = gpu::rate_samples(2 * bytes, m.outcome.bidirectional_seconds, "gpu.p2p.bibandwidth " + both);
      if (!bidirectional) return bidirectional.error();
      Metric& bibw = result.metrics.emplace_back(make_metric(
          "gpu.p2p.bibandwidth", Unit::byte_per_s, Better::higher, std::move(*bidirectional), ValueRule::median, both,
          fmt::format("{} each way at once (each direction issued on its source's stream), 2 x {} counted, median of "
                      "{} rounds; {}",
                      format_quantity(bytes, Unit::byte), format_quantity(bytes, Unit::byte),
                      m.outcome.bidirectional_seconds.size(), path)));
      figures.bibandwidth[{a, b}] = figures.bibandwidth[{b, a}] = bibw.value;
    }
    return {};
  }

  static void add_notes(ProbeResult& result, const Settings& s, const std::vector<Measured>& measured,
                        const Figures& figures) {
    for (const Measured& m : measured) {
      result.notes.push_back(fmt::format("{}: {}", gpu::link_subject(m.pair.source, m.pair.destination), m.outcome.path));
    }
    const auto scaled = [](const std::map<std::pair<int, int>, double>& cells, double unit) {
      std::map<std::pair<int, int>, double> out;
      for (const auto& [pair, value] : cells) out[pair] = value / unit;
      return out;
    };
    const auto add_lines = [&](std::vector<std::string> lines) {
      for (std::string& line : lines) result.notes.push_back(std::move(line));
    };
    add_lines(gpu::matrix_lines("bandwidth one way (GB/s), median:", s.devices, scaled(figures.bandwidth, 1e9), 1));
    add_lines(gpu::matrix_lines("bandwidth both ways at once (GB/s, sum of both), median:", s.devices,
                                scaled(figures.bibandwidth, 1e9), 1));
    add_lines(gpu::matrix_lines("latency (us), median:", s.devices, scaled(figures.latency, 1e-6), 2));

    std::vector<std::pair<std::string, double>> bandwidths, latencies;
    for (const auto& [pair, value] : figures.bandwidth) bandwidths.emplace_back(gpu::link_subject(pair.first, pair.second), value);
    for (const auto& [pair, value] : figures.latency) latencies.emplace_back(gpu::link_subject(pair.first, pair.second), value);
    const auto slow = gpu::lagging_subjects(bandwidths, true, lagging_fraction);
    const auto late = gpu::lagging_subjects(latencies, false, lagging_fraction);
    if (!slow.empty() || !late.empty()) {
      std::string line = "pairs that fall short of the others (compare with the topology, nvidia-smi topo -m):";
      for (const std::string& text : slow) line += " bandwidth " + text + ";";
      for (const std::string& text : late) line += " latency " + text + ";";
      result.notes.push_back(line);
    }
    result.notes.push_back(
        "method: as NVIDIA's p2pBandwidthLatencyTest (copy engines, P2P writes): each copy issued on the source GPU's "
        "stream, timed with CUDA events behind a short lead-in kernel so the host's enqueue time is not timed; both "
        "ways at once measured once per pair, each direction on its own source's stream; latency is the mean GPU "
        "time per copy of latency_copies small copies queued back to back (the DMA set-up and completion a copy "
        "costs, not an SM load's round trip as nvbandwidth's latency tests measure)");
    result.notes.push_back("value: median of the timed rounds");
  }
};

}  // namespace

std::unique_ptr<Probe> make_gpu_p2p_probe() { return std::make_unique<GpuP2pProbe>(); }

}  // namespace assay
