// The timed loops of the interconnect probes, shaped like the OSU micro-benchmarks
// (osu_latency, osu_bw, osu_bibw) and nccl-tests' timing of collectives. Every wait
// polls MPI_Test/MPI_Testall instead of blocking in MPI_Wait, so a peer that died is an
// error at the stop's deadline, not a hang; the stop is looked at only every
// `polls_per_stop_check` polls, which keeps the loop as tight as MPI_Wait's own spin
// (Open MPI's MPI_Wait is itself a loop around the progress engine).
#include <fmt/format.h>

#include <array>
#include <climits>
#include <cstddef>
#include <vector>

#include "probes/common/mpi/mpi_communicator.h"

namespace assay {
namespace {

// A steady_clock read costs ~20 ns, one poll of a shared-memory transport ~50 ns: a
// check every 1024 polls is invisible in the timings and still notices a stop within
// a millisecond.
constexpr unsigned polls_per_stop_check = 1024;

enum class WaitEnd { done, stopped, failed };

struct WaitOutcome {
  WaitEnd end = WaitEnd::done;
  int code = MPI_SUCCESS;  ///< the failing call's code when `end` is failed
};

inline WaitOutcome poll_until_done(MPI_Request* requests, int count, const CommStop& stop) {
  int done = 0;
  for (unsigned polls = 1;; ++polls) {
    const int code = count == 1 ? MPI_Test(requests, &done, MPI_STATUS_IGNORE)
                                : MPI_Testall(count, requests, &done, MPI_STATUSES_IGNORE);
    if (code != MPI_SUCCESS) return {WaitEnd::failed, code};
    if (done) return {};
    if (polls % polls_per_stop_check == 0 && (stop.cancelled() || stop.expired())) {
      return {WaitEnd::stopped, MPI_SUCCESS};
    }
  }
}

// The error for a wait that did not end well. Requests stay pending, so the
// communicator is marked `poisoned`: neither reused nor freed (see communicator.h);
// the caller decides what the buffers become.
Error wait_error(const WaitOutcome& outcome, const CommStop& stop, std::string_view kernel,
                 std::string_view peer_text, bool& poisoned) {
  poisoned = true;
  if (outcome.end == WaitEnd::failed) {
    Error error = MpiCommunicator::mpi_error(outcome.code, "MPI_Test");
    error.message = fmt::format("{} with {}: {}", kernel, peer_text, error.message);
    return error;
  }
  if (stop.cancelled()) return environment_error(fmt::format("{} with {}: cancelled", kernel, peer_text));
  return environment_error(fmt::format("{} with {}: no answer before the deadline", kernel, peer_text));
}

// A call that failed may leave earlier requests of the loop pending: as wait_error.
Error call_error(int code, std::string_view call, std::string_view kernel, std::string_view peer_text,
                 bool& poisoned) {
  poisoned = true;
  Error error = MpiCommunicator::mpi_error(code, call);
  error.message = fmt::format("{} with {}: {}", kernel, peer_text, error.message);
  return error;
}

// MPI counts are ints; a buffer the probes allowed never exceeds one.
bool fits_count(std::size_t elements) { return elements <= static_cast<std::size_t>(INT_MAX); }

}  // namespace

Expected<double> MpiCommunicator::ping_pong(int peer, PeerRole role, std::span<std::byte> buffer, int warmup,
                                            int iterations, const CommStop& stop) {
  if (poisoned_) return internal_error("ping_pong: this communicator gave up on a peer earlier");
  if (peer == rank_ || peer < 0 || peer >= size()) {
    return internal_error(fmt::format("ping_pong: peer {} is not another rank of {}", peer, size()));
  }
  if (!fits_count(buffer.size()) || warmup < 0 || iterations < 1) {
    return internal_error(fmt::format("ping_pong: {} B, warmup {}, iterations {}", buffer.size(), warmup,
                                      iterations));
  }
  const std::string peer_text = fmt::format("rank {}", world_rank_of(peer));
  const int bytes = static_cast<int>(buffer.size());
  void* data = buffer.data();
  const bool initiator = role == PeerRole::initiator;
  double start = 0;
  MPI_Request send_request = MPI_REQUEST_NULL;
  // The receive is one persistent request started each round trip: Open MPI's blocking
  // MPI_Recv reuses a cached request too, while MPI_Irecv would take one from a free
  // list and return it every time (measured: 2-5% of an 8-byte round trip).
  MPI_Request receive_request = MPI_REQUEST_NULL;
  if (const int code = MPI_Recv_init(data, bytes, MPI_BYTE, peer, mpi_tag::ping, comm_, &receive_request);
      code != MPI_SUCCESS) {
    return call_error(code, "MPI_Recv_init", "ping_pong", peer_text, poisoned_);
  }
  // As osu_latency: the initiator sends and waits for the echo, the responder echoes;
  // the clock starts after `warmup` round trips and stops after the last one.
  for (int i = 0; i < warmup + iterations; ++i) {
    if (i == warmup) start = MPI_Wtime();
    for (int leg = 0; leg < 2; ++leg) {
      const bool sending = (leg == 0) == initiator;
      const int code = sending ? MPI_Isend(data, bytes, MPI_BYTE, peer, mpi_tag::ping, comm_, &send_request)
                               : MPI_Start(&receive_request);
      if (code != MPI_SUCCESS) {
        return call_error(code, sending ? "MPI_Isend" : "MPI_Start", "ping_pong", peer_text, poisoned_);
      }
      MPI_Request* request = sending ? &send_request : &receive_request;
      if (const WaitOutcome outcome = poll_until_done(request, 1, stop); outcome.end != WaitEnd::done) {
        return wait_error(outcome, stop, "ping_pong", peer_text, poisoned_);
      }
    }
  }
  const double elapsed = MPI_Wtime() - start;
  // Inactive now, so freeing it is immediate.
  if (const int code = MPI_Request_free(&receive_request); code != MPI_SUCCESS) {
    return call_error(code, "MPI_Request_free", "ping_pong", peer_text, poisoned_);
  }
  return elapsed;
}

Expected<double> MpiCommunicator::stream_window(int peer, PeerRole role,
                                                std::span<const std::span<std::byte>> windows, int warmup,
                                                int iterations, const CommStop& stop) {
  if (poisoned_) return internal_error("stream_window: this communicator gave up on a peer earlier");
  if (peer == rank_ || peer < 0 || peer >= size()) {
    return internal_error(fmt::format("stream_window: peer {} is not another rank of {}", peer, size()));
  }
  if (windows.empty() || windows.size() > static_cast<std::size_t>(INT_MAX) || warmup < 0 || iterations < 1) {
    return internal_error(fmt::format("stream_window: window {}, warmup {}, iterations {}", windows.size(),
                                      warmup, iterations));
  }
  for (const std::span<std::byte>& slot : windows) {
    if (!fits_count(slot.size())) {
      return internal_error(fmt::format("stream_window: a slot of {} B is beyond an MPI count", slot.size()));
    }
  }
  const std::string peer_text = fmt::format("rank {}", world_rank_of(peer));
  const int window = static_cast<int>(windows.size());
  const bool initiator = role == PeerRole::initiator;
  std::vector<MPI_Request> requests(windows.size(), MPI_REQUEST_NULL);
  std::array<std::byte, 4> ack{};
  MPI_Request ack_request = MPI_REQUEST_NULL;
  double start = 0;
  // As osu_bw: the initiator posts the whole window of sends, the responder the
  // matching receives; after both waited for all of them, the responder's 4-byte
  // acknowledgement tells the initiator the window has landed.
  for (int i = 0; i < warmup + iterations; ++i) {
    if (i == warmup) start = MPI_Wtime();
    for (int j = 0; j < window; ++j) {
      const std::span<std::byte>& slot = windows[static_cast<std::size_t>(j)];
      const int bytes = static_cast<int>(slot.size());
      const int code =
          initiator ? MPI_Isend(slot.data(), bytes, MPI_BYTE, peer, mpi_tag::stream, comm_, &requests[j])
                    : MPI_Irecv(slot.data(), bytes, MPI_BYTE, peer, mpi_tag::stream, comm_, &requests[j]);
      if (code != MPI_SUCCESS) {
        return call_error(code, initiator ? "MPI_Isend" : "MPI_Irecv", "stream_window", peer_text, poisoned_);
      }
    }
    if (const WaitOutcome outcome = poll_until_done(requests.data(), window, stop); outcome.end != WaitEnd::done) {
      return wait_error(outcome, stop, "stream_window", peer_text, poisoned_);
    }
    const int code = initiator
                         ? MPI_Irecv(ack.data(), 4, MPI_BYTE, peer, mpi_tag::ack, comm_, &ack_request)
                         : MPI_Isend(ack.data(), 4, MPI_BYTE, peer, mpi_tag::ack, comm_, &ack_request);
    if (code != MPI_SUCCESS) {
      return call_error(code, initiator ? "MPI_Irecv" : "MPI_Isend", "stream_window", peer_text, poisoned_);
    }
    if (const WaitOutcome outcome = poll_until_done(&ack_request, 1, stop); outcome.end != WaitEnd::done) {
      return wait_error(outcome, stop, "stream_window", peer_text, poisoned_);
    }
  }
  return MPI_Wtime() - start;
}

Expected<double> MpiCommunicator::exchange_window(int peer, std::span<const std::span<std::byte>> send,
                                                  std::span<const std::span<std::byte>> receive, int warmup,
                                                  int iterations, const CommStop& stop) {
  if (poisoned_) return internal_error("exchange_window: this communicator gave up on a peer earlier");
  if (peer == rank_ || peer < 0 || peer >= size()) {
    return internal_error(fmt::format("exchange_window: peer {} is not another rank of {}", peer, size()));
  }
  if (send.empty() || send.size() != receive.size() || send.size() > static_cast<std::size_t>(INT_MAX / 2) ||
      warmup < 0 || iterations < 1) {
    return internal_error(fmt::format("exchange_window: {} send and {} receive slots, warmup {}, iterations {}",
                                      send.size(), receive.size(), warmup, iterations));
  }
  for (std::size_t j = 0; j < send.size(); ++j) {
    if (!fits_count(send[j].size()) || !fits_count(receive[j].size())) {
      return internal_error("exchange_window: a slot is beyond an MPI count");
    }
  }
  const std::string peer_text = fmt::format("rank {}", world_rank_of(peer));
  const int window = static_cast<int>(send.size());
  std::vector<MPI_Request> requests(2 * send.size(), MPI_REQUEST_NULL);
  double start = 0;
  // As osu_bibw: both sides post a window of receives, then a window of sends, and wait
  // for all of them.
  for (int i = 0; i < warmup + iterations; ++i) {
    if (i == warmup) start = MPI_Wtime();
    for (int j = 0; j < window; ++j) {
      const std::span<std::byte>& slot = receive[static_cast<std::size_t>(j)];
      if (const int code = MPI_Irecv(slot.data(), static_cast<int>(slot.size()), MPI_BYTE, peer,
                                     mpi_tag::stream, comm_, &requests[j]);
          code != MPI_SUCCESS) {
        return call_error(code, "MPI_Irecv", "exchange_window", peer_text, poisoned_);
      }
    }
    for (int j = 0; j < window; ++j) {
      const std::span<std::byte>& slot = send[static_cast<std::size_t>(j)];
      if (const int code = MPI_Isend(slot.data(), static_cast<int>(slot.size()), MPI_BYTE, peer,
                                     mpi_tag::stream, comm_, &requests[window + j]);
          code != MPI_SUCCESS) {
        return call_error(code, "MPI_Isend", "exchange_window", peer_text, poisoned_);
      }
    }
    if (const WaitOutcome outcome = poll_until_done(requests.data(), 2 * window, stop);
        outcome.end != WaitEnd::done) {
      return wait_error(outcome, stop, "exchange_window", peer_text, poisoned_);
    }
  }
  return MPI_Wtime() - start;
}

namespace {

// Starts one nonblocking collective; the buffers were checked against `kind`'s layout.
int start_collective(Collective kind, std::span<const float> send, std::span<float> receive, int root,
                     int ranks, MPI_Comm comm, MPI_Request* request) {
  const int n = ranks;
  switch (kind) {
    case Collective::allreduce:
      return MPI_Iallreduce(send.data(), receive.data(), static_cast<int>(receive.size()), MPI_FLOAT, MPI_SUM,
                            comm, request);
    case Collective::allgather:
      return MPI_Iallgather(send.data(), static_cast<int>(send.size()), MPI_FLOAT, receive.data(),
                            static_cast<int>(send.size()), MPI_FLOAT, comm, request);
    case Collective::reduce_scatter:
      return MPI_Ireduce_scatter_block(send.data(), receive.data(), static_cast<int>(receive.size()), MPI_FLOAT,
                                       MPI_SUM, comm, request);
    case Collective::alltoall: {
      const int block = static_cast<int>(send.size() / static_cast<std::size_t>(n));
      return MPI_Ialltoall(send.data(), block, MPI_FLOAT, receive.data(), block, MPI_FLOAT, comm, request);
    }
    case Collective::broadcast:
      return MPI_Ibcast(receive.data(), static_cast<int>(receive.size()), MPI_FLOAT, root, comm, request);
  }
  return MPI_ERR_OTHER;
}

std::string_view collective_call(Collective kind) {
  switch (kind) {
    case Collective::allreduce: return "MPI_Iallreduce";
    case Collective::allgather: return "MPI_Iallgather";
    case Collective::reduce_scatter: return "MPI_Ireduce_scatter_block";
    case Collective::alltoall: return "MPI_Ialltoall";
    case Collective::broadcast: return "MPI_Ibcast";
  }
  return "MPI collective";
}

// Whether the buffers have the shape `kind` needs over `ranks` (communicator.h).
bool layout_fits(Collective kind, std::size_t send, std::size_t receive, int ranks) {
  const auto n = static_cast<std::size_t>(ranks);
  if (!fits_count(send) || !fits_count(receive) || receive == 0) return false;
  switch (kind) {
    case Collective::allreduce: return send == receive;
    case Collective::allgather: return send * n == receive;
    case Collective::reduce_scatter: return receive * n == send;
    case Collective::alltoall: return send == receive && send % n == 0;
    case Collective::broadcast: return true;
  }
  return false;
}

}  // namespace

Expected<double> MpiCommunicator::collective(Collective kind, std::span<const float> send,
                                             std::span<float> receive, int root, int warmup, int iterations,
                                             const CommStop& stop) {
  const std::string_view call = collective_call(kind);
  const std::string peer_text = fmt::format("{} ranks", size());
  if (poisoned_) return internal_error(fmt::format("{}: this communicator gave up on a peer earlier", call));
  if (!layout_fits(kind, send.size(), receive.size(), size()) || root < 0 || root >= size() || warmup < 0 ||
      iterations < 1) {
    return internal_error(fmt::format("{}: {} send and {} receive elements over {} ranks (root {}), warmup {}, "
                                      "iterations {}",
                                      call, send.size(), receive.size(), size(), root, warmup, iterations));
  }
  MPI_Request request = MPI_REQUEST_NULL;
  const auto run = [&](int calls) -> Expected<void> {
    for (int i = 0; i < calls; ++i) {
      if (const int code = start_collective(kind, send, receive, root, size(), comm_, &request);
          code != MPI_SUCCESS) {
        return call_error(code, call, call, peer_text, poisoned_);
      }
      if (const WaitOutcome outcome = poll_until_done(&request, 1, stop); outcome.end != WaitEnd::done) {
        return wait_error(outcome, stop, call, peer_text, poisoned_);
      }
    }
    return {};
  };
  if (auto warmed = run(warmup); !warmed) return warmed.error();
  // Start the clock together: without it a rank that left the warm-up early would
  // count its wait for the others as collective time.
  if (const int code = MPI_Ibarrier(comm_, &request); code != MPI_SUCCESS) {
    return call_error(code, "MPI_Ibarrier", call, peer_text, poisoned_);
  }
  if (const WaitOutcome outcome = poll_until_done(&request, 1, stop); outcome.end != WaitEnd::done) {
    return wait_error(outcome, stop, call, peer_text, poisoned_);
  }
  const double start = MPI_Wtime();
  if (auto timed = run(iterations); !timed) return timed.error();
  return MPI_Wtime() - start;
}

}  // namespace assay
