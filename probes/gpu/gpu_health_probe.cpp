#include "probes/gpu/gpu_health_probe.h"

#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "probes/gpu/gpu_health_baseline.h"
#include "probes/gpu/gpu_health_judgement.h"

namespace assay {
namespace {

// Keys (docs/probes/gpu.md "gpu.health"). Problems is the judged one: verdicts hold it
// to 0 (suites/verdicts.cpp), so each failing GPU is a FAIL verdict of its own.
constexpr const char* kProblems = "gpu.health.problems";
constexpr const char* kEccNew = "gpu.health.ecc_uncorrected_new";
constexpr const char* kTemperature = "gpu.health.temperature";
constexpr const char* kPcieWidth = "gpu.health.pcie_width";
constexpr const char* kPcieGen = "gpu.health.pcie_gen";
constexpr const char* kSmClock = "gpu.health.sm_clock";
constexpr const char* kPowerLimit = "gpu.health.power_limit";

// Outside these a reading is a misread, not a state of the hardware: PCIe has 7
// generations and at most 32 lanes, silicon works between about -50 and +150 degrees
// Celsius, no GPU clocks at 10 GHz or is allowed 5 kW.
constexpr unsigned kMaxPcieGeneration = 7;
constexpr unsigned kMaxPcieWidth = 32;
constexpr double kMinPlausibleKelvin = 220;
constexpr double kMaxPlausibleKelvin = 425;
constexpr double kMaxPlausibleClockHz = 10e9;
constexpr double kMaxPlausiblePowerLimitWatts = 5000;

std::string no_gpu_reason(const Error& error) {
  return error.message.starts_with("no NVIDIA GPU") ? error.message : "no NVIDIA GPU: " + error.message;
}

// The first implausible reading of `gpu`, or empty.
std::string implausible(const GpuHealthSnapshot& gpu) {
  const PcieLinkReading& p = gpu.pcie;
  for (const auto& gen : {p.gen_current, p.gen_max, p.gen_gpu_max}) {
    if (gen && (*gen < 1 || *gen > kMaxPcieGeneration)) return fmt::format("PCIe generation {}", *gen);
  }
  for (const auto& width : {p.width_current, p.width_max}) {
    if (width && *width > kMaxPcieWidth) return fmt::format("PCIe width x{}", *width);
  }
  if (gpu.temperature_kelvin &&
      (*gpu.temperature_kelvin < kMinPlausibleKelvin || *gpu.temperature_kelvin > kMaxPlausibleKelvin)) {
    return fmt::format("temperature {} K", *gpu.temperature_kelvin);
  }
  for (const auto& clock : {gpu.sm_clock_hz, gpu.sm_clock_max_hz, gpu.memory_clock_hz, gpu.memory_clock_max_hz}) {
    if (clock && *clock > kMaxPlausibleClockHz) return fmt::format("clock {} Hz", *clock);
  }
  if (gpu.power_limit_watts && *gpu.power_limit_watts > kMaxPlausiblePowerLimitWatts) {
    return fmt::format("power limit {} W", *gpu.power_limit_watts);
  }
  return {};
}

Validation validate(const NodeGpuHealth& health) {
  Validation v;
  v.checked = true;
  for (const GpuHealthSnapshot& gpu : health.gpus) {
    if (const std::string bad = implausible(gpu); !bad.empty()) {
      v.passed = false;
      v.detail = fmt::format("gpu{}: NVML reported an implausible {}", gpu.index, bad);
      return v;
    }
  }
  v.passed = true;
  v.detail = fmt::format("{} GPU(s) read through NVML: PCIe generation 1..{}, width <= x{}, "
                         "temperature {:.0f}..{:.0f} K, clocks <= {:.0f} GHz, power limit <= {:.0f} W",
                         health.gpus.size(), kMaxPcieGeneration, kMaxPcieWidth, kMinPlausibleKelvin,
                         kMaxPlausibleKelvin, kMaxPlausibleClockHz / 1e9, kMaxPlausiblePowerLimitWatts);
  return v;
}

std::string summary_line(const GpuHealthSnapshot& gpu, const GpuHealthJudgement& j) {
  std::vector<std::string> parts;
  if (gpu.serial) parts.push_back("serial " + *gpu.serial);
  if (gpu.vbios_version) parts.push_back("VBIOS " + *gpu.vbios_version);
  const PcieLinkReading& p = gpu.pcie;
  if (p.gen_current && p.width_current) {
    std::string link = fmt::format("PCIe Gen{} x{}", *p.gen_current, *p.width_current);
    if (p.gen_max && p.width_max) link += fmt::format(" (max Gen{} x{})", *p.gen_max, *p.width_max);
    parts.push_back(std::move(link));
  }
  if (gpu.ecc_enabled) parts.push_back(*gpu.ecc_enabled ? "ECC on" : "ECC off");
  if (gpu.temperature_kelvin) parts.push_back(format_quantity(*gpu.temperature_kelvin, Unit::kelvin));
  if (gpu.sm_clock_hz && gpu.sm_clock_max_hz) {
    parts.push_back(fmt::format("SM {:.0f}/{:.0f} MHz", *gpu.sm_clock_hz / 1e6, *gpu.sm_clock_max_hz / 1e6));
  }
  if (gpu.power_limit_watts) parts.push_back(fmt::format("power limit {:.0f} W", *gpu.power_limit_watts));
  if (gpu.memory_total_bytes) {
    parts.push_back(format_quantity(static_cast<double>(*gpu.memory_total_bytes), Unit::byte));
  }
  return fmt::format("{}: {}{}{}", j.subject, j.label, parts.empty() ? "" : ": ", fmt::join(parts, ", "));
}

void add_metric(ProbeResult& result, const char* key, Unit unit, Better better, double value,
                const std::string& subject, std::string note = {}) {
  result.metrics.push_back(
      make_metric(key, unit, better, {value}, ValueRule::median, subject, std::move(note)));
}

void add_gpu_metrics(ProbeResult& result, const GpuHealthSnapshot* gpu, const GpuHealthJudgement& j) {
  add_metric(result, kProblems, Unit::ratio, Better::lower, static_cast<double>(j.problems.size()), j.subject,
             fmt::format("{}", fmt::join(j.problems, "; ")));
  if (gpu == nullptr || !gpu->lost.empty()) return;
  if (j.ecc_uncorrected_new) {
    add_metric(result, kEccNew, Unit::ratio, Better::lower, static_cast<double>(*j.ecc_uncorrected_new), j.subject,
               j.compared_with_baseline ? "since the baseline" : "since the driver was loaded (no baseline)");
  }
  if (gpu->temperature_kelvin) {
    add_metric(result, kTemperature, Unit::kelvin, Better::lower, *gpu->temperature_kelvin, j.subject);
  }
  if (gpu->pcie.width_current) {
    add_metric(result, kPcieWidth, Unit::ratio, Better::higher, *gpu->pcie.width_current, j.subject);
  }
  if (gpu->pcie.gen_max) {
    add_metric(result, kPcieGen, Unit::ratio, Better::higher, *gpu->pcie.gen_max, j.subject,
               "the most the GPU and its slot allow together (the current generation drops while idle)");
  }
  if (gpu->sm_clock_hz) add_metric(result, kSmClock, Unit::hertz, Better::higher, *gpu->sm_clock_hz, j.subject);
  if (gpu->power_limit_watts) {
    add_metric(result, kPowerLimit, Unit::watt, Better::higher, *gpu->power_limit_watts, j.subject,
               "enforced, after every limiter");
  }
}

const GpuHealthSnapshot* snapshot_of(const NodeGpuHealth& health, const GpuHealthJudgement& j) {
  for (const GpuHealthSnapshot& gpu : health.gpus) {
    if (gpu.index == j.index) return &gpu;
  }
  return nullptr;  // a GPU of the baseline that is gone
}

std::string baseline_note(const std::optional<GpuHealthBaseline>& baseline, const std::string& mode) {
  if (baseline) {
    return fmt::format("baseline: GPU health taken at {} with {} through {} ({} GPUs), matched by UUID; ECC errors "
                       "counted since then",
                       baseline->health.taken_at, baseline->origin, baseline->health.library,
                       baseline->health.gpus.size());
  }
  return mode == "none"
             ? "baseline: none (baseline=none): absolute rules, ECC errors counted since the driver was loaded"
             : "baseline: none in this process (no inventory was collected before): absolute rules, ECC errors "
               "counted since the driver was loaded";
}

class GpuHealthProbe final : public Probe {
 public:
  std::string_view name() const override { return "gpu.health"; }
  std::string_view description() const override {
    return "NVIDIA GPU health through NVML: PCIe link, ECC errors and memory repair, clocks, temperature, power "
           "limit; new problems since the run's start fail the GPU";
  }
  std::vector<ParamSpec> params() const override {
    return {
        {"nvml_library", ParamKind::text, std::string(kDefaultNvmlLibrary),
         "the NVML library to load (a soname or a path)", {}, {}},
        {"baseline", ParamKind::text, std::string("auto"),
         "auto: compare with the GPU health taken with this process's inventory, when there is one; none: judge "
         "this reading alone",
         {}, {}, {"auto", "none"}},
    };
  }
  std::vector<MetricSpec> metrics() const override {
    return {
        {kProblems, Unit::ratio, Better::lower,
         "problems that fail the GPU (must be 0; the note names them): new uncorrectable ECC errors, failed or "
         "pending memory repair, PCIe link below its maximum (subject gpuN)"},
        {kEccNew, Unit::ratio, Better::lower,
         "uncorrectable ECC errors since the baseline (without one: since the driver was loaded)"},
        {kTemperature, Unit::kelvin, Better::lower, "GPU die temperature when read"},
        {kPcieWidth, Unit::ratio, Better::higher, "PCIe lanes the link trained at"},
        {kPcieGen, Unit::ratio, Better::higher, "highest PCIe generation the GPU and its slot allow together"},
        {kSmClock, Unit::hertz, Better::higher, "SM clock when read (low while idle)"},
        {kPowerLimit, Unit::watt, Better::higher, "power limit the driver enforces"},
    };
  }

