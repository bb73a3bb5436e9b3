// gpu.p2p for one ordered pair of devices, the way NVIDIA's p2pBandwidthLatencyTest
// measures (its default copy-engine mode): cudaMemcpyPeerAsync issued on the source's
// stream (the source pushes, "P2P writes"), one direction; both directions at once, each
// issued on its own source's stream; and the latency as the mean GPU time of many small
// copies queued back to back. With peer access enabled the copies go directly over
// NVLink or PCIe; without it the driver stages them through host memory, which is still
// measured and reported as such.
#include <fmt/format.h>

#include <string>

#include "probes/gpu/bandwidth_pattern.h"
#include "probes/gpu/module/hbm_kernels.h"
#include "probes/gpu/module/module_parts.h"
#include "probes/gpu/module/module_util.h"
#include "probes/gpu/module/section_timer.h"
#include "probes/gpu/module/word_check.h"

namespace assay::gpu {
namespace {

// Peer access from one device to another for the time of the measurement: enabled if
// possible, and disabled again afterwards if this probe enabled it (the process's other
// users, NCCL among them, find the state they left).
class PeerAccess {
 public:
  PeerAccess() = default;
  ~PeerAccess() {
    if (enabled_here_) {
      cudaSetDevice(device_);
      cudaDeviceDisablePeerAccess(peer_);
    }
  }
  PeerAccess(const PeerAccess&) = delete;
  PeerAccess& operator=(const PeerAccess&) = delete;

  std::string enable(int device, int peer) {
    device_ = device;
    peer_ = peer;
    int can = 0;
    if (std::string f = cuda_failure(cudaDeviceCanAccessPeer(&can, device, peer),
                                     fmt::format("cudaDeviceCanAccessPeer(gpu{}, gpu{})", device, peer), device);
        !f.empty()) {
      return f;
    }
    if (can == 0) {
      text_ = fmt::format("gpu{}->gpu{}: no peer access (cudaDeviceCanAccessPeer = 0)", device, peer);
      return {};
    }
    if (std::string f = cuda_failure(cudaSetDevice(device), "cudaSetDevice", device); !f.empty()) return f;
    const cudaError_t status = cudaDeviceEnablePeerAccess(peer, 0);
    if (status == cudaSuccess) {
      active_ = enabled_here_ = true;
      text_ = fmt::format("gpu{}->gpu{}: peer access enabled by this probe", device, peer);
    } else if (status == cudaErrorPeerAccessAlreadyEnabled) {
      (void)cudaGetLastError();  // not an error here; keep it out of later checks
      active_ = true;
      text_ = fmt::format("gpu{}->gpu{}: peer access already enabled in this process", device, peer);
    } else {
      // Possible but refused (e.g. cudaErrorTooManyPeers): measured staged, and said so.
      (void)cudaGetLastError();
      text_ = fmt::format("gpu{}->gpu{}: peer access possible but cudaDeviceEnablePeerAccess failed: {} ({})", device,
                          peer, cudaGetErrorString(status), cudaGetErrorName(status));
    }
    return {};
  }

  bool active() const { return active_; }
  const std::string& text() const { return text_; }

