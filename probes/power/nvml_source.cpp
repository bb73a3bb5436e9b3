#include "probes/power/nvml_source.h"

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "probes/power/nvml_library.h"

namespace assay {

namespace {

struct Gpu {
  unsigned index = 0;
  nvml::Device device = nullptr;
  std::string name;
  std::string uuid;
  bool has_power = false;
  bool has_energy = false;
  unsigned long long last_counter_mj = 0;
  unsigned long long energy_mj = 0;  ///< since open
};

class NvmlSource final : public PowerSource {
 public:
  NvmlSource(std::shared_ptr<NvmlLibrary> lib, std::vector<Gpu> gpus)
      : lib_(std::move(lib)), gpus_(std::move(gpus)) {}

  std::string_view name() const override { return "nvml"; }
  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(100); }

  Expected<std::vector<DomainReading>> read() override {
    std::vector<DomainReading> readings;
    readings.reserve(gpus_.size());
    for (Gpu& gpu : gpus_) {
      if (!gpu.has_power && !gpu.has_energy) continue;
      DomainReading reading;
      reading.domain = fmt::format("gpu{}", gpu.index);
      if (gpu.has_power) {
        unsigned milliwatts = 0;
        if (const nvml::Return rc = lib_->nvmlDeviceGetPowerUsage(gpu.device, &milliwatts); rc != nvml::kSuccess) {
          return failure(gpu, "nvmlDeviceGetPowerUsage", rc);
        }
        reading.watts = milliwatts / 1e3;
      }
      if (gpu.has_energy) {
        unsigned long long counter = 0;
        if (const nvml::Return rc = lib_->nvmlDeviceGetTotalEnergyConsumption(gpu.device, &counter);
            rc != nvml::kSuccess) {
          return failure(gpu, "nvmlDeviceGetTotalEnergyConsumption", rc);
        }
        // The counter starts at driver load and is 64-bit, so it should only grow; a
        // smaller value means the driver restarted, which counts from 0 again.
        gpu.energy_mj += counter >= gpu.last_counter_mj ? counter - gpu.last_counter_mj : counter;
        gpu.last_counter_mj = counter;
        reading.energy_joules = static_cast<double>(gpu.energy_mj) / 1e3;
      }
      readings.push_back(std::move(reading));
    }
    return readings;
  }

  std::vector<std::string> describe() const override {
    std::vector<std::string> lines = {fmt::format("NVML library {}", lib_->path)};
    for (const Gpu& gpu : gpus_) {
      std::string figures;
      if (gpu.has_energy) figures = "energy counter (nvmlDeviceGetTotalEnergyConsumption)";
      if (gpu.has_power) {
        figures += figures.empty() ? "" : " and ";
        figures += "power (nvmlDeviceGetPowerUsage)";
      }
      if (!gpu.has_power && !gpu.has_energy) {
        figures = "left out: supports neither nvmlDeviceGetPowerUsage nor nvmlDeviceGetTotalEnergyConsumption";
      } else if (!gpu.has_energy) {
        figures += "; no energy counter on this GPU";
      }
      lines.push_back(fmt::format("gpu{}: {} ({}): {}", gpu.index, gpu.name, gpu.uuid, figures));
    }
    return lines;
  }

 private:
  Error failure(const Gpu& gpu, const char* call, nvml::Return rc) const {
    return environment_error(
        fmt::format("nvml: gpu{} ({}): {} failed: {}", gpu.index, gpu.uuid, call, lib_->error_text(rc)));
  }

  std::shared_ptr<NvmlLibrary> lib_;
  std::vector<Gpu> gpus_;
};

// Opening asks each GPU for both figures once, so a GPU that lacks one is known up front
// instead of failing every read. A GPU with neither (some display boards) is left out
// of the readings but kept for describe(), so the result says why it is missing.
Expected<Gpu> open_gpu(const NvmlLibrary& lib, unsigned index) {
  Gpu gpu;
  gpu.index = index;
  const auto fail = [&](const char* call, nvml::Return rc) {
    return environment_error(fmt::format("nvml: gpu{}: {} failed: {}", index, call, lib.error_text(rc)));
  };
  if (const nvml::Return rc = lib.nvmlDeviceGetHandleByIndex_v2(index, &gpu.device); rc != nvml::kSuccess) {
    return fail("nvmlDeviceGetHandleByIndex_v2", rc);
  }
  char text[nvml::kNameBufferSize > nvml::kUuidBufferSize ? nvml::kNameBufferSize : nvml::kUuidBufferSize] = {};
  if (const nvml::Return rc = lib.nvmlDeviceGetName(gpu.device, text, nvml::kNameBufferSize); rc != nvml::kSuccess) {
    return fail("nvmlDeviceGetName", rc);
  }
  gpu.name = text;
  if (const nvml::Return rc = lib.nvmlDeviceGetUUID(gpu.device, text, nvml::kUuidBufferSize); rc != nvml::kSuccess) {
    return fail("nvmlDeviceGetUUID", rc);
  }
  gpu.uuid = text;

  unsigned milliwatts = 0;
  const nvml::Return power_rc = lib.nvmlDeviceGetPowerUsage(gpu.device, &milliwatts);
  if (power_rc != nvml::kSuccess && power_rc != nvml::kErrorNotSupported) {
    return fail("nvmlDeviceGetPowerUsage", power_rc);
  }
  gpu.has_power = power_rc == nvml::kSuccess;
  const nvml::Return energy_rc = lib.nvmlDeviceGetTotalEnergyConsumption(gpu.device, &gpu.last_counter_mj);
  if (energy_rc != nvml::kSuccess && energy_rc != nvml::kErrorNotSupported) {
    return fail("nvmlDeviceGetTotalEnergyConsumption", energy_rc);
  }
  gpu.has_energy = energy_rc == nvml::kSuccess;
  return gpu;
}

}  // namespace

Expected<std::unique_ptr<PowerSource>> open_nvml_source(const PowerSourceOptions& options) {
  Expected<std::shared_ptr<NvmlLibrary>> lib = load_nvml(options.library);
  if (!lib) return lib.error();
  unsigned count = 0;
  if (const nvml::Return rc = (*lib)->nvmlDeviceGetCount_v2(&count); rc != nvml::kSuccess) {
    return environment_error("nvml: nvmlDeviceGetCount_v2 failed: " + (*lib)->error_text(rc));
  }
  if (count == 0) return environment_error("no NVIDIA GPU (NVML reports 0 devices)");
  std::vector<Gpu> gpus;
  bool any_figure = false;
  for (unsigned index = 0; index < count; ++index) {
    Expected<Gpu> gpu = open_gpu(**lib, index);
    if (!gpu) return gpu.error();
    any_figure = any_figure || gpu->has_power || gpu->has_energy;
    gpus.push_back(std::move(gpu).value());
  }
  if (!any_figure) {
    return environment_error(fmt::format("nvml: none of the {} GPUs supports nvmlDeviceGetPowerUsage or "
                                         "nvmlDeviceGetTotalEnergyConsumption", count));
  }
  return std::unique_ptr<PowerSource>(std::make_unique<NvmlSource>(std::move(lib).value(), std::move(gpus)));
}

}  // namespace assay
