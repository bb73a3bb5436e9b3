#pragma once
// The MPI implementation of Communicator: the one place assay includes <mpi.h>
// (compiled only when CMake finds MPI). mpi_world.cpp starts and ends MPI and carries
// the control plane; mpi_kernels.cpp holds the timed point-to-point and collective
// loops of the interconnect probes.

#include <mpi.h>

#include <chrono>
#include <string>
#include <vector>

#include "probes/common/communicator.h"

namespace assay {

class MpiCommunicator final : public Communicator {
 public:
  /// Takes ownership of `comm` unless it is MPI_COMM_WORLD. `world_ranks[r]` is the
  /// world rank of rank r of `comm`.
  MpiCommunicator(MPI_Comm comm, std::vector<int> world_ranks);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(world_ranks_.size()); }
  int world_rank_of(int r) const override { return world_ranks_.at(static_cast<std::size_t>(r)); }
  std::string transport() const override;

  Expected<void> send_text(int to, int tag, std::string_view text, const CommStop& stop) override;
  Expected<std::optional<std::string>> receive_text(int from, int tag, const CommStop& stop) override;
  Expected<std::unique_ptr<Communicator>> group(const std::vector<int>& ranks) override;
  Expected<void> barrier(const CommStop& stop) override;

  Expected<double> ping_pong(int peer, PeerRole role, std::span<std::byte> buffer, int warmup, int iterations,
                             const CommStop& stop) override;
  Expected<double> stream_window(int peer, PeerRole role, std::span<const std::span<std::byte>> windows,
                                 int warmup, int iterations, const CommStop& stop) override;
  Expected<double> exchange_window(int peer, std::span<const std::span<std::byte>> send,
                                   std::span<const std::span<std::byte>> receive, int warmup, int iterations,
                                   const CommStop& stop) override;
  Expected<double> collective(Collective kind, std::span<const float> send, std::span<float> receive, int root,
                              int warmup, int iterations, const CommStop& stop) override;
  Expected<double> max_over_ranks(double value, const CommStop& stop) override;
  Expected<double> sum_over_ranks(double value, const CommStop& stop) override;

  MPI_Comm comm() const { return comm_; }

  /// Waits for `requests` by polling MPI_Testall, checking `stop` between polls. On
  /// expiry or cancel, returns an error naming `what` and `peer_text` (e.g. "rank 3");
  /// the requests are then left pending and this communicator must not be reused.
  /// `pause` > 0 sleeps between polls: for control messages, where a waiting rank
  /// must not take a core from the probe another rank on the same host is running.
  Expected<void> wait_all(std::span<MPI_Request> requests, const CommStop& stop, std::string_view what,
                          std::string_view peer_text, std::chrono::microseconds pause = {}) const;
  /// An Error for an MPI return code other than MPI_SUCCESS, naming the call.
  static Error mpi_error(int code, std::string_view call);

 private:
  Expected<double> reduce_over_ranks(double value, bool sum, const CommStop& stop);

  MPI_Comm comm_;
  std::vector<int> world_ranks_;
  int rank_ = 0;
  // Set when a wait gave up with requests still pending: then the communicator is
  // neither reused nor freed.
  mutable bool poisoned_ = false;
};

/// Tags of the kernels (the control plane's tags are the engine's, below 1000).
namespace mpi_tag {
inline constexpr int ping = 1001;
inline constexpr int stream = 1002;
inline constexpr int ack = 1003;
}  // namespace mpi_tag

}  // namespace assay
