#pragma once
// The gpu.health rules (docs/probes/gpu.md "gpu.health"): pure functions from snapshots
// to the problems that fail a GPU and the notes a reader should see. With a baseline
// (the same GPUs earlier in this process, matched by UUID) ECC errors are split into
// new and old and a GPU that has disappeared is named; without one every rule is
// absolute.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/gpu/gpu_health_snapshot.h"

namespace assay {

struct GpuHealthJudgement {
  unsigned index = 0;
  std::string subject;  ///< "gpu<index>"
  /// "NVIDIA H100 80GB HBM3 (GPU-..., 00000000:18:00.0)", for notes.
  std::string label;
  std::vector<std::string> problems;  ///< each one fails the GPU
  std::vector<std::string> notes;     ///< worth knowing, not a failure
  /// Uncorrectable ECC errors new since the baseline, or since the driver was loaded
  /// when there is none; nullopt where the counts cannot be read.
  std::optional<std::uint64_t> ecc_uncorrected_new;
  bool compared_with_baseline = false;
};

/// Judges one GPU: by absolute rules when `before` is null, else also against `before`
/// (the same GPU at the baseline).
GpuHealthJudgement judge_gpu_health(const GpuHealthSnapshot& now, const GpuHealthSnapshot* before);

/// Judges every GPU of `now`, each against its baseline entry by UUID when `baseline` is
/// given; a GPU of the baseline that `now` lacks is judged failed (it has left the bus).
std::vector<GpuHealthJudgement> judge_node_gpu_health(const NodeGpuHealth& now, const NodeGpuHealth* baseline);

}  // namespace assay
