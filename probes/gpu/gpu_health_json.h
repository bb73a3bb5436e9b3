#pragma once
// GPU health as recorded in inventory.json ("gpus": one object per GPU). Readings that
// are not available are null, and "not_available" says why, so the record has the same
// fields on every machine.

#include "core/result_json.h"
#include "probes/gpu/gpu_health_snapshot.h"

namespace assay {

/// One object per GPU, in NVML's order: identity (model, serial, UUID, PCI bus id,
/// driver, NVML and VBIOS versions), PCIe link, ECC mode and counts, retired pages,
/// remapped rows, clocks (Hz) and their event reasons, temperature (K), power limits
/// (W), memory (B).
Json gpu_health_json(const NodeGpuHealth& health);

}  // namespace assay
