#include "probes/gpu/module/section_timer.h"

#include "probes/gpu/module/lead_in.h"
#include "probes/gpu/module/module_util.h"

namespace assay::gpu {

SectionTimer::~SectionTimer() {
  if (start_ == nullptr && stop_ == nullptr) return;
  cudaSetDevice(device_);
  if (start_ != nullptr) cudaEventDestroy(start_);
  if (stop_ != nullptr) cudaEventDestroy(stop_);
}

std::string SectionTimer::create(int device) {
  device_ = device;
  if (std::string f = cuda_failure(cudaSetDevice(device), "cudaSetDevice", device); !f.empty()) return f;
  if (std::string f = cuda_failure(cudaEventCreate(&start_), "cudaEventCreate", device); !f.empty()) return f;
  return cuda_failure(cudaEventCreate(&stop_), "cudaEventCreate", device);
}

std::string SectionTimer::time(cudaStream_t stream, int operations, const std::function<std::string()>& enqueue,
                               double& seconds) {
  unsigned long long lead_in =
      kLeadInBaseNanoseconds + kLeadInPerOperationNanoseconds * static_cast<unsigned long long>(operations < 0 ? 0 : operations);
  for (int attempt = 1;; ++attempt, lead_in *= 2) {
    if (std::string f = cuda_failure(cudaSetDevice(device_), "cudaSetDevice", device_); !f.empty()) return f;
    if (std::string f = cuda_failure(launch_lead_in(lead_in, stream), "launching the lead-in kernel", device_); !f.empty()) {
      return f;
    }
    if (std::string f = cuda_failure(cudaEventRecord(start_, stream), "cudaEventRecord(start)", device_); !f.empty()) {
      return f;
    }
    if (std::string f = enqueue(); !f.empty()) {
      cudaStreamSynchronize(stream);
      return f;
    }
    if (std::string f = cuda_failure(cudaSetDevice(device_), "cudaSetDevice", device_); !f.empty()) return f;
    if (std::string f = cuda_failure(cudaEventRecord(stop_, stream), "cudaEventRecord(stop)", device_); !f.empty()) {
      return f;
    }
    // Not ready: the GPU was still in the lead-in when the whole section was queued, so
    // nothing between the events waited for the host.
    const cudaError_t reached = cudaEventQuery(start_);
    if (reached != cudaSuccess && reached != cudaErrorNotReady) {
      return cuda_failure(reached, "cudaEventQuery(start)", device_);
    }
    if (reached == cudaErrorNotReady) (void)cudaGetLastError();  // an answer, not an error: keep it out of later checks
    if (std::string f = cuda_failure(cudaEventSynchronize(stop_), "cudaEventSynchronize(stop)", device_); !f.empty()) {
      return f;
    }
    const bool late = reached == cudaSuccess;
    if (late && attempt < kAttempts) {
      if (attempt == 1) ++retried_sections_;
      continue;
    }
    if (late) ++late_sections_;
    float milliseconds = 0;
    if (std::string f = cuda_failure(cudaEventElapsedTime(&milliseconds, start_, stop_), "cudaEventElapsedTime", device_);
        !f.empty()) {
      return f;
    }
    seconds = static_cast<double>(milliseconds) / 1e3;
    return {};
  }
}

}  // namespace assay::gpu
