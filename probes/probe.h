#pragma once
// The interface every probe implements. The runner (suites/) stamps node, parameters
// and times onto the result; a probe measures, validates and fills in the rest.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "core/params.h"
#include "core/result.h"
#include "probes/common/communicator.h"

namespace assay {

/// Whether a probe can run on this machine, and if not, why.
struct Availability {
  bool available = true;
  std::string reason;  ///< e.g. "no CUDA device: driver not loaded"
};

/// Availability of a probe that measures between nodes over MPI: only an MPI build has
/// them (mpi_built_in()).
inline Availability mpi_probe_availability() {
  if (!mpi_built_in()) {
    return {false, "needs an MPI build of assay (built without MPI: install libopenmpi-dev and rebuild)"};
  }
  return {};
}

/// `result` turned into an error result saying `message` (what failed and where).
inline ProbeResult error_result(ProbeResult result, std::string message) {
  result.status = ProbeStatus::error;
  result.error = std::move(message);
  return result;
}

/// A figure a probe emits, declared up front so that plans can be checked (a rated
/// figure for "memory.stream.traid" is a typo, not a wish) and `assay list` can show it.
struct MetricSpec {
  std::string key;  ///< e.g. "cpu.fma.fp64"
  Unit unit = Unit::ratio;
  Better better = Better::higher;
  std::string description;  ///< one line: what the figure is
};

/// What the runner gives a probe besides its parameters.
struct ProbeContext {
  std::string node;
  /// Progress for people ("fp64 3/5"); may be empty.
  std::function<void(std::string_view)> progress;
  /// Set when the run is being stopped (deadline, Ctrl-C); long loops poll it and end
  /// early, returning an error result that says so.
  const std::atomic<bool>* cancel = nullptr;
  /// The nodes taking part in this step of a run, for probes that need peers
  /// (interconnect): every rank of `peers` runs the same probe at the same time.
  /// nullptr or a world of one when this node runs alone.
  Communicator* peers = nullptr;
  /// Node names by rank of `peers` (host, or host#local_rank when ranks share a host).
  std::vector<std::string> peer_nodes;

  bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
  void report(std::string_view text) const {
    if (progress) progress(text);
  }
};

/// A probe: a small class plus its kernels (DESIGN.md "Layout").
class Probe {
 public:
  virtual ~Probe() = default;
  /// "family.probe", e.g. "cpu.fma".
  virtual std::string_view name() const = 0;
  /// One line for `assay list`.
  virtual std::string_view description() const = 0;
  /// The parameters it accepts with their defaults for this machine (e.g. threads =
  /// the CPUs this process may use).
  virtual std::vector<ParamSpec> params() const = 0;
  /// The metrics it can emit (some only where the hardware has them, e.g. BF16).
  virtual std::vector<MetricSpec> metrics() const = 0;
  /// Checks resolved parameters against this machine before anything runs: an
  /// instruction set the CPU lacks, matrices that do not fit in memory. A problem is a
  /// bad_input Error naming the parameter, so a bad plan or --set is refused up front
  /// (exit 2) instead of failing as a probe error mid-run.
  virtual Expected<void> check_params(const ParamList& params) const {
    (void)params;
    return {};
  }
  /// Whether it can run here.
  virtual Availability availability() const = 0;
  /// Whether it measures between nodes and so needs two or more ranks in
  /// ProbeContext::peers; the runner skips it, saying why, when it runs alone.
  virtual bool needs_peers() const { return false; }
  /// Whether it uses ProbeContext::peers when several nodes run it, though it also
  /// runs alone (storage: phases started together, aggregate figures). The runner
  /// then hands it the step's nodes too.
  virtual bool uses_peers() const { return needs_peers(); }
  /// Called instead of run() when the probe is not available on this node but runs with
  /// peers (uses_peers() and two or more ranks in ProbeContext::peers): the other nodes
  /// of the step are running it and may wait for this one. A probe whose run() exchanges
  /// messages with its peers overrides this to tell them it stands aside (so they fail
  /// at once, naming this node, instead of at their timeout); the result is SKIP with
  /// `reason` either way.
  virtual ProbeResult stand_aside(const ParamList& params, const ProbeContext& context,
                                  const std::string& reason) const {
    (void)params;
    (void)context;
    ProbeResult result;
    result.status = ProbeStatus::skipped;
    result.reason = reason;
    return result;
  }
  /// Measures with resolved `params`. Returns status ok with metrics and validation,
  /// (entries it puts in result.params, e.g. the kernel chosen, are merged into the
  /// recorded parameters),
  /// or error with a message naming what failed; may throw std::exception for
  /// internal failures, which the runner turns into an error result.
  virtual ProbeResult run(const ParamList& params, const ProbeContext& context) const = 0;
};

}  // namespace assay
