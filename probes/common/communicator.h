#pragma once
// The nodes of a run and the messages between them. One process per node; the
// launcher (mpirun, srun) decides how many. Everything that crosses the network goes
// through this interface: the engine's control messages (plan steps, results,
// inventories) and the interconnect probes' timed kernels. The MPI implementation
// (probes/common/mpi/) is the only code that includes <mpi.h>; a single process is a
// world of one (single_process_world()).
//
// Every operation that waits on another node takes a CommStop: it polls instead of
// blocking, so a node that died or hangs turns into an error naming it once the
// deadline passes or the run is cancelled, never into a hang. After such an error the
// communicator may hold unfinished requests: do not use it again; make a new group.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace assay {

/// When a wait gives up: at `deadline`, or as soon as `*cancel` is set.
struct CommStop {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;

  bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
  bool expired() const { return std::chrono::steady_clock::now() >= deadline; }
  static CommStop within(std::chrono::steady_clock::duration limit,
                         const std::atomic<bool>* cancel = nullptr) {
    return {std::chrono::steady_clock::now() + limit, cancel};
  }
};

/// The collectives the interconnect probes measure (nccl-tests' set plus broadcast).
enum class Collective { allreduce, allgather, reduce_scatter, alltoall, broadcast };
std::string_view collective_name(Collective c);  ///< "allreduce", "reduce_scatter", ...

/// How the peer side of a point-to-point kernel behaves.
enum class PeerRole { initiator, responder };

class Communicator {
 public:
  virtual ~Communicator() = default;

  /// This process's rank in this communicator, 0-based, and the number of ranks.
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// The rank in the launch's world of rank `r` of this communicator (node names and
  /// messages refer to world ranks).
  virtual int world_rank_of(int r) const = 0;
  /// e.g. "Open MPI v4.1.4", "single process"
  virtual std::string transport() const = 0;

  // ---- control plane (suites/): short text messages between world ranks --------------

  /// Sends `text` to rank `to` with `tag`; returns once the text may be reused.
  virtual Expected<void> send_text(int to, int tag, std::string_view text, const CommStop& stop) = 0;
  /// Receives the next text from `from` with `tag`; nullopt when `stop` ended the wait
  /// (the caller decides whether that makes the peer missing).
  virtual Expected<std::optional<std::string>> receive_text(int from, int tag, const CommStop& stop) = 0;

  /// A communicator over `ranks` (ranks of this one, ascending, including this rank's).
  /// Only the listed ranks take part, so a missing node cannot block it.
  virtual Expected<std::unique_ptr<Communicator>> group(const std::vector<int>& ranks) = 0;

  /// Waits until every rank has arrived.
  virtual Expected<void> barrier(const CommStop& stop) = 0;

  // ---- measurement kernels (probes/interconnect/): timed inner loops -----------------
  // Each returns the elapsed seconds of its timed iterations on this rank, measured
  // with the transport's own clock around the loop only (warm-up excluded). Buffers
  // belong to the caller, which fills and checks them.

  /// osu_latency: `iterations` round trips of `buffer` with `peer` after `warmup`;
  /// the initiator sends first. Latency = seconds / (2 * iterations).
  virtual Expected<double> ping_pong(int peer, PeerRole role, std::span<std::byte> buffer, int warmup,
                                     int iterations, const CommStop& stop) = 0;

  /// osu_bw: per iteration the initiator posts one non-blocking send of each window
  /// buffer to `peer`, which posts matching receives; both wait for all, then the
  /// responder returns a 4-byte acknowledgement. `windows` holds the window's buffers
  /// (the initiator's are sent, the responder's filled). Bandwidth = iterations *
  /// window * bytes / seconds, on the initiator.
  virtual Expected<double> stream_window(int peer, PeerRole role, std::span<const std::span<std::byte>> windows,
                                         int warmup, int iterations, const CommStop& stop) = 0;

  /// osu_bibw: both sides post receives into `receive` and sends from `send` (one
  /// buffer per window slot) at once and wait for all of them.
  virtual Expected<double> exchange_window(int peer, std::span<const std::span<std::byte>> send,
                                           std::span<const std::span<std::byte>> receive, int warmup,
                                           int iterations, const CommStop& stop) = 0;

  /// One collective over all ranks on 32-bit floats (sum for the reductions), as
  /// nccl-tests counts them: `send` and `receive` hold what MPI needs for `kind`
  /// (allgather: send = count/size elements, receive = count; reduce_scatter: send =
  /// count, receive = count/size; alltoall: both count, size equal blocks; allreduce:
  /// both count; broadcast from rank `root`: receive is both). Returns the seconds of
  /// `iterations` back-to-back calls after `warmup`; the last call's output is left in
  /// `receive` for checking.
  virtual Expected<double> collective(Collective kind, std::span<const float> send, std::span<float> receive,
                                      int root, int warmup, int iterations, const CommStop& stop) = 0;

  /// Largest of `value` over all ranks (to report a collective's time as its slowest
  /// rank saw it); also used to agree on a failure count.
  virtual Expected<double> max_over_ranks(double value, const CommStop& stop) = 0;
  /// Sum of `value` over all ranks (a storage phase's bytes or operations on all nodes).
  virtual Expected<double> sum_over_ranks(double value, const CommStop& stop) = 0;
};

/// A world of one: this process alone. Control messages to itself are an internal
/// error; the kernels need a peer and refuse.
std::unique_ptr<Communicator> single_process_world();

/// How this process was launched, read from the launcher's environment.
struct LaunchInfo {
  bool under_launcher = false;  ///< mpirun/mpiexec/srun started several ranks
  std::string launcher;         ///< "Open MPI mpirun", "Slurm srun", "PMI", "PMIx"
  int expected_size = 1;        ///< ranks the launcher says it started, when it says
};

/// Reads the launcher's environment variables (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
/// PMIX_RANK, SLURM_NTASKS...). `getenv` is a parameter so tests can feed it.
LaunchInfo detect_launch(const char* (*getenv)(const char*));

/// Whether this build has the MPI communicator.
bool mpi_built_in();

/// Starts MPI when the process was started by an MPI launcher and returns its world;
/// returns a single-process world otherwise (nothing MPI-related happens then). A
/// launcher in the environment of a build without MPI, or an MPI world that does not
/// match the launcher's (srun without --mpi=pmix), is an environment error saying so.
Expected<std::unique_ptr<Communicator>> open_world(const LaunchInfo& launch);

/// How a process leaves the MPI world.
enum class WorldEnd {
  finalize,  ///< every rank is answering: MPI_Finalize
  abort,     ///< rank 0 with a node missing: MPI_Abort, so the launcher ends the job even
             ///< if the missing rank hangs (MPI_Finalize would wait for it forever)
  leave,     ///< a worker told a node is missing: exit without MPI_Finalize, which
             ///< would wait for the dead rank, and without aborting the others
};

/// Ends MPI, if open_world() started it.
void close_world(WorldEnd how, int exit_code);

}  // namespace assay
