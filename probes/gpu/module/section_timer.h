#pragma once
// Timing a section of GPU work with CUDA events, without the host's launch and enqueue
// overhead in it.
//
// Events time what the GPU does between them, but when the stream is idle the GPU
// reaches the start event as soon as the host records it and then waits for the host's
// next call: a 0.3 ms HBM kernel would include the few microseconds its launch takes to
// arrive, and 100 small peer copies would be timed at the rate the host can call
// cudaMemcpyPeerAsync. NVIDIA's p2pBandwidthLatencyTest holds the stream with a kernel
// spinning on a host flag until everything is queued. A kernel waiting on the host can
// deadlock against a driver call on another thread that synchronises the device (a
// cudaFree of a GPU that finished earlier), so here the kernel ahead of the section
// waits a fixed time instead (lead_in.h), long enough for the host to queue the section,
// and the host checks afterwards that it did: if the GPU had already reached the start
// event when the stop event was queued, the section is run again with a lead-in twice
// as long.

#include <cuda_runtime_api.h>

#include <functional>
#include <string>

namespace assay::gpu {

class SectionTimer {
 public:
  /// Lead-in for a section of `operations` queued calls: 100 us + 20 us per call, doubled
  /// on each retry; kAttempts tries in all.
  static constexpr unsigned long long kLeadInBaseNanoseconds = 100'000;
  static constexpr unsigned long long kLeadInPerOperationNanoseconds = 20'000;
  static constexpr int kAttempts = 4;

  SectionTimer() = default;
  ~SectionTimer();
  SectionTimer(const SectionTimer&) = delete;
  SectionTimer& operator=(const SectionTimer&) = delete;

  /// Events on `device`; the failure text, or empty.
  std::string create(int device);

  /// Times one section on `stream` (a stream of this device): lead-in, start event,
  /// enqueue(), stop event. `enqueue` queues the work and returns a failure text or
  /// empty; streams of other devices join with cudaStreamWaitEvent(theirs,
  /// start_event()) and must be joined back into `stream` before it returns. It may be
  /// called again (a retry), so it must queue work that can be repeated.
  std::string time(cudaStream_t stream, int operations, const std::function<std::string()>& enqueue,
                   double& seconds);

  cudaEvent_t start_event() const { return start_; }
  /// Sections whose queueing outran even the last lead-in: timed with host gaps in them.
  int late_sections() const { return late_sections_; }
  int retried_sections() const { return retried_sections_; }

 private:
  int device_ = 0;
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
  int late_sections_ = 0;
  int retried_sections_ = 0;
};

}  // namespace assay::gpu
