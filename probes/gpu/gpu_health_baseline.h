#pragma once
// The "before" of a run's GPU health: the snapshot taken when this process collected
// the node's inventory at the start (suites/inventory.cpp), kept in memory so that
// gpu.health, run later in the same process, reports what is new since then. One per
// process: a run is one process per node (DESIGN.md "Running"), and `--resume` starts a
// new process, whose baseline is the resumed run's start.

#include <optional>
#include <string>

#include "probes/gpu/gpu_health_snapshot.h"

namespace assay {

struct GpuHealthBaseline {
  NodeGpuHealth health;
  std::string origin;  ///< who took it, e.g. "the node's inventory"
};

/// Keeps `health` as this process's baseline unless one is kept already: the first
/// snapshot is the start of the run, and a later one must not move it.
void record_gpu_health_baseline(NodeGpuHealth health, std::string origin);

/// The baseline, if one was recorded (a copy: thread-safe).
std::optional<GpuHealthBaseline> gpu_health_baseline();

/// Forgets the baseline (tests).
void clear_gpu_health_baseline();

}  // namespace assay
