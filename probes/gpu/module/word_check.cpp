#include "probes/gpu/module/word_check.h"

#include <fmt/format.h>

#include <array>

#include "probes/gpu/bandwidth_pattern.h"

namespace assay::gpu {

std::string use_device_with_grids(int device, WordGrids& grids) {
  if (std::string f = cuda_failure(cudaSetDevice(device), "cudaSetDevice", device); !f.empty()) return f;
  int multiprocessors = 0;
  if (std::string f = cuda_failure(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device),
                                   "cudaDeviceGetAttribute(multiprocessors)", device);
      !f.empty()) {
    return f;
  }
  return cuda_failure(word_kernel_grids(multiprocessors, grids), "cudaOccupancyMaxActiveBlocksPerMultiprocessor", device);
}

namespace {

std::string read_word(const void* data, std::uint64_t index, cudaStream_t stream, int device, std::uint64_t& value) {
  return cuda_failure(cudaMemcpyAsync(&value, static_cast<const unsigned char*>(data) + 8 * index, 8,
                                      cudaMemcpyDeviceToHost, stream),
                      "cudaMemcpyAsync(check word)", device);
}

std::string mismatch_text(std::string_view what, int device, std::uint64_t count, std::uint64_t words,
                          std::uint64_t index, std::uint64_t value, std::uint64_t salt) {
  return fmt::format("{} on gpu{}: {} of {} words differ from the pattern; the first, word {} (byte {}), holds "
                     "{:#018x} where {:#018x} belongs",
                     what, device, count, words, index, 8 * index, value, pattern_word(index, salt));
}

}  // namespace

std::string WordChecker::create(int device, const WordGrid& grid) {
  device_ = device;
  grid_ = grid;
  return counters_.allocate(device, 2 * sizeof(unsigned long long));
}

std::string WordChecker::check(const void* data, std::uint64_t words, std::uint64_t salt, cudaStream_t stream,
                               std::string_view what, std::string& failure) {
  if (words == 0) return {};
  if (std::string f = cuda_failure(cudaSetDevice(device_), "cudaSetDevice", device_); !f.empty()) return f;
  // Pageable host memory: these small copies are staged and so done by the time the
  // stream is synchronised, which is all that is needed outside the timed sections.
  std::array<unsigned long long, 2> counters{0, ~0ULL};
  auto* device_counters = static_cast<unsigned long long*>(counters_.get());
  if (std::string f = cuda_failure(cudaMemcpyAsync(device_counters, counters.data(), sizeof counters,
                                                   cudaMemcpyHostToDevice, stream),
                                   "cudaMemcpyAsync(check counters)", device_);
      !f.empty()) {
    return f;
  }
  if (std::string f = cuda_failure(launch_check(data, words, salt, device_counters, grid_, stream),
                                   "launching the check kernel", device_);
      !f.empty()) {
    return f;
  }
  if (std::string f = cuda_failure(cudaMemcpyAsync(counters.data(), device_counters, sizeof counters,
                                                   cudaMemcpyDeviceToHost, stream),
                                   "cudaMemcpyAsync(check counters)", device_);
      !f.empty()) {
    return f;
  }
  const std::array<std::uint64_t, 3> spots{0, words / 2, words - 1};
  std::array<std::uint64_t, 3> spot_values{};
  for (std::size_t i = 0; i < spots.size(); ++i) {
    if (std::string f = read_word(data, spots[i], stream, device_, spot_values[i]); !f.empty()) return f;
  }
  if (std::string f = cuda_failure(cudaStreamSynchronize(stream), "cudaStreamSynchronize(check)", device_); !f.empty()) {
    return f;
  }
  words_checked_ += words;
  if (counters[0] != 0) {
    std::uint64_t value = 0;
    const std::uint64_t index = counters[1] < words ? counters[1] : 0;
    if (std::string f = read_word(data, index, stream, device_, value); !f.empty()) return f;
    if (std::string f = cuda_failure(cudaStreamSynchronize(stream), "cudaStreamSynchronize(check)", device_);
        !f.empty()) {
      return f;
    }
    if (failure.empty()) failure = mismatch_text(what, device_, counters[0], words, index, value, salt);
    return {};
  }
  for (std::size_t i = 0; i < spots.size(); ++i) {
    if (spot_values[i] != pattern_word(spots[i], salt) && failure.empty()) {
      failure = fmt::format("{} on gpu{}: the check kernel found every word right, but word {} read back to the host "
                            "holds {:#018x} where {:#018x} belongs (the check itself is broken)",
                            what, device_, spots[i], spot_values[i], pattern_word(spots[i], salt));
    }
  }
  return {};
}

JoinEvent::~JoinEvent() {
  if (event_ == nullptr) return;
  cudaSetDevice(device_);
  cudaEventDestroy(event_);
}

std::string JoinEvent::create(int device) {
  device_ = device;
  if (std::string f = cuda_failure(cudaSetDevice(device), "cudaSetDevice", device); !f.empty()) return f;
  return cuda_failure(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming), "cudaEventCreateWithFlags", device);
}

}  // namespace assay::gpu
