#include "probes/gpu/gpu_health_judgement.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "probes/gpu/gpu_clock_events.h"

namespace assay {
namespace {

constexpr double kZeroCelsiusKelvin = 273.15;
// A GPU this close to where its hardware slowdown begins is about to be held back.
constexpr double kSlowdownMarginKelvin = 5.0;
// The enforced power limit below the default by more than rounding: someone capped it.
constexpr double kPowerLimitSlack = 0.99;

std::string temperature_text(double kelvin) {
  return fmt::format("{:.0f} K ({:.0f} \xC2\xB0" "C)", kelvin, kelvin - kZeroCelsiusKelvin);
}

std::string count_text(std::uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string optional_count(const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "?"; }

// Uncorrectable errors: new ones since the baseline fail the GPU; so do older ones still
// in the volatile count (since the driver was loaded), as DCGM's memory health watch
// judges them, because the GPU has not been reset since. The aggregate count is
// lifetime, so only its growth matters.
void judge_uncorrectable(const GpuHealthSnapshot& now, const GpuHealthSnapshot* before, GpuHealthJudgement& j) {
  const EccCounts& e = now.ecc;
  if (before == nullptr) {
    if (!e.volatile_uncorrected) return;
    j.ecc_uncorrected_new = *e.volatile_uncorrected;
    if (*e.volatile_uncorrected > 0) {
      j.problems.push_back(fmt::format("{} since the driver was loaded (no baseline to tell new from old)",
                                       count_text(*e.volatile_uncorrected, "uncorrectable ECC error",
                                                  "uncorrectable ECC errors")));
    }
    if (e.aggregate_uncorrected && *e.aggregate_uncorrected > 0 && *e.volatile_uncorrected == 0) {
      j.notes.push_back(fmt::format("{} over the GPU's life (aggregate count), none since the driver was loaded",
                                    count_text(*e.aggregate_uncorrected, "uncorrectable ECC error",
                                               "uncorrectable ECC errors")));
    }
    return;
  }
  const EccCounts& b = before->ecc;
  std::optional<std::uint64_t> new_volatile, new_aggregate;
  bool restarted = false;
  if (e.volatile_uncorrected && b.volatile_uncorrected) {
    // Volatile counts restart when the driver is reloaded: then all of them are new.
    restarted = *e.volatile_uncorrected < *b.volatile_uncorrected;
    new_volatile = restarted ? *e.volatile_uncorrected : *e.volatile_uncorrected - *b.volatile_uncorrected;
  } else if (e.volatile_uncorrected) {
    new_volatile = *e.volatile_uncorrected;
  }
  if (e.aggregate_uncorrected && b.aggregate_uncorrected) {
    new_aggregate = *e.aggregate_uncorrected >= *b.aggregate_uncorrected
                        ? *e.aggregate_uncorrected - *b.aggregate_uncorrected
                        : 0;
    if (*e.aggregate_uncorrected < *b.aggregate_uncorrected) {
      j.notes.push_back("the aggregate ECC counts went down since the baseline (cleared with nvidia-smi -p?)");
    }
  }
  if (restarted) j.notes.push_back("the volatile ECC counts restarted since the baseline: the driver was reloaded");
  if (!new_volatile && !new_aggregate) return;
  const std::uint64_t fresh = std::max(new_volatile.value_or(0), new_aggregate.value_or(0));
  j.ecc_uncorrected_new = fresh;
  const std::string counts =
      fmt::format("volatile {} -> {}, aggregate {} -> {}", optional_count(b.volatile_uncorrected),
                  optional_count(e.volatile_uncorrected), optional_count(b.aggregate_uncorrected),
                  optional_count(e.aggregate_uncorrected));
  if (fresh > 0) {
    j.problems.push_back(fmt::format("{} since the baseline ({})",
                                     count_text(fresh, "new uncorrectable ECC error", "new uncorrectable ECC errors"),
                                     counts));
  } else if (e.volatile_uncorrected && *e.volatile_uncorrected > 0) {
    j.problems.push_back(fmt::format("{} since the driver was loaded, all before the baseline ({}); the GPU has not "
                                     "been reset since",
                                     count_text(*e.volatile_uncorrected, "uncorrectable ECC error",
                                                "uncorrectable ECC errors"),
                                     counts));
  }
}

void judge_correctable(const GpuHealthSnapshot& now, const GpuHealthSnapshot* before, GpuHealthJudgement& j) {
  const EccCounts& e = now.ecc;
  if (!e.volatile_corrected) return;
  if (before != nullptr && before->ecc.volatile_corrected && *e.volatile_corrected >= *before->ecc.volatile_corrected) {
    const std::uint64_t fresh = *e.volatile_corrected - *before->ecc.volatile_corrected;
    if (fresh > 0) {
      j.notes.push_back(fmt::format("{} since the baseline (corrected; watch for growth)",
                                    count_text(fresh, "correctable ECC error", "correctable ECC errors")));
    }
  } else if (*e.volatile_corrected > 0) {
    j.notes.push_back(fmt::format("{} since the driver was loaded (corrected; watch for growth)",
                                  count_text(*e.volatile_corrected, "correctable ECC error",
                                             "correctable ECC errors")));
  }
}

void judge_ecc_mode(const GpuHealthSnapshot& now, GpuHealthJudgement& j) {
  if (now.ecc_enabled && !*now.ecc_enabled) {
    j.notes.push_back("ECC is disabled: memory errors are neither corrected nor counted");
  }
  if (now.ecc_enabled && now.ecc_pending_enabled && *now.ecc_enabled != *now.ecc_pending_enabled) {
    j.notes.push_back(
        fmt::format("ECC will be {} after the next reboot", *now.ecc_pending_enabled ? "enabled" : "disabled"));
  }
}

void judge_memory_repair(const GpuHealthSnapshot& now, GpuHealthJudgement& j) {
  if (now.remapped_rows) {
    const RemappedRowsReading& rows = *now.remapped_rows;
    if (rows.failure) {
      j.problems.push_back("a row remapping has failed: a memory bank has no spare rows left (NVIDIA: the GPU needs "
                           "service)");
    }
    if (rows.pending) j.problems.push_back("a row remapping is pending: reset the GPU to apply it");
    if (rows.corrected + rows.uncorrected > 0) {
      j.notes.push_back(fmt::format("rows remapped: {} for uncorrectable, {} for correctable errors", rows.uncorrected,
                                    rows.corrected));
    }
  }
  const RetiredPagesReading& pages = now.retired_pages;
  if (pages.pending && *pages.pending) {
    j.problems.push_back("memory pages are pending retirement: reboot or reset the GPU to retire them");
  }
  const unsigned retired = pages.double_bit.value_or(0) + pages.multiple_single_bit.value_or(0);
  if (retired > 0) {
    j.notes.push_back(fmt::format("{} retired ({} for double-bit, {} for repeated single-bit errors)",
                                  count_text(retired, "memory page", "memory pages"), pages.double_bit.value_or(0),
                                  pages.multiple_single_bit.value_or(0)));
  }
}

void judge_pcie(const PcieLinkReading& pcie, GpuHealthJudgement& j) {
  if (pcie.width_current && pcie.width_max && *pcie.width_current < *pcie.width_max) {
    j.problems.push_back(fmt::format("PCIe link trained at x{}, below its maximum x{}: reseat the GPU, check the slot "
                                     "and riser",
                                     *pcie.width_current, *pcie.width_max));
  }
  if (pcie.gen_max && pcie.gen_gpu_max && *pcie.gen_max < *pcie.gen_gpu_max) {
    j.problems.push_back(fmt::format("PCIe link can reach only Gen{} though the GPU supports Gen{}: the slot, riser "
                                     "or switch holds it back",
                                     *pcie.gen_max, *pcie.gen_gpu_max));
  }
  // The link drops to a lower generation when idle to save power and comes back under
  // load, so a lower current generation says nothing about the hardware.
  if (pcie.gen_current && pcie.gen_max && *pcie.gen_current < *pcie.gen_max) {
    j.notes.push_back(fmt::format("PCIe link at Gen{} now, Gen{} at most: normal while idle (power saving); "
                                  "gpu.pcie measures it under load",
                                  *pcie.gen_current, *pcie.gen_max));
  }
}

void judge_clocks_and_heat(const GpuHealthSnapshot& now, GpuHealthJudgement& j) {
  if (now.clocks_event_reasons) {
    const std::uint64_t slowdown = *now.clocks_event_reasons & clocks_event_slowdown_mask();
    if (slowdown != 0) {
      j.notes.push_back(
          fmt::format("clocks held back by {} when read", fmt::join(clocks_event_reason_names(slowdown), ", ")));
    }
  }
  if (now.temperature_kelvin && now.slowdown_temperature_kelvin &&
      *now.temperature_kelvin >= *now.slowdown_temperature_kelvin - kSlowdownMarginKelvin) {
    j.notes.push_back(fmt::format("temperature {} is within {:.0f} K of its slowdown threshold {}",
                                  temperature_text(*now.temperature_kelvin), kSlowdownMarginKelvin,
                                  temperature_text(*now.slowdown_temperature_kelvin)));
  }
  if (now.power_limit_watts && now.default_power_limit_watts &&
      *now.power_limit_watts < *now.default_power_limit_watts * kPowerLimitSlack) {
    j.notes.push_back(fmt::format("enforced power limit {:.0f} W is below the default {:.0f} W: figures will be lower "
                                  "than rated",
                                  *now.power_limit_watts, *now.default_power_limit_watts));
  }
}

std::string label_of(const GpuHealthSnapshot& gpu) {
  std::string ids = gpu.uuid.empty() ? "UUID unknown" : gpu.uuid;
  if (gpu.pci_bus_id) ids += ", " + *gpu.pci_bus_id;
  return fmt::format("{} ({})", gpu.name.empty() ? "unknown model" : gpu.name, ids);
}

const GpuHealthSnapshot* find_by_uuid(const NodeGpuHealth& health, const std::string& uuid) {
  if (uuid.empty()) return nullptr;
  for (const GpuHealthSnapshot& gpu : health.gpus) {
    if (gpu.uuid == uuid) return &gpu;
  }
  return nullptr;
}

const GpuHealthSnapshot* find_by_index(const NodeGpuHealth& health, unsigned index) {
  for (const GpuHealthSnapshot& gpu : health.gpus) {
    if (gpu.index == index) return &gpu;
  }
  return nullptr;
}

}  // namespace

GpuHealthJudgement judge_gpu_health(const GpuHealthSnapshot& now, const GpuHealthSnapshot* before) {
  GpuHealthJudgement j;
  j.index = now.index;
  j.subject = fmt::format("gpu{}", now.index);
  j.label = label_of(now.name.empty() && before != nullptr ? *before : now);
  j.compared_with_baseline = before != nullptr;
  if (!now.lost.empty()) {
    j.problems.push_back("NVML cannot read this GPU: " + now.lost);
    return j;
  }
  judge_uncorrectable(now, before, j);
  judge_memory_repair(now, j);
  judge_pcie(now.pcie, j);
  judge_ecc_mode(now, j);
  judge_correctable(now, before, j);
  judge_clocks_and_heat(now, j);
  return j;
}

std::vector<GpuHealthJudgement> judge_node_gpu_health(const NodeGpuHealth& now, const NodeGpuHealth* baseline) {
  std::vector<GpuHealthJudgement> out;
  for (const GpuHealthSnapshot& gpu : now.gpus) {
    const GpuHealthSnapshot* before = nullptr;
    if (baseline != nullptr) {
      // A GPU NVML can no longer read has no UUID now: its index still names it.
      before = gpu.uuid.empty() ? find_by_index(*baseline, gpu.index) : find_by_uuid(*baseline, gpu.uuid);
    }
    GpuHealthJudgement j = judge_gpu_health(gpu, before);
    if (baseline != nullptr && before == nullptr && gpu.lost.empty()) {
      j.notes.push_back("not in the baseline (added since?): judged by absolute rules");
    }
    out.push_back(std::move(j));
  }
  if (baseline == nullptr) return out;
  for (const GpuHealthSnapshot& was : baseline->gpus) {
    if (find_by_uuid(now, was.uuid) != nullptr) continue;
    if (const GpuHealthSnapshot* same_slot = find_by_index(now, was.index); same_slot && same_slot->uuid.empty()) {
      continue;  // judged above as lost
    }
    GpuHealthJudgement j;
    j.index = was.index;
    j.subject = fmt::format("gpu{}", was.index);
    j.label = label_of(was);
    j.compared_with_baseline = true;
    j.problems.push_back(fmt::format("present at the baseline ({}) as gpu{} but not found now: it has left the bus "
                                     "or been removed",
                                     baseline->taken_at, was.index));
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace assay
