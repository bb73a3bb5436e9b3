// gpu.hbm on one device: read (a sum of every word), write (the pattern) and copy, each
// kernel timed alone with CUDA events, in BabelStream's manner: every round runs the
// three kernels in turn and every result is checked before the next round.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "probes/gpu/bandwidth_pattern.h"
#include "probes/gpu/module/hbm_kernels.h"
#include "probes/gpu/module/module_parts.h"
#include "probes/gpu/module/module_util.h"
#include "probes/gpu/module/section_timer.h"
#include "probes/gpu/module/word_check.h"

namespace assay::gpu {
namespace {

// Everything a run holds on the device, freed when it ends.
struct HbmState {
  int device = 0;
  std::uint64_t words = 0;
  WordGrids grids;
  TimedStream stream;  // its stream; sections are timed by `timer`
  SectionTimer timer;
  DeviceBuffer a, b, block_sums;
  WordChecker checker;
};

std::string prepare(HbmState& s, const HbmRequest& request) {
  const int device = s.device = request.device;
  if (std::string f = use_device_with_grids(device, s.grids); !f.empty()) return f;
  if (std::string f = s.stream.create(device); !f.empty()) return f;
  if (std::string f = s.timer.create(device); !f.empty()) return f;
  if (std::string f = s.a.allocate(device, request.array_bytes); !f.empty()) return f;
  if (std::string f = s.b.allocate(device, request.array_bytes); !f.empty()) return f;
  if (std::string f = s.block_sums.allocate(device, s.grids.read.blocks * sizeof(unsigned long long)); !f.empty()) {
    return f;
  }
  return s.checker.create(device, s.grids.check);
}

std::string launch_text(const HbmState& s, int multiprocessors) {
  const auto grid = [&](const WordGrid& g) {
    return fmt::format("{} blocks ({} SMs x {} resident)", g.blocks, multiprocessors, g.blocks_per_sm);
  };
  return fmt::format("read {}, write {}, copy {}; {} threads per block, grid-stride loops with 16-byte "
                     "accesses (ulonglong2), 4 in flight per thread",
                     grid(s.grids.read), grid(s.grids.write), grid(s.grids.copy), kWordThreads);
}

// One round: the three kernels, each timed and then checked. Seconds are appended only
// when `timed`.
std::string run_round(HbmState& s, int round, bool timed, HbmOutcome& out) {
  const cudaStream_t stream = s.stream.stream();
  const int device = s.device;
  double seconds = 0;
  auto* block_sums = static_cast<unsigned long long*>(s.block_sums.get());

  // Cleared first, so a read that did not happen cannot pass on the last round's sums.
  if (std::string f = cuda_failure(cudaMemsetAsync(block_sums, 0, s.block_sums.bytes(), stream), "cudaMemsetAsync(block sums)",
                                   device);
      !f.empty()) {
    return f;
  }
  if (std::string f = s.timer.time(stream, 1,
                                   [&] {
                                     return cuda_failure(launch_read_sum(s.a.get(), s.words, block_sums, s.grids.read, stream),
                                                         "launching the read kernel", device);
                                   },
                                   seconds);
      !f.empty()) {
    return f;
  }
  if (timed) out.read_seconds.push_back(seconds);
  std::vector<unsigned long long> sums(s.grids.read.blocks);
  if (std::string f = cuda_failure(cudaMemcpyAsync(sums.data(), block_sums, sums.size() * sizeof sums[0],
                                                   cudaMemcpyDeviceToHost, stream),
                                   "cudaMemcpyAsync(block sums)", device);
      !f.empty()) {
    return f;
  }
  if (std::string f = cuda_failure(cudaStreamSynchronize(stream), "cudaStreamSynchronize", device); !f.empty()) return f;
  unsigned long long total = 0;
  for (unsigned long long part : sums) total += part;
  if (const std::uint64_t expected = pattern_sum(s.words, kSourceSalt); total != expected && out.check_failure.empty()) {
    out.check_failure = fmt::format("read on gpu{} in round {}: the sum of the {} words is {:#018x}, not {:#018x} (mod "
                                    "2^64): words were lost or misread",
                                    device, round, s.words, total, expected);
  }

  // A salt of its own per round, so a write that did not happen leaves the previous
  // round's words and is caught.
  const std::uint64_t salt = kWriteSaltBase + static_cast<std::uint64_t>(round);
  if (std::string f = s.timer.time(stream, 1,
                                   [&] {
                                     return cuda_failure(launch_write(s.b.get(), s.words, salt, s.grids.write, stream),
                                                         "launching the write kernel", device);
                                   },
                                   seconds);
      !f.empty()) {
    return f;
  }
  if (timed) out.write_seconds.push_back(seconds);
  if (std::string f = s.checker.check(s.b.get(), s.words, salt, stream, fmt::format("write, round {}", round),
                                      out.check_failure);
      !f.empty()) {
    return f;
  }

  // b holds the write's salt now, so a copy that did not happen is caught too.
  if (std::string f = s.timer.time(stream, 1,
                                   [&] {
                                     return cuda_failure(launch_copy(s.a.get(), s.b.get(), s.words, s.grids.copy, stream),
                                                         "launching the copy kernel", device);
                                   },
                                   seconds);
      !f.empty()) {
    return f;
  }
  if (timed) out.copy_seconds.push_back(seconds);
  return s.checker.check(s.b.get(), s.words, kSourceSalt, stream, fmt::format("copy, round {}", round),
                         out.check_failure);
}

}  // namespace

HbmOutcome run_hbm(const HbmRequest& request) {
  HbmOutcome out;
  if (request.array_bytes < 16 || request.array_bytes % 16 != 0) {
    out.error = fmt::format("gpu.hbm on gpu{}: array_bytes={} must be a positive multiple of 16 (one vector access)",
                            request.device, request.array_bytes);
    return out;
  }
  if (request.warmup < 0 || request.repetitions < 1) {
    out.error = fmt::format("gpu.hbm on gpu{}: warmup={} and repetitions={}: expected >= 0 and >= 1", request.device,
                            request.warmup, request.repetitions);
    return out;
  }
  HbmState s;
  s.words = request.array_bytes / 8;
  if (std::string f = prepare(s, request); !f.empty()) {
    out.error = std::move(f);
    return out;
  }
  int multiprocessors = 0;
  cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, s.device);
  out.launch = launch_text(s, multiprocessors);

