#include "probes/gpu/module/module_util.h"

#include <fmt/format.h>

namespace assay::gpu {

std::string cuda_failure(cudaError_t status, std::string_view call, int device) {
  if (status == cudaSuccess) return {};
  return fmt::format("{} on gpu{}: {} ({})", call, device, cudaGetErrorString(status), cudaGetErrorName(status));
}

std::string bytes_text(std::uint64_t bytes) {
  const double value = static_cast<double>(bytes);
  if (value >= 0x1p30) return fmt::format("{:.2f} GiB", value / 0x1p30);
  if (value >= 0x1p20) return fmt::format("{:.2f} MiB", value / 0x1p20);
  if (value >= 0x1p10) return fmt::format("{:.2f} KiB", value / 0x1p10);
  return fmt::format("{} B", bytes);
}

DeviceBuffer::~DeviceBuffer() {
  if (pointer_ != nullptr) {
    cudaSetDevice(device_);
    cudaFree(pointer_);
  }
}

std::string DeviceBuffer::allocate(int device, std::uint64_t bytes) {
  device_ = device;
  if (std::string failure = cuda_failure(cudaSetDevice(device), "cudaSetDevice", device); !failure.empty()) {
    return failure;
  }
  const cudaError_t status = cudaMalloc(&pointer_, bytes);
  if (status != cudaSuccess) {
    pointer_ = nullptr;
    return cuda_failure(status, fmt::format("cudaMalloc({})", bytes_text(bytes)), device);
  }
  bytes_ = bytes;
  return {};
}

PinnedBuffer::~PinnedBuffer() {
  if (pointer_ != nullptr) cudaFreeHost(pointer_);
}

std::string PinnedBuffer::allocate(std::uint64_t bytes) {
  const cudaError_t status = cudaHostAlloc(&pointer_, bytes, cudaHostAllocPortable);
  if (status != cudaSuccess) {
    pointer_ = nullptr;
    return fmt::format("cudaHostAlloc({}) of pinned host memory: {} ({})", bytes_text(bytes), cudaGetErrorString(status),
                       cudaGetErrorName(status));
  }
  bytes_ = bytes;
  return {};
}

TimedStream::~TimedStream() {
  cudaSetDevice(device_);
  if (start_ != nullptr) cudaEventDestroy(start_);
  if (stop_ != nullptr) cudaEventDestroy(stop_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

std::string TimedStream::create(int device) {
  device_ = device;
  if (std::string f = cuda_failure(cudaSetDevice(device), "cudaSetDevice", device); !f.empty()) return f;
  if (std::string f = cuda_failure(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate", device);
      !f.empty()) {
    return f;
  }
  if (std::string f = cuda_failure(cudaEventCreate(&start_), "cudaEventCreate", device); !f.empty()) return f;
  return cuda_failure(cudaEventCreate(&stop_), "cudaEventCreate", device);
}

std::string TimedStream::start() { return cuda_failure(cudaEventRecord(start_, stream_), "cudaEventRecord", device_); }

std::string TimedStream::stop(double& seconds) {
  if (std::string f = cuda_failure(cudaEventRecord(stop_, stream_), "cudaEventRecord", device_); !f.empty()) return f;
  if (std::string f = cuda_failure(cudaEventSynchronize(stop_), "cudaEventSynchronize", device_); !f.empty()) return f;
  float milliseconds = 0;
  if (std::string f = cuda_failure(cudaEventElapsedTime(&milliseconds, start_, stop_), "cudaEventElapsedTime", device_);
      !f.empty()) {
    return f;
  }
  seconds = static_cast<double>(milliseconds) / 1e3;
  return {};
}

}  // namespace assay::gpu
