#pragma once
// Checking a device buffer against bandwidth_pattern.h's pattern: every word on the
// device (hbm_kernels.h's check kernel), and three words (first, middle, last) read back
// and compared on the host as well, so a broken check kernel cannot pass a wrong buffer.

#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "probes/gpu/module/hbm_kernels.h"
#include "probes/gpu/module/module_util.h"

namespace assay::gpu {

/// Makes `device` current for this thread and sizes the word kernels' grids for its
/// multiprocessors. The failure, naming the call, or empty.
std::string use_device_with_grids(int device, WordGrids& grids);

class WordChecker {
 public:
  /// Counters on `device`; `grid` is the check kernel's grid on it.
  std::string create(int device, const WordGrid& grid);

  /// Compares `words` words at `data` (memory of this checker's device) with the pattern
  /// of `salt`, on `stream`, and waits. Returns a CUDA failure text, or empty; a wrong
  /// buffer is described in `failure` (left as it is when the buffer is right), naming
  /// `what`.
  std::string check(const void* data, std::uint64_t words, std::uint64_t salt, cudaStream_t stream,
                    std::string_view what, std::string& failure);

  /// Words compared so far (device side).
  std::uint64_t words_checked() const { return words_checked_; }

 private:
  int device_ = 0;
  WordGrid grid_;
  DeviceBuffer counters_;
  std::uint64_t words_checked_ = 0;
};

/// An event only for ordering streams (no timing), destroyed with its owner.
class JoinEvent {
 public:
  JoinEvent() = default;
  ~JoinEvent();
  JoinEvent(const JoinEvent&) = delete;
  JoinEvent& operator=(const JoinEvent&) = delete;
  std::string create(int device);
  cudaEvent_t get() const { return event_; }

 private:
  int device_ = 0;
  cudaEvent_t event_ = nullptr;
};

}  // namespace assay::gpu
