#pragma once
// Error texts and small RAII holders shared by the module's parts. Every CUDA, cuBLASLt
// and NCCL call that can fail goes through a check that names the call, the device and
// the library's own status text, so a failure on a real GPU says where it happened.

#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace assay::gpu {

/// "cudaMalloc on gpu0: out of memory (cudaErrorMemoryAllocation)"; empty on success.
std::string cuda_failure(cudaError_t status, std::string_view call, int device);

/// Bytes with a binary prefix for messages: "1.50 GiB".
std::string bytes_text(std::uint64_t bytes);

/// Device memory freed on destruction (on the device that allocated it).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  /// Allocates `bytes` on `device`; the failure text, or empty.
  std::string allocate(int device, std::uint64_t bytes);
  void* get() const { return pointer_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  void* pointer_ = nullptr;
  std::uint64_t bytes_ = 0;
  int device_ = 0;
};

/// Pinned (page-locked) host memory, freed on destruction.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  ~PinnedBuffer();
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  std::string allocate(std::uint64_t bytes);
  void* get() const { return pointer_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  void* pointer_ = nullptr;
  std::uint64_t bytes_ = 0;
};

/// A stream and a pair of events on one device, destroyed together.
class TimedStream {
 public:
  TimedStream() = default;
  ~TimedStream();
  TimedStream(const TimedStream&) = delete;
  TimedStream& operator=(const TimedStream&) = delete;
  std::string create(int device);
  cudaStream_t stream() const { return stream_; }
  /// Records the start event.
  std::string start();
  /// Records the stop event, waits for it, and gives the seconds since start().
  std::string stop(double& seconds);

 private:
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

}  // namespace assay::gpu