  // The source array, written once by the write kernel and checked before use.
  if (std::string f = cuda_failure(launch_write(s.a.get(), s.words, kSourceSalt, s.grids.write, s.stream.stream()),
                                   "launching the write kernel (fill)", s.device);
      !f.empty()) {
    out.error = std::move(f);
    return out;
  }
  if (std::string f = s.checker.check(s.a.get(), s.words, kSourceSalt, s.stream.stream(), "source array after the fill",
                                      out.check_failure);
      !f.empty() || !out.check_failure.empty()) {
    out.error = std::move(f);
    return out;
  }

  const int rounds = request.warmup + request.repetitions;
  for (int round = 0; round < rounds; ++round) {
    const bool timed = round >= request.warmup;
    // Warm-up done (clocks up, kernels loaded: CUDA loads modules lazily on first launch).
    if (round == request.warmup && request.control.before_timing) request.control.before_timing();
    if (request.control.cancelled()) {
      out.cancelled = true;
      return out;
    }
    if (std::string f = run_round(s, round, timed, out); !f.empty()) {
      out.error = std::move(f);
      return out;
    }
    if (!out.check_failure.empty()) return out;  // loud and early: no figure from a GPU that moves data wrongly
  }
  out.check_detail = fmt::format(
      "every round ({} warm-up + {} timed) checked: read's sum of all {} words equal to the pattern's closed form; "
      "write's and copy's destination compared word by word with the pattern on the device ({} words in all) and 3 "
      "words each read back to the host",
      request.warmup, request.repetitions, s.words, s.checker.words_checked());
  if (s.timer.retried_sections() > 0 || s.timer.late_sections() > 0) {
    out.check_detail += fmt::format("; {} timed section(s) re-run because the host queued them late, {} still late",
                                    s.timer.retried_sections(), s.timer.late_sections());
  }
  return out;
}

}  // namespace assay::gpu
