// gpu.pcie on one device: host-to-device, device-to-host, and both at once on two
// streams (the GPU has a copy engine per direction), between pinned host memory and
// device memory, each timed with CUDA events. Every copy's destination is checked: the
// device's with the check kernel, the host's word by word on the CPU; destinations are
// poisoned (device) or given a new salt (host side of a device-to-host copy) before each
// copy, so a copy that did not happen is caught.
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

struct PcieState {
  int device = 0;
  std::uint64_t bytes = 0, words = 0;
  WordGrids grids;
  TimedStream up, down;  // streams: host-to-device, device-to-host (bidir runs both at once)
  SectionTimer timer;
  JoinEvent down_done;
  PinnedBuffer host_source, host_destination;
  DeviceBuffer device_in, device_out;  // h2d's destination, d2h's source
  WordChecker checker;
};

std::string prepare(PcieState& s) {
  const int device = s.device;
  if (std::string f = use_device_with_grids(device, s.grids); !f.empty()) return f;
  if (std::string f = s.up.create(device); !f.empty()) return f;
  if (std::string f = s.down.create(device); !f.empty()) return f;
  if (std::string f = s.timer.create(device); !f.empty()) return f;
  if (std::string f = s.down_done.create(device); !f.empty()) return f;
  // Allocated by the calling thread: where the host has bound it to the GPU's NUMA node,
  // the pinned pages land there.
  if (std::string f = s.host_source.allocate(s.bytes); !f.empty()) return fmt::format("gpu{}: {}", device, f);
  if (std::string f = s.host_destination.allocate(s.bytes); !f.empty()) return fmt::format("gpu{}: {}", device, f);
  if (std::string f = s.device_in.allocate(device, s.bytes); !f.empty()) return f;
  if (std::string f = s.device_out.allocate(device, s.bytes); !f.empty()) return f;
  if (std::string f = s.checker.create(device, s.grids.check); !f.empty()) return f;
  fill_pattern(static_cast<std::uint64_t*>(s.host_source.get()), s.words, kSourceSalt);
  return {};
}

std::string h2d(PcieState& s) {
  return cuda_failure(cudaMemcpyAsync(s.device_in.get(), s.host_source.get(), s.bytes, cudaMemcpyHostToDevice, s.up.stream()),
                      "cudaMemcpyAsync(host to device)", s.device);
}

std::string d2h(PcieState& s, cudaStream_t stream) {
  return cuda_failure(cudaMemcpyAsync(s.host_destination.get(), s.device_out.get(), s.bytes, cudaMemcpyDeviceToHost, stream),
                      "cudaMemcpyAsync(device to host)", s.device);
}

// Poisons h2d's destination and gives d2h's source the salt `salt`, then waits.
std::string set_up_copies(PcieState& s, std::uint64_t salt) {
  const cudaStream_t stream = s.up.stream();
  if (std::string f = cuda_failure(launch_write(s.device_in.get(), s.words, kPoisonSalt, s.grids.write, stream),
                                   "launching the write kernel (poison)", s.device);
      !f.empty()) {
    return f;
  }
  if (std::string f = cuda_failure(launch_write(s.device_out.get(), s.words, salt, s.grids.write, stream),
                                   "launching the write kernel (source)", s.device);
      !f.empty()) {
    return f;
  }
  return cuda_failure(cudaStreamSynchronize(stream), "cudaStreamSynchronize", s.device);
}

void check_host(const PcieState& s, std::uint64_t salt, std::string_view what, std::string& failure) {
  const auto mismatch = find_pattern_mismatch(static_cast<const std::uint64_t*>(s.host_destination.get()), s.words, salt);
  if (mismatch && failure.empty()) {
    failure = fmt::format("{} on gpu{}: {} of {} words in pinned host memory differ from the pattern; the first, word "
                          "{} (byte {}), holds {:#018x} where {:#018x} belongs",
                          what, s.device, mismatch->count, s.words, mismatch->first_index, 8 * mismatch->first_index,
                          mismatch->first_value, pattern_word(mismatch->first_index, salt));
  }
}

