#pragma once
// interconnect.nccl's host-side arithmetic, free of CUDA and of MPI so it is tested on
// its own: which collectives, the job's NCCL ranks (one per GPU of every process), the
// sizes of a sweep as the module wants them (from the MPI collective probes' sweep and
// bus_bandwidth.h's layouts, not a copy of them), and the unique id as the floats that
// the Communicator's broadcast carries.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "probes/common/communicator.h"
#include "probes/gpu/gpu_module.h"

namespace assay::gpu {

/// Every collective, in the order the probe runs them.
inline constexpr NcclCollective kAllNcclCollectives[] = {NcclCollective::all_reduce, NcclCollective::all_gather,
                                                         NcclCollective::reduce_scatter, NcclCollective::all_to_all};

/// The Communicator's name for the same collective (bus_bandwidth.h's formulas).
Collective to_collective(NcclCollective collective);

/// "allreduce", "allgather", "reduce_scatter", "alltoall": the names the MPI collective
/// probes use in their keys (collective_name()).
std::string_view nccl_collective_name(NcclCollective collective);

/// "interconnect.nccl.allreduce.busbw"
std::string nccl_busbw_key(NcclCollective collective);

/// The `collectives` parameter: "all" or a comma-separated list of the names above (in
/// any order; run in kAllNcclCollectives' order, duplicates once). A bad_input Error
/// naming `probe`, the text and the accepted names otherwise.
Expected<std::vector<NcclCollective>> parse_nccl_collectives(std::string_view probe, std::string_view text);

/// The NCCL ranks of a job: processes in Communicator rank order, each process's GPUs
/// consecutive ranks in the order of its `devices`.
struct NcclWorld {
  int ranks = 0;                  ///< GPUs in the whole job
  int first_rank = 0;             ///< this process's first GPU's rank
  int local = 0;                  ///< this process's GPUs
  std::vector<int> counts;        ///< GPUs per process
  std::vector<int> first_ranks;   ///< first rank per process
};

/// The world for `gpus_per_process` (one entry per process, as exchanged) seen from
/// process `process`. Errors: a count below 1 (every process that runs the probe has a
/// GPU), `process` out of range, more than INT_MAX ranks.
Expected<NcclWorld> nccl_world(std::span<const int> gpus_per_process, int process);

/// "node-a: gpu0..gpu7 as ranks 0-7; node-b: gpu0..gpu3 as ranks 8-11" (a process's
/// name from `nodes` by Communicator rank, "rank N" where missing). Long jobs are
/// abbreviated after `most` processes.
std::string nccl_layout_text(const NcclWorld& world, std::span<const std::string> nodes, std::size_t most = 16);

/// Floats per 16 bytes: nccl-tests' alignment of a rank's block.
inline constexpr std::uint64_t kNcclBlockAlignment = 4;

/// The sweep of `collective` over `ranks` GPUs: collective_sweep() (collective_probe.h)
/// from `min_bytes` doubling to `max_bytes`, each laid out by collective_layout(); for
/// the collectives that split the vector each rank's block is then rounded down to a
/// multiple of 16 bytes (at least 16), as nccl-tests does, and sizes that become equal
/// are kept once. size_bytes stays nccl-tests' size: n blocks (all_reduce: the vector).
std::vector<NcclSize> nccl_sweep(NcclCollective collective, std::int64_t min_bytes, std::int64_t max_bytes, int ranks);

/// The unique id as floats for the Communicator's broadcast: [1, byte0, ..., byte127]
/// with each byte as 0..255, exact in float; [0, 0...] when rank 0 could not make one
/// (`id.error` set), so the others learn that instead of waiting.
std::vector<float> encode_nccl_id(const NcclId& id);

/// The id bytes back from encode_nccl_id()'s floats; an Error when the flag says rank 0
/// failed or the floats are not bytes.
Expected<std::vector<char>> decode_nccl_id(std::span<const float> floats);

/// Floats in an encoded id: a flag and NCCL_UNIQUE_ID_BYTES (128) bytes.
inline constexpr std::size_t kNcclIdBytes = 128;
inline constexpr std::size_t kEncodedNcclIdFloats = 1 + kNcclIdBytes;

}  // namespace assay::gpu
