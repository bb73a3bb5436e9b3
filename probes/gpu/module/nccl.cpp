// interconnect.nccl, the module side: the NCCL unique id, communicators over this
// process's GPUs, and timed, checked collectives on them (gpu_module.h, nccl_pattern.h).
//
// Hangs. An NCCL call can wait forever for a peer that died, so:
//   - Joining the job (ncclCommInitRankConfig, every rank of every process must arrive)
//     runs on NON-BLOCKING communicators (config.blocking = 0): the calls return
//     ncclInProgress and this file polls ncclCommGetAsyncError, giving up with
//     ncclCommAbort at the open timeout or when cancel is set.
//   - The measuring communicators are then split off those (ncclCommSplit, also polled on
//     the non-blocking parents) as BLOCKING ones (config.blocking = 1), and the parents are
//     finalized and destroyed. Non-blocking communicators launch every group from a new
//     thread and must be polled back to ncclSuccess before the next call, which adds tens
//     of microseconds per collective and would understate small sizes; blocking ones
//     launch as nccl-tests' (which uses them) do.
//   - Collectives are only enqueued, at most two chunks of kChunk per GPU ahead of the
//     GPUs, and every wait for the GPUs polls CUDA events while looking at cancel, the
//     run's timeout and ncclCommGetAsyncError (as nccl-tests' testStreamSynchronize
//     does); a wait that ends badly calls ncclCommAbort on every communicator, which makes
//     their kernels return, and the session is dead from then on.
//   - What cannot be bounded here: a blocking ncclGroupEnd that sets up connections on
//     first use of a size or algorithm (during the warm-up) while a peer dies, and
//     ncclCommFinalize/ncclCommDestroy at the end of a healthy session. The runner's
//     probe deadline (suites/probe_watchdog) covers those.
#include <cuda_runtime_api.h>
#include <fmt/format.h>
#include <nccl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "probes/gpu/module/module_parts.h"
#include "probes/gpu/module/module_util.h"
#include "probes/gpu/module/nccl_fill.h"
#include "probes/gpu/nccl_pattern.h"

namespace assay::gpu {
namespace {

using Clock = std::chrono::steady_clock;

// Collectives enqueued per GPU before the host waits for the previous chunk: keeps the
// GPUs busy while bounding what a hung peer leaves queued (and CUDA's launch queue).
constexpr int kChunk = 32;
// The longest timeout honoured, so that adding it to now() cannot overflow.
constexpr double kLongestTimeout = 1e7;

const char* result_name(ncclResult_t result) {
  switch (result) {
    case ncclSuccess: return "ncclSuccess";
    case ncclUnhandledCudaError: return "ncclUnhandledCudaError";
    case ncclSystemError: return "ncclSystemError";
    case ncclInternalError: return "ncclInternalError";
    case ncclInvalidArgument: return "ncclInvalidArgument";
    case ncclInvalidUsage: return "ncclInvalidUsage";
    case ncclRemoteError: return "ncclRemoteError";
    case ncclInProgress: return "ncclInProgress";
    default: return "ncclResult?";
  }
}

// "ncclAllReduce on gpu3 (rank 11): remote process exited or there was a network error
// (ncclRemoteError); NCCL's last error: ..."
std::string nccl_failure(ncclResult_t status, std::string_view call, std::string_view where) {
  std::string text = fmt::format("{} on {}: {} ({})", call, where, ncclGetErrorString(status), result_name(status));
  // ncclGetLastError's argument is unused: it is the process's last NCCL error text.
  const char* last = ncclGetLastError(nullptr);
  if (last != nullptr && *last != '\0') text += fmt::format("; NCCL's last error: {}", last);
  return text;
}

std::string gpu_text(int device, int rank) { return fmt::format("gpu{} (NCCL rank {})", device, rank); }

const char* collective_text(NcclCollective collective) {
  switch (collective) {
    case NcclCollective::all_reduce: return "ncclAllReduce";
    case NcclCollective::all_gather: return "ncclAllGather";
    case NcclCollective::reduce_scatter: return "ncclReduceScatter";
    case NcclCollective::all_to_all: return "ncclSend/ncclRecv (all-to-all)";
  }
  return "NCCL collective";
}

struct Deadline {
  Clock::time_point at;
  const std::atomic<bool>* cancel = nullptr;
  double seconds = 0;