 private:
  int device_ = 0, peer_ = 0;
  bool active_ = false, enabled_here_ = false;
  std::string text_;
};

// One side of the pair: its stream, buffers and checker.
struct Side {
  int device = 0;
  WordGrids grids;
  TimedStream stream;
  DeviceBuffer source, destination;  // what it sends, what it receives
  WordChecker checker;
  JoinEvent done;
};

struct P2pState {
  std::uint64_t bytes = 0, words = 0;
  PeerAccess forward, backward;  // source->destination, destination->source; destroyed after the buffers
  Side from, to;
  SectionTimer timer;  // on the source's device
};

std::string prepare_side(Side& side, int device, std::uint64_t bytes, bool receives, bool sends, std::uint64_t salt) {
  side.device = device;
  if (std::string f = use_device_with_grids(device, side.grids); !f.empty()) return f;
  if (std::string f = side.stream.create(device); !f.empty()) return f;
  if (std::string f = side.done.create(device); !f.empty()) return f;
  if (std::string f = side.checker.create(device, side.grids.check); !f.empty()) return f;
  if (receives) {
    if (std::string f = side.destination.allocate(device, bytes); !f.empty()) return f;
  }
  if (sends) {
    if (std::string f = side.source.allocate(device, bytes); !f.empty()) return f;
    if (std::string f = cuda_failure(launch_write(side.source.get(), bytes / 8, salt, side.grids.write, side.stream.stream()),
                                     "launching the write kernel (fill)", device);
        !f.empty()) {
      return f;
    }
  }
  return {};
}

// Writes the poison over the first `words` words of a side's destination, and waits.
std::string poison(Side& side, std::uint64_t words) {
  if (std::string f = cuda_failure(cudaSetDevice(side.device), "cudaSetDevice", side.device); !f.empty()) return f;
  if (std::string f = cuda_failure(launch_write(side.destination.get(), words, kPoisonSalt, side.grids.write,
                                                side.stream.stream()),
                                   "launching the write kernel (poison)", side.device);
      !f.empty()) {
    return f;
  }
  return cuda_failure(cudaStreamSynchronize(side.stream.stream()), "cudaStreamSynchronize", side.device);
}

std::string copy(const Side& sender, Side& receiver, std::uint64_t bytes, cudaStream_t stream) {
  return cuda_failure(
      cudaMemcpyPeerAsync(receiver.destination.get(), receiver.device, sender.source.get(), sender.device, bytes, stream),
      fmt::format("cudaMemcpyPeerAsync(gpu{} -> gpu{}, {})", sender.device, receiver.device, bytes_text(bytes)),
      sender.device);
}

std::string check(Side& receiver, std::uint64_t words, std::uint64_t salt, std::string what, std::string& failure) {
  if (std::string f = cuda_failure(cudaSetDevice(receiver.device), "cudaSetDevice", receiver.device); !f.empty()) return f;
  return receiver.checker.check(receiver.destination.get(), words, salt, receiver.stream.stream(), what, failure);
}

std::string run_round(P2pState& s, const P2pRequest& request, int round, bool timed, P2pOutcome& out) {
  Side &from = s.from, &to = s.to;
  const cudaStream_t from_stream = from.stream.stream(), to_stream = to.stream.stream();
  const std::string pair = fmt::format("gpu{}->gpu{}", from.device, to.device);
  double seconds = 0;

  if (std::string f = poison(to, s.words); !f.empty()) return f;
  if (std::string f = s.timer.time(from_stream, 1, [&] { return copy(from, to, s.bytes, from_stream); }, seconds);
      !f.empty()) {
    return f;
  }
  if (timed) out.unidirectional_seconds.push_back(seconds);
  if (std::string f = check(to, s.words, kSourceSalt, fmt::format("{} copy, round {}", pair, round), out.check_failure);
      !f.empty()) {
    return f;
  }

  if (request.bidirectional) {
    if (std::string f = poison(to, s.words); !f.empty()) return f;
    if (std::string f = poison(from, s.words); !f.empty()) return f;
    const auto both = [&]() -> std::string {
      // The destination's stream joins at the start event (an event of another device,
      // which cudaStreamWaitEvent allows) and is joined back before the stop event.
      if (std::string f = cuda_failure(cudaSetDevice(to.device), "cudaSetDevice", to.device); !f.empty()) return f;
      if (std::string f = cuda_failure(cudaStreamWaitEvent(to_stream, s.timer.start_event(), 0), "cudaStreamWaitEvent",
                                       to.device);
          !f.empty()) {
        return f;
      }
      if (std::string f = copy(to, from, s.bytes, to_stream); !f.empty()) return f;
      if (std::string f = cuda_failure(cudaEventRecord(to.done.get(), to_stream), "cudaEventRecord", to.device); !f.empty()) {
        return f;
      }
      if (std::string f = cuda_failure(cudaSetDevice(from.device), "cudaSetDevice", from.device); !f.empty()) return f;
      if (std::string f = copy(from, to, s.bytes, from_stream); !f.empty()) return f;
      return cuda_failure(cudaStreamWaitEvent(from_stream, to.done.get(), 0), "cudaStreamWaitEvent", from.device);
    };
    if (std::string f = s.timer.time(from_stream, 6, both, seconds); !f.empty()) return f;
    if (timed) out.bidirectional_seconds.push_back(seconds);
    if (std::string f = check(to, s.words, kSourceSalt, fmt::format("{} half of both ways, round {}", pair, round),
                              out.check_failure);
        !f.empty()) {
      return f;
    }
    if (std::string f = check(from, s.words, kPeerSourceSalt,
                              fmt::format("gpu{}->gpu{} half of both ways, round {}", to.device, from.device, round),
                              out.check_failure);
        !f.empty()) {
      return f;
    }
  }

  const std::uint64_t latency_words = request.latency_bytes / 8;
  if (std::string f = poison(to, latency_words); !f.empty()) return f;
  const auto small_copies = [&]() -> std::string {
    for (int i = 0; i < request.latency_copies; ++i) {
      if (std::string f = copy(from, to, request.latency_bytes, from_stream); !f.empty()) return f;
    }
    return {};
  };
  if (std::string f = s.timer.time(from_stream, request.latency_copies, small_copies, seconds); !f.empty()) return f;
  if (timed) out.latency_seconds.push_back(seconds / request.latency_copies);
  return check(to, latency_words, kSourceSalt, fmt::format("{} small copies, round {}", pair, round), out.check_failure);
}

std::string request_problem(const P2pRequest& request) {
  int count = 0;
  if (const cudaError_t status = cudaGetDeviceCount(&count); status != cudaSuccess) {
    return fmt::format("cudaGetDeviceCount: {} ({})", cudaGetErrorString(status), cudaGetErrorName(status));
  }
  if (request.source == request.destination || request.source < 0 || request.destination < 0 ||
      request.source >= count || request.destination >= count) {
    return fmt::format("gpu.p2p: source gpu{} and destination gpu{} must be two different devices of the {} this "
                       "process sees",
                       request.source, request.destination, count);
  }
  if (request.bytes < 8 || request.bytes % 8 != 0 || request.latency_bytes < 8 || request.latency_bytes % 8 != 0 ||
      request.latency_bytes > request.bytes) {
    return fmt::format("gpu.p2p: bytes={} and latency_bytes={} must be positive multiples of 8, latency_bytes <= bytes",
                       request.bytes, request.latency_bytes);
  }
  if (request.latency_copies < 1 || request.warmup < 0 || request.repetitions < 1) {
    return fmt::format("gpu.p2p: latency_copies={}, warmup={}, repetitions={}: expected >= 1, >= 0, >= 1",
                       request.latency_copies, request.warmup, request.repetitions);
  }
  return {};
}

}  // namespace

P2pOutcome run_p2p(const P2pRequest& request) {
  P2pOutcome out;
  if (std::string problem = request_problem(request); !problem.empty()) {
    out.error = std::move(problem);
    return out;
  }
  P2pState s;
  s.bytes = request.bytes;
  s.words = request.bytes / 8;
  const int source = request.source, destination = request.destination;
  if (std::string f = s.forward.enable(source, destination); !f.empty()) {
    out.error = std::move(f);
    return out;
  }
  // Both ways for every pair, one-way pairs too, as p2pBandwidthLatencyTest enables them:
  // cudaDeviceEnablePeerAccess grants one direction only, and which context's access the
  // driver's direct copy-engine path between the two needs is not documented. Enabling
  // only source->destination could leave a one-way pair (measured after its reverse pair
  // disabled what it had enabled) staged through host memory on some systems.
  if (std::string f = s.backward.enable(destination, source); !f.empty()) {
    out.error = std::move(f);
    return out;
  }
  out.peer_access = s.forward.active() && (!request.bidirectional || s.backward.active());
  out.path = s.forward.text() + "; " + s.backward.text();
  if (!out.peer_access) out.path += "; without peer access the driver stages the copies through host memory";

  if (std::string f = prepare_side(s.from, source, s.bytes, request.bidirectional, true, kSourceSalt); !f.empty()) {
    out.error = std::move(f);
    return out;
  }
  if (std::string f = prepare_side(s.to, destination, s.bytes, true, request.bidirectional, kPeerSourceSalt); !f.empty()) {
    out.error = std::move(f);
    return out;
  }
  if (std::string f = s.timer.create(source); !f.empty()) {
    out.error = std::move(f);
    return out;
  }
  // The fills, checked before anything is copied from them.
  std::string f = s.from.checker.check(s.from.source.get(), s.words, kSourceSalt, s.from.stream.stream(),
                                       "source buffer after the fill", out.check_failure);
  if (f.empty() && request.bidirectional) {
    f = s.to.checker.check(s.to.source.get(), s.words, kPeerSourceSalt, s.to.stream.stream(),
                           "reverse source buffer after the fill", out.check_failure);
  }
  if (!f.empty() || !out.check_failure.empty()) {
    out.error = std::move(f);
    return out;
  }

  const int rounds = request.warmup + request.repetitions;
  for (int round = 0; round < rounds; ++round) {
    if (round == request.warmup && request.control.before_timing) request.control.before_timing();
    if (request.control.cancelled()) {
      out.cancelled = true;
      return out;
    }
    if (std::string failure = run_round(s, request, round, round >= request.warmup, out); !failure.empty()) {
      out.error = std::move(failure);
      return out;
    }
    if (!out.check_failure.empty()) return out;
  }
  out.check_detail = fmt::format(
      "every copy of every round ({} warm-up + {} timed) checked: destinations poisoned before each copy and then "
      "compared word by word with the pattern on the receiving device ({} words in all) plus 3 words on the host",
      request.warmup, request.repetitions, s.from.checker.words_checked() + s.to.checker.words_checked());
  if (s.timer.retried_sections() > 0 || s.timer.late_sections() > 0) {
    out.check_detail += fmt::format("; {} timed section(s) re-run because the host queued them late, {} still late",
                                    s.timer.retried_sections(), s.timer.late_sections());
  }
  return out;
}

}  // namespace assay::gpu
