#pragma once
// interconnect.allreduce, .allgather, .reduce_scatter, .alltoall, .broadcast: one
// harness over the collective definitions (collective_definition.h), in the manner of
// nccl-tests. Sizes from min_bytes doubling to max_bytes, warm-up and timed calls per
// size, the time of a call being the slowest rank's, algbw and busbw by nccl-tests'
// formulas (bus_bandwidth.h), every received element checked. The headline figure is
// interconnect.<collective>.busbw at the largest size; the whole sweep is kept in the
// result's "sweep" table. See docs/probes/interconnect.md.

#include <cstdint>
#include <memory>
#include <vector>

#include "probes/common/communicator.h"
#include "probes/interconnect/bus_bandwidth.h"
#include "probes/probe.h"

namespace assay {

/// The five collective probes, for the registry.
std::vector<std::unique_ptr<Probe>> make_interconnect_collective_probes();

/// The probe of one collective, "interconnect.<collective_name(kind)>".
std::unique_ptr<Probe> make_interconnect_collective_probe(Collective kind);

/// The sizes of a sweep: `min_bytes`, doubling while below `max_bytes`, then
/// `max_bytes`; each laid out for `kind` over `ranks` (collective_layout() rounds it),
/// sizes that round to the same layout kept once.
std::vector<CollectiveLayout> collective_sweep(Collective kind, std::int64_t min_bytes, std::int64_t max_bytes,
                                               int ranks);

/// Timed calls at a size: `iterations` up to 1 MiB, above that in inverse proportion
/// to the size (iterations x 1 MiB / size), but at least min(5, iterations).
int collective_iterations(std::int64_t size_bytes, int iterations);

/// Warm-up calls at a size: `warmup` up to 1 MiB, then likewise fewer, at least
/// min(1, warmup).
int collective_warmup(std::int64_t size_bytes, int warmup);

}  // namespace assay