  static Deadline within(double seconds, const std::atomic<bool>* cancel) {
    const double bounded = std::clamp(seconds, 0.0, kLongestTimeout);
    return {Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(bounded)), cancel,
            bounded};
  }
  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
  bool expired() const { return Clock::now() >= at; }
};

// How a wait ended: `error` empty when what it waited for happened.
struct WaitEnd {
  std::string error;
  bool cancelled = false;
  bool ok() const { return error.empty(); }
};

WaitEnd stopped(const Deadline& deadline, std::string_view what, std::string_view where) {
  if (deadline.cancelled()) return {fmt::format("cancelled while waiting for {} on {}", what, where), true};
  return {fmt::format("{} did not complete within {:g} s on {}: a peer GPU, process or node stopped answering, or "
                      "the timeout is too short for this size and network",
                      what, deadline.seconds, where),
          false};
}

// Polls the communicators' states until none is ncclInProgress (a non-blocking call
// completed); an error state, the deadline or cancel ends the wait.
WaitEnd wait_ready(const std::vector<ncclComm_t>& comms, const std::vector<std::string>& names, const Deadline& deadline,
                   std::string_view what) {
  for (;;) {
    bool pending = false;
    for (std::size_t i = 0; i < comms.size(); ++i) {
      if (comms[i] == nullptr) continue;
      ncclResult_t state = ncclSuccess;
      if (const ncclResult_t rc = ncclCommGetAsyncError(comms[i], &state); rc != ncclSuccess) {
        return {nccl_failure(rc, "ncclCommGetAsyncError", names[i]), false};
      }
      if (state == ncclInProgress) {
        pending = true;
      } else if (state != ncclSuccess) {
        return {nccl_failure(state, what, names[i]), false};
      }
    }
    if (!pending) return {};
    if (deadline.cancelled() || deadline.expired()) {
      std::string all;
      for (const std::string& name : names) all += (all.empty() ? "" : ", ") + name;
      return stopped(deadline, what, all);
    }
    // Joining and splitting take milliseconds to seconds: no need to spin.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void abort_comms(std::vector<ncclComm_t>& comms) {
  for (ncclComm_t& comm : comms) {
    if (comm != nullptr) (void)ncclCommAbort(comm);
    comm = nullptr;
  }
}

// A GPU's stream with its timing events (start, stop) and two chunk markers, destroyed
// together on that device.
class GpuStream {
 public:
  GpuStream() = default;
  ~GpuStream() {
    if (device_ < 0) return;
    cudaSetDevice(device_);
    for (cudaEvent_t e : {start_, stop_, markers_[0], markers_[1]}) {
      if (e != nullptr) cudaEventDestroy(e);
    }
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }
  GpuStream(const GpuStream&) = delete;
  GpuStream& operator=(const GpuStream&) = delete;

  std::string create(int device) {
    device_ = device;
    if (std::string f = cuda_failure(cudaSetDevice(device), "cudaSetDevice", device); !f.empty()) return f;
    if (std::string f =
            cuda_failure(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate", device);
        !f.empty()) {
      return f;
    }
    if (std::string f = cuda_failure(cudaEventCreate(&start_), "cudaEventCreate", device); !f.empty()) return f;
    if (std::string f = cuda_failure(cudaEventCreate(&stop_), "cudaEventCreate", device); !f.empty()) return f;
    for (cudaEvent_t& e : markers_) {
      if (std::string f = cuda_failure(cudaEventCreateWithFlags(&e, cudaEventDisableTiming), "cudaEventCreate", device);
          !f.empty()) {
        return f;
      }
    }
    return {};
  }
  cudaStream_t stream() const { return stream_; }
  cudaEvent_t start() const { return start_; }
  cudaEvent_t stop() const { return stop_; }
  cudaEvent_t marker(int i) const { return markers_[i % 2]; }

 private:
  int device_ = -1;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  cudaEvent_t markers_[2] = {nullptr, nullptr};
};

// What one GPU of this process holds during a run.
struct GpuRun {
  int device = 0;
  int rank = 0;
  ncclComm_t comm = nullptr;
  std::string name;
  DeviceBuffer send, receive;
  GpuStream timed;
};

class Session final : public NcclSession {
 public:
  Session(std::vector<int> devices, std::vector<int> ranks, std::vector<ncclComm_t> comms, int world)
      : devices_(std::move(devices)), ranks_(std::move(ranks)), comms_(std::move(comms)), world_(world) {
    for (std::size_t i = 0; i < devices_.size(); ++i) names_.push_back(gpu_text(devices_[i], ranks_[i]));
  }

  ~Session() override {
    if (!dead_.empty()) return;  // aborted: nothing left to free
    // Every run waited for its GPUs, so nothing is in flight: finalize (flushes NCCL's
    // own streams, stops its proxy threads) and destroy. Blocking, but local.
    for (std::size_t i = 0; i < comms_.size(); ++i) {
      cudaSetDevice(devices_[i]);
      if (ncclCommFinalize(comms_[i]) != ncclSuccess) {
        abort_comms(comms_);
        return;
      }
    }
    for (std::size_t i = 0; i < comms_.size(); ++i) {
      cudaSetDevice(devices_[i]);
      (void)ncclCommDestroy(comms_[i]);
      comms_[i] = nullptr;
    }
  }

  NcclRunOutcome run(const NcclRunRequest& request) override {
    NcclRunOutcome outcome;
    if (!dead_.empty()) {
      outcome.error = fmt::format("the NCCL communicators were aborted earlier ({}); open a new session", dead_);
      return outcome;
    }
    if (std::string bad = check_request(request); !bad.empty()) {
      outcome.error = std::move(bad);
      return outcome;
    }
    std::vector<GpuRun> gpus(devices_.size());
    std::uint64_t send_most = 0, receive_most = 0;
    for (const NcclSize& size : request.sizes) {
      send_most = std::max(send_most, size.send_elements);
      receive_most = std::max(receive_most, size.receive_elements);
    }
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      GpuRun& g = gpus[i];
      g.device = devices_[i];
      g.rank = ranks_[i];
      g.comm = comms_[i];
      g.name = names_[i];
      std::string f = g.send.allocate(g.device, send_most * sizeof(float));
      if (f.empty()) f = g.receive.allocate(g.device, receive_most * sizeof(float));
      if (f.empty()) f = g.timed.create(g.device);
      if (!f.empty()) {
        // The peers' runs wait for this process until their timeout; the session ends
        // here as after any failure, so that nothing is left to finalize with them.
        return fail(outcome, {fmt::format("preparing the buffers of {} for {}: {}", g.name,
                                          collective_text(request.collective), f),
                              false});
      }
    }

    const NcclExpectation expectation(request.collective, world_);
    std::uint64_t sampled_per_gpu = 0, wrong = 0;
    for (const NcclSize& size : request.sizes) {
      const std::string at = fmt::format("{} at {}", collective_text(request.collective),
                                         bytes_text(static_cast<std::uint64_t>(size.size_bytes)));
      // Cancel is looked at here and before every sample too, not only while waiting:
      // a fast GPU may never make the host wait.
      if (request.control.cancelled()) return fail(outcome, {fmt::format("cancelled before {}", at), true});
      // Data, then the warm-up, which also brings every process to this size: a
      // collective completes only when every rank has joined it.
      for (GpuRun& g : gpus) {
        if (std::string f = fill(g, request.collective, size); !f.empty()) {
          return fail(outcome, {fmt::format("filling the buffers for {}: {}", at, f), false});
        }
      }
      if (WaitEnd end = enqueue(gpus, request, size, request.warmup, at); !end.ok()) return fail(outcome, end);
      if (WaitEnd end = wait_for(gpus, Marker::last, Deadline::within(request.timeout_seconds, request.control.cancel),
                                 fmt::format("the fill and {} warm-up call(s) of {}", request.warmup, at));
          !end.ok()) {
        return fail(outcome, end);
      }
      if (request.synchronize) {
        if (std::string f = request.synchronize(); !f.empty()) {
          return fail(outcome, {std::move(f), request.control.cancelled()});
        }
      }
      if (request.control.before_timing) request.control.before_timing();

      std::vector<double> samples;
      for (int rep = 0; rep < request.repetitions; ++rep) {
        const std::string sample =
            fmt::format("{} timed call(s) of {} (repetition {})", request.iterations, at, rep + 1);
        if (request.control.cancelled()) return fail(outcome, {fmt::format("cancelled before {}", sample), true});
        for (GpuRun& g : gpus) {
          // Poisoned (NaN) before the clock starts, so the check sees this sample's output.
          std::string f = cuda_failure(cudaSetDevice(g.device), "cudaSetDevice", g.device);
          if (f.empty()) {
            f = cuda_failure(cudaMemsetAsync(g.receive.get(), 0xFF, size.receive_elements * sizeof(float),
                                             g.timed.stream()),
                             "cudaMemsetAsync", g.device);
          }
          if (f.empty()) f = cuda_failure(cudaEventRecord(g.timed.start(), g.timed.stream()), "cudaEventRecord", g.device);
          if (!f.empty()) return fail(outcome, {fmt::format("starting {}: {}", sample, f), false});
        }
        if (WaitEnd end = enqueue(gpus, request, size, request.iterations, at); !end.ok()) return fail(outcome, end);
        if (WaitEnd end = wait_for(gpus, Marker::stop, Deadline::within(request.timeout_seconds, request.control.cancel),
                                   sample);
            !end.ok()) {
          return fail(outcome, end);
        }
        double slowest = 0;
        for (GpuRun& g : gpus) {
          float milliseconds = 0;
          // Both events have completed (wait_for), so this does not wait.
          const cudaError_t rc = cudaEventElapsedTime(&milliseconds, g.timed.start(), g.timed.stop());
          if (rc != cudaSuccess) {
            return fail(outcome, {cuda_failure(rc, "cudaEventElapsedTime", g.device), false});
          }
          slowest = std::max(slowest, static_cast<double>(milliseconds) / 1e3);
        }
        samples.push_back(slowest / request.iterations);
        // The check: sampled runs of every GPU's receive buffer, compared exactly.
        for (GpuRun& g : gpus) {
          std::uint64_t sampled = 0;
          if (std::string f = check(g, expectation, size, fmt::format("{}, repetition {}", at, rep + 1), sampled,
                                    wrong, outcome);
              !f.empty()) {
            return fail(outcome, {std::move(f), false});
          }
          outcome.elements_checked += sampled;
          sampled_per_gpu = std::max(sampled_per_gpu, sampled);
        }
      }
      outcome.seconds.push_back(std::move(samples));
    }
    if (wrong > 0) outcome.check_failure += fmt::format("; {} sampled element(s) wrong in all", wrong);
    outcome.check_detail = fmt::format(
        "after every timed sample each of this process's {} GPU(s) copied back up to {} elements of its receive "
        "buffer (runs of up to {} at the first and last elements and at block boundaries, the rest spread through "
        "it) and compared them for equality with the exact result (small integers in float32, nccl_pattern.h); "
        "the buffer was poisoned with NaN before each sample; {} elements compared",
        gpus.size(), sampled_per_gpu, kNcclCheckRun, outcome.elements_checked);
    return outcome;
  }

 private:
  enum class Marker { last, stop };

  std::string check_request(const NcclRunRequest& request) const {
    if (request.sizes.empty() || request.iterations < 1 || request.repetitions < 1 || request.warmup < 0) {
      return fmt::format("NCCL run: {} sizes, {} iterations, {} repetitions, warm-up {}: expected at least one of "
                         "each (the warm-up may be 0)",
                         request.sizes.size(), request.iterations, request.repetitions, request.warmup);
    }
    const auto n = static_cast<std::uint64_t>(world_);
    for (const NcclSize& size : request.sizes) {
      const std::uint64_t b = size.block_elements;
      bool fits = b > 0;
      switch (request.collective) {
        case NcclCollective::all_reduce: fits = fits && size.send_elements == b && size.receive_elements == b; break;
        case NcclCollective::all_gather: fits = fits && size.send_elements == b && size.receive_elements == b * n; break;
        case NcclCollective::reduce_scatter:
          fits = fits && size.send_elements == b * n && size.receive_elements == b;
          break;
        case NcclCollective::all_to_all:
          fits = fits && size.send_elements == b * n && size.receive_elements == b * n;
          break;
      }
      if (!fits) {
        return fmt::format("NCCL run: {} send, {} receive and {} block elements do not lay out {} over {} ranks "
                           "(bus_bandwidth.h's collective_layout gives the layouts)",
                           size.send_elements, size.receive_elements, size.block_elements,
                           collective_text(request.collective), world_);
      }
    }
    return {};
  }

  // Ends the run: a wait failed or work may be in flight, so the communicators are
  // aborted (their kernels return) and the session is dead.
  NcclRunOutcome fail(NcclRunOutcome& outcome, WaitEnd end) {
    abort_comms(comms_);
    dead_ = end.cancelled ? std::string("cancelled") : end.error;
    outcome.error = std::move(end.error) + "; the NCCL communicators were aborted (ncclCommAbort)";
    outcome.cancelled = end.cancelled;
    return std::move(outcome);
  }

  std::string fill(GpuRun& g, NcclCollective collective, const NcclSize& size) const {
    if (std::string f = cuda_failure(cudaSetDevice(g.device), "cudaSetDevice", g.device); !f.empty()) return f;
    const NcclFill pattern = nccl_send_fill(collective, g.rank, world_, size);
    // Clears a stale status so that the launch check reports this launch only.
    (void)cudaGetLastError();
    if (std::string f = cuda_failure(
            fill_nccl_send(static_cast<float*>(g.send.get()), size.send_elements, pattern, g.timed.stream()),
            "the fill kernel", g.device);
        !f.empty()) {
      return f;
    }
    return cuda_failure(cudaMemsetAsync(g.receive.get(), 0xFF, size.receive_elements * sizeof(float), g.timed.stream()),
                        "cudaMemsetAsync", g.device);
  }

  // One collective on every GPU of this process, grouped so that NCCL launches them
  // together (one thread driving several GPUs must group their calls).
  std::string launch(std::vector<GpuRun>& gpus, NcclCollective collective, const NcclSize& size) const {
    const char* call = collective_text(collective);
    if (const ncclResult_t rc = ncclGroupStart(); rc != ncclSuccess) {
      return nccl_failure(rc, "ncclGroupStart", all_names(gpus));
    }
    std::string failure;
    for (GpuRun& g : gpus) {
      const void* send = g.send.get();
      void* receive = g.receive.get();
      cudaStream_t stream = g.timed.stream();
      ncclResult_t rc = ncclSuccess;
      switch (collective) {
        case NcclCollective::all_reduce:
          rc = ncclAllReduce(send, receive, size.block_elements, ncclFloat32, ncclSum, g.comm, stream);
          break;
        case NcclCollective::all_gather:
          rc = ncclAllGather(send, receive, size.block_elements, ncclFloat32, g.comm, stream);
          break;
        case NcclCollective::reduce_scatter:
          rc = ncclReduceScatter(send, receive, size.block_elements, ncclFloat32, ncclSum, g.comm, stream);
          break;
        case NcclCollective::all_to_all: {
          // As nccl-tests' alltoall: to and from every rank one block, in a group.
          const std::size_t block_bytes = size.block_elements * sizeof(float);
          rc = ncclGroupStart();
          for (int peer = 0; peer < world_ && rc == ncclSuccess; ++peer) {
            const std::size_t offset = static_cast<std::size_t>(peer) * block_bytes;
            rc = ncclSend(static_cast<const char*>(send) + offset, size.block_elements, ncclFloat32, peer, g.comm,
                          stream);
            if (rc == ncclSuccess) {
              rc = ncclRecv(static_cast<char*>(receive) + offset, size.block_elements, ncclFloat32, peer, g.comm,
                            stream);
            }
          }
          // Closed whatever happened, so that the nesting stays balanced.
          if (const ncclResult_t end = ncclGroupEnd(); rc == ncclSuccess) rc = end;
          break;
        }
      }
      if (rc != ncclSuccess && failure.empty()) failure = nccl_failure(rc, call, g.name);
    }
    // Always ended, also after a failed call, so that this thread's group state is reset.
    const ncclResult_t end = ncclGroupEnd();
    if (!failure.empty()) return failure;
    if (end != ncclSuccess) return nccl_failure(end, fmt::format("ncclGroupEnd after {}", call), all_names(gpus));
    return {};
  }

  // `count` collectives on every GPU, at most two chunks ahead of the GPUs: each chunk's
  // end is marked by an event, and before enqueuing a chunk the host waits for the one
  // before the last, so the GPUs never run dry and a hung peer is noticed by polling.
  WaitEnd enqueue(std::vector<GpuRun>& gpus, const NcclRunRequest& request, const NcclSize& size, int count,
                  std::string_view at) {
    int done = 0;
    for (int chunk = 0; done < count; ++chunk) {
      if (chunk >= 2) {
        std::vector<cudaEvent_t> earlier;
        for (const GpuRun& g : gpus) earlier.push_back(g.timed.marker(chunk));  // recorded two chunks ago
        WaitEnd end = wait_events(gpus, earlier, Deadline::within(request.timeout_seconds, request.control.cancel),
                                  fmt::format("{} call(s) of {}", done, at));
        if (!end.ok()) return end;
      }
      const int calls = std::min(kChunk, count - done);
      for (int c = 0; c < calls; ++c) {
        if (std::string f = launch(gpus, request.collective, size); !f.empty()) return {std::move(f), false};
      }
      done += calls;
      for (GpuRun& g : gpus) {
        if (std::string f =
                cuda_failure(cudaEventRecord(g.timed.marker(chunk), g.timed.stream()), "cudaEventRecord", g.device);
            !f.empty()) {
          return {std::move(f), false};
        }
      }
    }
    return {};
  }

  // Records on every GPU's stream a marker after all its work (or the stop event) and
  // waits for them.
  WaitEnd wait_for(std::vector<GpuRun>& gpus, Marker which, const Deadline& deadline, std::string_view what) {
    std::vector<cudaEvent_t> events;
    for (GpuRun& g : gpus) {
      const cudaEvent_t event = which == Marker::stop ? g.timed.stop() : g.timed.marker(0);
      if (std::string f = cuda_failure(cudaEventRecord(event, g.timed.stream()), "cudaEventRecord", g.device);
          !f.empty()) {
        return {std::move(f), false};
      }
      events.push_back(event);
    }
    return wait_events(gpus, events, deadline, what);
  }

  // Polls `events` (one per GPU) as nccl-tests polls its streams, watching NCCL's
  // asynchronous errors, cancel and the deadline.
  WaitEnd wait_events(const std::vector<GpuRun>& gpus, const std::vector<cudaEvent_t>& events,
                      const Deadline& deadline, std::string_view what) const {
    std::vector<bool> done(events.size(), false);
    for (;;) {
      bool pending = false;
      for (std::size_t i = 0; i < events.size(); ++i) {
        if (done[i]) continue;
        const cudaError_t rc = cudaEventQuery(events[i]);
        if (rc == cudaSuccess) {
          done[i] = true;
        } else if (rc == cudaErrorNotReady) {
          pending = true;
        } else {
          return {cuda_failure(rc, fmt::format("cudaEventQuery (waiting for {})", what), gpus[i].device), false};
        }
      }
      for (const GpuRun& g : gpus) {
        ncclResult_t state = ncclSuccess;
        if (const ncclResult_t rc = ncclCommGetAsyncError(g.comm, &state); rc != ncclSuccess) {
          return {nccl_failure(rc, "ncclCommGetAsyncError", g.name), false};
        }
        if (state != ncclSuccess && state != ncclInProgress) {
          return {nccl_failure(state, fmt::format("NCCL (asynchronous error while waiting for {})", what), g.name),
                  false};
        }
      }
      if (!pending) return {};
      if (deadline.cancelled() || deadline.expired()) return stopped(deadline, what, all_names(gpus));
      std::this_thread::yield();
    }
  }

  // Copies back the sampled runs of one GPU's receive buffer and compares them.
  std::string check(const GpuRun& g, const NcclExpectation& expectation, const NcclSize& size, std::string_view at,
                    std::uint64_t& sampled, std::uint64_t& wrong, NcclRunOutcome& outcome) const {
    if (std::string f = cuda_failure(cudaSetDevice(g.device), "cudaSetDevice", g.device); !f.empty()) return f;
    std::vector<float> values(kNcclCheckRun);
    for (const auto& [first, length] : nccl_check_runs(size.receive_elements, size.block_elements)) {
      const float* source = static_cast<const float*>(g.receive.get()) + first;
      // The stream's work has completed, so this copy on the default stream sees it.
      if (std::string f = cuda_failure(cudaMemcpy(values.data(), source, length * sizeof(float), cudaMemcpyDeviceToHost),
                                       "cudaMemcpy (copying sampled results back)", g.device);
          !f.empty()) {
        return f;
      }
      for (std::uint64_t k = 0; k < length; ++k) {
        const float want = expectation.receive_value(g.rank, size, first + k);
        const float got = values[k];
        ++sampled;
        if (got != want && wrong++ == 0) {  // the NaN poison never equals anything
          outcome.check_failure =
              fmt::format("{} on {}: element {} of the receive buffer ({} elements) is {} but must be {}", at, g.name,
                          first + k, size.receive_elements, got, want);
        }
      }
    }
    return {};
  }

  static std::string all_names(const std::vector<GpuRun>& gpus) {
    std::string all;
    for (const GpuRun& g : gpus) all += (all.empty() ? "" : ", ") + g.name;
    return all;
  }

  std::vector<int> devices_;
  std::vector<int> ranks_;
  std::vector<ncclComm_t> comms_;
  std::vector<std::string> names_;
  int world_ = 0;
  std::string dead_;  // why the communicators were aborted; empty while they are usable
};

std::string unique_id_problem(const NcclOpenRequest& request) {
  if (request.unique_id.size() != NCCL_UNIQUE_ID_BYTES) {
    return fmt::format("NCCL open: the unique id has {} bytes, NCCL's has {}", request.unique_id.size(),
                       NCCL_UNIQUE_ID_BYTES);
  }
  const auto local = static_cast<long long>(request.devices.size());
  if (request.devices.empty() || request.world_ranks < 1 || request.first_rank < 0 ||
      request.first_rank + local > request.world_ranks) {
    return fmt::format("NCCL open: {} GPU(s) from rank {} do not fit in a job of {} ranks", local, request.first_rank,
                       request.world_ranks);
  }
  return {};
}

}  // namespace

NcclId make_nccl_unique_id() {
  NcclId id;
  ncclUniqueId raw;
  std::memset(&raw, 0, sizeof raw);
  if (const ncclResult_t rc = ncclGetUniqueId(&raw); rc != ncclSuccess) {
    id.error = nccl_failure(rc, "ncclGetUniqueId", "this process");
    return id;
  }
  id.bytes.assign(raw.internal, raw.internal + NCCL_UNIQUE_ID_BYTES);
  return id;
}

NcclOpenOutcome open_nccl(const NcclOpenRequest& request) {
  NcclOpenOutcome outcome;
  if (std::string problem = unique_id_problem(request); !problem.empty()) {
    outcome.error = std::move(problem);
    return outcome;
  }
  ncclUniqueId id;
  std::memcpy(id.internal, request.unique_id.data(), NCCL_UNIQUE_ID_BYTES);
  const std::size_t local = request.devices.size();
  std::vector<int> ranks(local);
  std::vector<std::string> names(local);
  for (std::size_t i = 0; i < local; ++i) {
    ranks[i] = request.first_rank + static_cast<int>(i);
    names[i] = gpu_text(request.devices[i], ranks[i]);
  }
  const auto failed = [&](std::vector<ncclComm_t>& comms, WaitEnd end) {
    abort_comms(comms);
    outcome.error = std::move(end.error);
    outcome.cancelled = end.cancelled;
    return std::move(outcome);
  };

  // 1. Join the job on non-blocking communicators, one per GPU, in one group.
  std::vector<ncclComm_t> parents(local, nullptr);
  ncclConfig_t joining = NCCL_CONFIG_INITIALIZER;
  joining.blocking = 0;
  joining.splitShare = 0;
  std::string failure;
  if (const ncclResult_t rc = ncclGroupStart(); rc != ncclSuccess) {
    outcome.error = nccl_failure(rc, "ncclGroupStart", "this process");
    return outcome;
  }
  for (std::size_t i = 0; i < local; ++i) {
    if (std::string f = cuda_failure(cudaSetDevice(request.devices[i]), "cudaSetDevice", request.devices[i]);
        !f.empty()) {
      if (failure.empty()) failure = std::move(f);
      continue;
    }
    const ncclResult_t rc = ncclCommInitRankConfig(&parents[i], request.world_ranks, id, ranks[i], &joining);
    if (rc != ncclSuccess && rc != ncclInProgress && failure.empty()) {
      failure = nccl_failure(rc, fmt::format("ncclCommInitRankConfig (rank {} of {})", ranks[i], request.world_ranks),
                             names[i]);
    }
  }
  const ncclResult_t joined = ncclGroupEnd();
  if (failure.empty() && joined != ncclSuccess && joined != ncclInProgress) {
    failure = nccl_failure(joined, "ncclGroupEnd after ncclCommInitRankConfig", "this process");
  }
  if (!failure.empty()) return failed(parents, {std::move(failure), false});
  const Deadline deadline = Deadline::within(request.timeout_seconds, request.cancel);
  if (WaitEnd end = wait_ready(parents, names,
                               deadline,
                               fmt::format("ncclCommInitRankConfig (every process of the job's {} ranks joining)",
                                           request.world_ranks));
      !end.ok()) {
    return failed(parents, std::move(end));
  }

  // 2. Split blocking communicators off them for the measurements (polled on the
  // non-blocking parents, which decide how the split call behaves).
  std::vector<ncclComm_t> children(local, nullptr);
  ncclConfig_t measuring = NCCL_CONFIG_INITIALIZER;
  measuring.blocking = 1;
  measuring.splitShare = 0;
  if (const ncclResult_t rc = ncclGroupStart(); rc != ncclSuccess) {
    return failed(parents, {nccl_failure(rc, "ncclGroupStart", "this process"), false});
  }
  for (std::size_t i = 0; i < local; ++i) {
    const ncclResult_t rc = ncclCommSplit(parents[i], 0, ranks[i], &children[i], &measuring);
    if (rc != ncclSuccess && rc != ncclInProgress && failure.empty()) failure = nccl_failure(rc, "ncclCommSplit", names[i]);
  }
  const ncclResult_t split = ncclGroupEnd();
  if (failure.empty() && split != ncclSuccess && split != ncclInProgress) {
    failure = nccl_failure(split, "ncclGroupEnd after ncclCommSplit", "this process");
  }
  WaitEnd end;
  if (failure.empty()) {
    end = wait_ready(parents, names, Deadline::within(request.timeout_seconds, request.cancel),
                     "ncclCommSplit (the measuring communicators)");
  } else {
    end = {std::move(failure), false};
  }
  for (std::size_t i = 0; end.ok() && i < local; ++i) {
    ncclResult_t state = ncclSuccess;
    if (children[i] == nullptr) {
      end = {fmt::format("ncclCommSplit on {} completed without a communicator", names[i]), false};
    } else if (const ncclResult_t rc = ncclCommGetAsyncError(children[i], &state); rc != ncclSuccess) {
      end = {nccl_failure(rc, "ncclCommGetAsyncError", names[i]), false};
    } else if (state != ncclSuccess) {
      end = {nccl_failure(state, "ncclCommSplit", names[i]), false};
    }
  }
  if (!end.ok()) {
    // Parents first: a split still in progress writes its child into `children` from
    // NCCL's thread until the parent's abort joins that thread (ncclCommAbort ->
    // ncclCommEnsureReady -> ncclGroupJobAbort). Aborting the children before would
    // miss a child that completes meanwhile, leaving it (and its proxy threads and
    // buffers) alive with no one to free it.
    abort_comms(parents);
    abort_comms(children);
    return failed(parents, std::move(end));
  }

  // 3. The parents are no longer needed: finalize (non-blocking, polled) and destroy;
  // if that does not go through, abort them. The children are separate (splitShare 0).
  bool finalized = true;
  for (std::size_t i = 0; i < local; ++i) {
    const ncclResult_t rc = ncclCommFinalize(parents[i]);
    finalized = finalized && (rc == ncclSuccess || rc == ncclInProgress);
  }
  if (finalized) {
    finalized = wait_ready(parents, names, Deadline::within(request.timeout_seconds, request.cancel),
                           "ncclCommFinalize (the joining communicators)")
                    .ok();
  }
  if (finalized) {
    for (ncclComm_t& parent : parents) {
      (void)ncclCommDestroy(parent);
      parent = nullptr;
    }
  } else {
    abort_comms(parents);
  }
  outcome.session = std::make_unique<Session>(request.devices, std::move(ranks), std::move(children),
                                              request.world_ranks);
  return outcome;
}

std::string nccl_version_text() {
  int version = 0;
  if (ncclGetVersion(&version) != ncclSuccess || version <= 0) return "NCCL ?";
  // NCCL_VERSION(X, Y, Z): X*1000 + Y*100 + Z up to 2.8, X*10000 + Y*100 + Z from 2.9.
  if (version >= 10000) return fmt::format("NCCL {}.{}.{}", version / 10000, version % 10000 / 100, version % 100);
  return fmt::format("NCCL {}.{}.{}", version / 1000, version % 1000 / 100, version % 100);
}

}  // namespace assay::gpu
