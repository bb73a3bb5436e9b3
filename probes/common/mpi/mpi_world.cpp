// Starting and ending MPI, and the control plane of MpiCommunicator: texts between
// ranks, groups, barrier and max. Every wait polls, so a rank that died or hangs is an
// error at the caller's deadline, never a hang.
#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "probes/common/mpi/mpi_communicator.h"

namespace assay {
namespace {

bool mpi_started_here = false;

int rank_in(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

std::string rank_text(const MpiCommunicator& c, int r) { return fmt::format("rank {}", c.world_rank_of(r)); }

}  // namespace

bool mpi_built_in() { return true; }

MpiCommunicator::MpiCommunicator(MPI_Comm comm, std::vector<int> world_ranks)
    : comm_(comm), world_ranks_(std::move(world_ranks)), rank_(rank_in(comm)) {}

MpiCommunicator::~MpiCommunicator() {
  // A communicator left with pending requests (a peer vanished) cannot be freed
  // safely; leaking it is harmless, the process is about to move on or end.
  if (comm_ != MPI_COMM_WORLD && comm_ != MPI_COMM_NULL && !poisoned_) MPI_Comm_free(&comm_);
}

std::string MpiCommunicator::transport() const {
  char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(version, &length);
  std::string text(version, static_cast<std::size_t>(std::max(length, 0)));
  // The first line names the library and version; the rest is build detail.
  text = text.substr(0, text.find_first_of("\n,"));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
  return text;
}

Error MpiCommunicator::mpi_error(int code, std::string_view call) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  return environment_error(fmt::format("{} failed: {}", call, std::string_view(text, static_cast<std::size_t>(length))));
}

Expected<void> MpiCommunicator::wait_all(std::span<MPI_Request> requests, const CommStop& stop,
                                         std::string_view what, std::string_view peer_text,
                                         std::chrono::microseconds pause) const {
  // Checking the clock costs more than a poll; look at it every few thousand polls
  // (every poll when pausing between them).
  const unsigned check_every = pause.count() > 0 ? 1 : 4096;
  for (unsigned polls = 0;; ++polls) {
    int done = 0;
    const int rc = MPI_Testall(static_cast<int>(requests.size()), requests.data(), &done, MPI_STATUSES_IGNORE);
    if (rc != MPI_SUCCESS) return mpi_error(rc, fmt::format("{} with {}", what, peer_text));
    if (done) return {};
    if (polls % check_every == 0) {
      if (stop.cancelled() || stop.expired()) {
        poisoned_ = true;
        if (stop.cancelled()) return environment_error(fmt::format("{} with {}: cancelled", what, peer_text));
        return environment_error(fmt::format("{}: no answer from {} before the deadline", what, peer_text));
      }
      if (pause.count() > 0) std::this_thread::sleep_for(pause);
    }
  }
}

Expected<void> MpiCommunicator::send_text(int to, int tag, std::string_view text, const CommStop& stop) {
  MPI_Request request = MPI_REQUEST_NULL;
  const int rc = MPI_Isend(text.data(), static_cast<int>(text.size()), MPI_CHAR, to, tag, comm_, &request);
  if (rc != MPI_SUCCESS) return mpi_error(rc, fmt::format("sending to {}", rank_text(*this, to)));
  return wait_all({&request, 1}, stop, "sending", rank_text(*this, to), std::chrono::microseconds(500));
}

Expected<std::optional<std::string>> MpiCommunicator::receive_text(int from, int tag, const CommStop& stop) {
  MPI_Status status;
  for (;;) {
    int arrived = 0;
    const int rc = MPI_Iprobe(from, tag, comm_, &arrived, &status);
    if (rc != MPI_SUCCESS) return mpi_error(rc, fmt::format("waiting for {}", rank_text(*this, from)));
    if (arrived) break;
    if (stop.cancelled() || stop.expired()) return std::optional<std::string>();
    // Control messages are rare and not timed: a waiting rank sleeps rather than
    // taking the core a probe on the same host needs.
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string text(static_cast<std::size_t>(count), '\0');
  const int rc = MPI_Recv(text.data(), count, MPI_CHAR, from, tag, comm_, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS) return mpi_error(rc, fmt::format("receiving from {}", rank_text(*this, from)));
  return std::optional<std::string>(std::move(text));
}

Expected<std::unique_ptr<Communicator>> MpiCommunicator::group(const std::vector<int>& ranks) {
  if (ranks.empty() || !std::is_sorted(ranks.begin(), ranks.end()) ||
      std::find(ranks.begin(), ranks.end(), rank_) == ranks.end()) {
    return internal_error("MPI group: the ranks must be ascending and include this rank");
  }
  MPI_Group all = MPI_GROUP_NULL, members = MPI_GROUP_NULL;
  MPI_Comm_group(comm_, &all);
  MPI_Group_incl(all, static_cast<int>(ranks.size()), ranks.data(), &members);
  MPI_Comm sub = MPI_COMM_NULL;
  // Collective over the members only: a missing rank outside the list cannot block it.
  const int rc = MPI_Comm_create_group(comm_, members, /*tag=*/999, &sub);
  MPI_Group_free(&members);
  MPI_Group_free(&all);
  if (rc != MPI_SUCCESS) return mpi_error(rc, "MPI_Comm_create_group");
  MPI_Comm_set_errhandler(sub, MPI_ERRORS_RETURN);
  std::vector<int> world;
  world.reserve(ranks.size());
  for (int r : ranks) world.push_back(world_rank_of(r));
  return std::unique_ptr<Communicator>(std::make_unique<MpiCommunicator>(sub, std::move(world)));
}

Expected<void> MpiCommunicator::barrier(const CommStop& stop) {
  MPI_Request request = MPI_REQUEST_NULL;
  const int rc = MPI_Ibarrier(comm_, &request);
  if (rc != MPI_SUCCESS) return mpi_error(rc, "MPI_Ibarrier");
  return wait_all({&request, 1}, stop, "barrier", "every rank");
}

Expected<double> MpiCommunicator::reduce_over_ranks(double value, bool sum, const CommStop& stop) {
  double result = value;
  MPI_Request request = MPI_REQUEST_NULL;
  const int rc = MPI_Iallreduce(&value, &result, 1, MPI_DOUBLE, sum ? MPI_SUM : MPI_MAX, comm_, &request);
  if (rc != MPI_SUCCESS) return mpi_error(rc, sum ? "MPI_Iallreduce(sum)" : "MPI_Iallreduce(max)");
  if (auto w = wait_all({&request, 1}, stop, sum ? "summing over the ranks" : "agreeing on a maximum", "every rank");
      !w) {
    return w.error();
  }
  return result;
}

Expected<double> MpiCommunicator::max_over_ranks(double value, const CommStop& stop) {
  return reduce_over_ranks(value, false, stop);
}

Expected<double> MpiCommunicator::sum_over_ranks(double value, const CommStop& stop) {
  return reduce_over_ranks(value, true, stop);
}

Expected<std::unique_ptr<Communicator>> open_world(const LaunchInfo& launch) {
  if (!launch.under_launcher) return single_process_world();
  int provided = 0;
  // All MPI calls come from the main thread; the watchdog thread never calls MPI.
  if (const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided); rc != MPI_SUCCESS) {
    return MpiCommunicator::mpi_error(rc, fmt::format("MPI_Init_thread (started by {})", launch.launcher));
  }
  mpi_started_here = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (launch.expected_size > 0 && size != launch.expected_size) {
    return environment_error(fmt::format(
        "{} started {} ranks but MPI sees a world of {}: the launcher and this assay's MPI do not "
        "talk to each other (under Slurm use srun --mpi=pmix or pmi2, matching the MPI assay was "
        "built with)",
        launch.launcher, launch.expected_size, size));
  }
  std::vector<int> ranks(static_cast<std::size_t>(size));
  for (int r = 0; r < size; ++r) ranks[static_cast<std::size_t>(r)] = r;
  return std::unique_ptr<Communicator>(std::make_unique<MpiCommunicator>(MPI_COMM_WORLD, std::move(ranks)));
}

void close_world(WorldEnd how, int exit_code) {
  if (!mpi_started_here) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  switch (how) {
    case WorldEnd::finalize: MPI_Finalize(); break;
    case WorldEnd::abort: MPI_Abort(MPI_COMM_WORLD, exit_code); break;
    case WorldEnd::leave: break;
  }
}

}  // namespace assay
