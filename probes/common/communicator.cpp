#include "probes/common/communicator.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace assay {

std::string_view collective_name(Collective c) {
  switch (c) {
    case Collective::allreduce: return "allreduce";
    case Collective::allgather: return "allgather";
    case Collective::reduce_scatter: return "reduce_scatter";
    case Collective::alltoall: return "alltoall";
    case Collective::broadcast: return "broadcast";
  }
  return "unknown";
}

namespace {

// A world of one. The engine never sends to itself, and the kernels need a peer, so
// every call that would involve another rank is an internal error.
class SingleProcessWorld final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int world_rank_of(int r) const override { return r; }
  std::string transport() const override { return "single process"; }

  Expected<void> send_text(int to, int, std::string_view, const CommStop&) override { return no_peer(to); }
  Expected<std::optional<std::string>> receive_text(int from, int, const CommStop&) override {
    return no_peer(from);
  }
  Expected<std::unique_ptr<Communicator>> group(const std::vector<int>& ranks) override {
    if (ranks != std::vector<int>{0}) return internal_error("single-process world: a group must be {0}");
    return std::unique_ptr<Communicator>(new SingleProcessWorld());
  }
  Expected<void> barrier(const CommStop&) override { return {}; }
  Expected<double> ping_pong(int peer, PeerRole, std::span<std::byte>, int, int, const CommStop&) override {
    return no_peer(peer);
  }
  Expected<double> stream_window(int peer, PeerRole, std::span<const std::span<std::byte>>, int, int,
                                 const CommStop&) override {
    return no_peer(peer);
  }
  Expected<double> exchange_window(int peer, std::span<const std::span<std::byte>>,
                                   std::span<const std::span<std::byte>>, int, int, const CommStop&) override {
    return no_peer(peer);
  }
  Expected<double> collective(Collective kind, std::span<const float>, std::span<float>, int, int, int,
                              const CommStop&) override {
    return internal_error(fmt::format("single-process world: {} needs two or more ranks", collective_name(kind)));
  }
  Expected<double> max_over_ranks(double value, const CommStop&) override { return value; }
  Expected<double> sum_over_ranks(double value, const CommStop&) override { return value; }

 private:
  static Error no_peer(int rank) {
    return internal_error(fmt::format("single-process world: there is no rank {} to talk to", rank));
  }
};

std::optional<int> env_int(const char* (*getenv)(const char*), const char* name) {
  const char* text = getenv(name);
  if (!text || !*text) return std::nullopt;
  int value = 0;
  const char* end = text + std::char_traits<char>::length(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::unique_ptr<Communicator> single_process_world() { return std::make_unique<SingleProcessWorld>(); }

LaunchInfo detect_launch(const char* (*getenv)(const char*)) {
  LaunchInfo info;
  // Checked in order of how specific they are: Open MPI's own variables, then the
  // process-management interfaces that MPICH, Intel MPI and Slurm's srun set.
  struct Source {
    const char* size_variable;
    const char* launcher;
  };
  static constexpr Source sources[] = {
      {"OMPI_COMM_WORLD_SIZE", "Open MPI mpirun"},
      {"PMI_SIZE", "PMI (MPICH or Intel MPI mpiexec, or srun --mpi=pmi2)"},
      {"SLURM_STEP_NUM_TASKS", "Slurm srun"},
  };
  for (const auto& source : sources) {
    if (auto size = env_int(getenv, source.size_variable)) {
      info.under_launcher = true;
      info.launcher = source.launcher;
      info.expected_size = *size;
      return info;
    }
  }
  // PMIx (Open MPI 5's prterun, srun --mpi=pmix) names the rank, not always the size.
  if (getenv("PMIX_RANK")) {
    info.under_launcher = true;
    info.launcher = "PMIx";
    info.expected_size = 0;  // unknown
  }
  return info;
}

}  // namespace assay
