#include "probes/gpu/gpu_health_json.h"

#include <fmt/format.h>

#include "probes/gpu/gpu_clock_events.h"

namespace assay {
namespace {

template <class T>
Json value_or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json gpu_json(const GpuHealthSnapshot& gpu, const NodeGpuHealth& node) {
  Json j;
  j["index"] = gpu.index;
  j["name"] = gpu.name;
  j["uuid"] = gpu.uuid;
  if (!gpu.lost.empty()) j["lost"] = gpu.lost;
  j["serial"] = value_or_null(gpu.serial);
  j["pci_bus_id"] = value_or_null(gpu.pci_bus_id);
  j["driver_version"] = value_or_null(node.driver_version);
  j["nvml_version"] = value_or_null(node.nvml_version);
  j["vbios_version"] = value_or_null(gpu.vbios_version);
  j["pcie"] = {{"gen_current", value_or_null(gpu.pcie.gen_current)},
               {"gen_max", value_or_null(gpu.pcie.gen_max)},
               {"gen_gpu_max", value_or_null(gpu.pcie.gen_gpu_max)},
               {"width_current", value_or_null(gpu.pcie.width_current)},
               {"width_max", value_or_null(gpu.pcie.width_max)}};
  j["ecc"] = {{"enabled", value_or_null(gpu.ecc_enabled)},
              {"pending_enabled", value_or_null(gpu.ecc_pending_enabled)},
              {"volatile", {{"corrected", value_or_null(gpu.ecc.volatile_corrected)},
                            {"uncorrected", value_or_null(gpu.ecc.volatile_uncorrected)}}},
              {"aggregate", {{"corrected", value_or_null(gpu.ecc.aggregate_corrected)},
                             {"uncorrected", value_or_null(gpu.ecc.aggregate_uncorrected)}}}};
  j["retired_pages"] = {{"multiple_single_bit", value_or_null(gpu.retired_pages.multiple_single_bit)},
                        {"double_bit", value_or_null(gpu.retired_pages.double_bit)},
                        {"pending", value_or_null(gpu.retired_pages.pending)}};
  if (gpu.remapped_rows) {
    j["remapped_rows"] = {{"corrected", gpu.remapped_rows->corrected},
                          {"uncorrected", gpu.remapped_rows->uncorrected},
                          {"pending", gpu.remapped_rows->pending},
                          {"failure", gpu.remapped_rows->failure}};
  } else {
    j["remapped_rows"] = nullptr;
  }
  j["clocks_hz"] = {{"sm", value_or_null(gpu.sm_clock_hz)},
                    {"sm_max", value_or_null(gpu.sm_clock_max_hz)},
                    {"memory", value_or_null(gpu.memory_clock_hz)},
                    {"memory_max", value_or_null(gpu.memory_clock_max_hz)}};
  if (gpu.clocks_event_reasons) {
    j["clocks_event_reasons"] = {{"mask", fmt::format("{:#x}", *gpu.clocks_event_reasons)},
                                 {"names", clocks_event_reason_names(*gpu.clocks_event_reasons)}};
  } else {
    j["clocks_event_reasons"] = nullptr;
  }
  j["temperature_k"] = value_or_null(gpu.temperature_kelvin);
  j["slowdown_temperature_k"] = value_or_null(gpu.slowdown_temperature_kelvin);
  j["power_limit_w"] = value_or_null(gpu.power_limit_watts);
  j["default_power_limit_w"] = value_or_null(gpu.default_power_limit_watts);
  j["memory_total_bytes"] = value_or_null(gpu.memory_total_bytes);
  j["not_available"] = gpu.unavailable;
  return j;
}

}  // namespace

Json gpu_health_json(const NodeGpuHealth& health) {
  Json gpus = Json::array();
  for (const GpuHealthSnapshot& gpu : health.gpus) gpus.push_back(gpu_json(gpu, health));
  return gpus;
}

}  // namespace assay