// One round: h2d, d2h, then both at once; each timed, then checked.
std::string run_round(PcieState& s, int round, bool timed, PcieOutcome& out) {
  const cudaStream_t up = s.up.stream(), down = s.down.stream();
  // Two salts per round for d2h's source, so the host destination never already holds
  // what a copy is to bring.
  const std::uint64_t salt_d2h = kWriteSaltBase + 2 * static_cast<std::uint64_t>(round);
  const std::uint64_t salt_bidir = salt_d2h + 1;
  double seconds = 0;

  if (std::string f = set_up_copies(s, salt_d2h); !f.empty()) return f;
  if (std::string f = s.timer.time(up, 1, [&] { return h2d(s); }, seconds); !f.empty()) return f;
  if (timed) out.h2d_seconds.push_back(seconds);
  if (std::string f = s.checker.check(s.device_in.get(), s.words, kSourceSalt, up,
                                      fmt::format("host-to-device copy, round {}", round), out.check_failure);
      !f.empty()) {
    return f;
  }

  if (std::string f = s.timer.time(up, 1, [&] { return d2h(s, up); }, seconds); !f.empty()) return f;
  if (timed) out.d2h_seconds.push_back(seconds);
  check_host(s, salt_d2h, fmt::format("device-to-host copy, round {}", round), out.check_failure);

  if (std::string f = set_up_copies(s, salt_bidir); !f.empty()) return f;
  const auto both = [&]() -> std::string {
    // The down stream joins the section at its start event and is joined back before the
    // stop event, so the time covers both copies from the first start to the last end.
    if (std::string f = cuda_failure(cudaStreamWaitEvent(down, s.timer.start_event(), 0), "cudaStreamWaitEvent", s.device);
        !f.empty()) {
      return f;
    }
    if (std::string f = h2d(s); !f.empty()) return f;
    if (std::string f = d2h(s, down); !f.empty()) return f;
    if (std::string f = cuda_failure(cudaEventRecord(s.down_done.get(), down), "cudaEventRecord", s.device); !f.empty()) {
      return f;
    }
    return cuda_failure(cudaStreamWaitEvent(up, s.down_done.get(), 0), "cudaStreamWaitEvent", s.device);
  };
  if (std::string f = s.timer.time(up, 5, both, seconds); !f.empty()) return f;
  if (timed) out.bidir_seconds.push_back(seconds);
  if (std::string f = s.checker.check(s.device_in.get(), s.words, kSourceSalt, up,
                                      fmt::format("host-to-device half of both at once, round {}", round),
                                      out.check_failure);
      !f.empty()) {
    return f;
  }
  check_host(s, salt_bidir, fmt::format("device-to-host half of both at once, round {}", round), out.check_failure);
  return {};
}

}  // namespace

PcieOutcome run_pcie(const PcieRequest& request) {
  PcieOutcome out;
  if (request.bytes < 8 || request.bytes % 8 != 0) {
    out.error = fmt::format("gpu.pcie on gpu{}: bytes={} must be a positive multiple of 8", request.device, request.bytes);
    return out;
  }
  if (request.warmup < 0 || request.repetitions < 1) {
    out.error = fmt::format("gpu.pcie on gpu{}: warmup={} and repetitions={}: expected >= 0 and >= 1", request.device,
                            request.warmup, request.repetitions);
    return out;
  }
  PcieState s;
  s.device = request.device;
  s.bytes = request.bytes;
  s.words = request.bytes / 8;
  if (std::string f = prepare(s); !f.empty()) {
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
    if (std::string f = run_round(s, round, round >= request.warmup, out); !f.empty()) {
      out.error = std::move(f);
      return out;
    }
    if (!out.check_failure.empty()) return out;
  }
  out.check_detail = fmt::format(
      "every copy of every round ({} warm-up + {} timed) checked in full: device destinations (poisoned before each "
      "copy) word by word on the device plus 3 words on the host, host destinations (a new pattern salt per copy) word "
      "by word on the CPU",
      request.warmup, request.repetitions);
  if (s.timer.retried_sections() > 0 || s.timer.late_sections() > 0) {
    out.check_detail += fmt::format("; {} timed section(s) re-run because the host queued them late, {} still late",
                                    s.timer.retried_sections(), s.timer.late_sections());
  }
  return out;
}

}  // namespace assay::gpu