  // Loading NVML initialises the driver's state for every GPU, which takes long on big
  // nodes; the answer does not change while the process runs, so it is asked once.
  Availability availability() const override {
    std::call_once(availability_once_, [this] {
      const Expected<unsigned> gpus = count_nvidia_gpus(std::string(kDefaultNvmlLibrary));
      if (!gpus) availability_ = {false, no_gpu_reason(gpus.error())};
    });
    return availability_;
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.subject = "gpu";
    const std::string& library = param_text(params, "nvml_library");
    const std::string& mode = param_text(params, "baseline");
    context.report("reading NVML");
    Expected<NodeGpuHealth> health = read_gpu_health(library);
    if (!health) {
      if (health.error().kind != ErrorKind::environment) return error_result(std::move(result), health.error().message);
      result.status = ProbeStatus::skipped;
      result.reason = no_gpu_reason(health.error());
      return result;
    }
    const std::optional<GpuHealthBaseline> baseline =
        mode == "auto" ? gpu_health_baseline() : std::optional<GpuHealthBaseline>{};
    const std::vector<GpuHealthJudgement> judgements =
        judge_node_gpu_health(*health, baseline ? &baseline->health : nullptr);

    result.notes.push_back(fmt::format("NVML {}: driver {}, NVML {}, {} GPU(s), read at {}", health->library,
                                       health->driver_version.value_or("unknown"),
                                       health->nvml_version.value_or("unknown"), health->gpus.size(),
                                       health->taken_at));
    if (!health->missing_functions.empty()) {
      result.notes.push_back(fmt::format("NVML {} lacks {} (an older driver): those readings are not available",
                                         health->library, fmt::join(health->missing_functions, ", ")));
    }
    result.notes.push_back(baseline_note(baseline, mode));
    std::size_t failing = 0;
    for (const GpuHealthJudgement& j : judgements) {
      const GpuHealthSnapshot* gpu = snapshot_of(*health, j);
      result.notes.push_back(gpu != nullptr ? summary_line(*gpu, j) : fmt::format("{}: {}", j.subject, j.label));
      for (const auto& problem : j.problems) result.notes.push_back(fmt::format("{}: FAIL: {}", j.subject, problem));
      for (const auto& note : j.notes) result.notes.push_back(fmt::format("{}: {}", j.subject, note));
      if (gpu != nullptr && !gpu->unavailable.empty()) {
        result.notes.push_back(fmt::format("{}: not available: {}", j.subject, fmt::join(gpu->unavailable, "; ")));
      }
      add_gpu_metrics(result, gpu, j);
      failing += j.problems.empty() ? 0 : 1;
    }
    result.notes.push_back(failing == 0 ? "no GPU has a problem that fails it"
                                        : fmt::format("{} of {} GPU(s) fail (gpu.health.problems > 0)", failing,
                                                      judgements.size()));
    result.validation = validate(*health);
    if (!result.validation.passed) {
      result.status = ProbeStatus::error;
      result.error = "gpu.health: " + result.validation.detail;
    }
    return result;
  }

 private:
  mutable std::once_flag availability_once_;
  mutable Availability availability_;
};

}  // namespace

std::unique_ptr<Probe> make_gpu_health_probe() { return std::make_unique<GpuHealthProbe>(); }

}  // namespace assay
