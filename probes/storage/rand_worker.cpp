#include "probes/storage/rand_worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace assay {
namespace {

using Clock = std::chrono::steady_clock;

// Laying out, requests this large (whole blocks) go 4 at a time: untimed, but a 1 GiB
// file should not take long on a slow disk.
constexpr std::int64_t layout_request_bytes = std::int64_t{1} << 20;
constexpr std::size_t layout_depth = 4;
// Written blocks read back after the write phase, per thread.
constexpr std::size_t written_sample_size = 4096;
constexpr auto wait_slice = std::chrono::milliseconds(100);  // how often the cancel flag is polled at least

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// xoshiro256**: a few cycles per number, so drawing offsets never limits the rate.
class OffsetGenerator {
 public:
  explicit OffsetGenerator(std::uint64_t seed) {
    for (std::uint64_t& word : state_) word = seed = mix64(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  /// Uniform in [0, n): the modulo bias is below n / 2^64, nothing at file sizes.
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4]{};
};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct Extent {
  std::uint64_t offset = 0;
  std::size_t bytes = 0;
};

std::string describe_transfer(const std::string& path, bool write, const Extent& extent, std::int64_t result) {
  if (result < 0) {
    return fmt::format("{}: {} of {} B at offset {} failed: {}", path, write ? "write" : "read", extent.bytes,
                       extent.offset, std::strerror(static_cast<int>(-result)));
  }
  return fmt::format("{}: {} of {} B at offset {} transferred only {} B", path, write ? "write" : "read",
                     extent.bytes, extent.offset, result);
}

// The request loop every stage shares: keeps up to buffers.size() requests in flight,
// taking extents from next() (nullopt: no more), preparing each buffer with prepare()
// and handing every complete transfer to done() (which returns what is wrong, if
// anything). A failed or short transfer, a failed check or the cancel flag stops the
// issuing; what is in flight is then drained, so no buffer is still in use on return.
//
// Each completion's buffer is sent out again at once, one request per submission, as
// fio does by default (iodepth_batch_submit=1): gathering the completions of a wake-up
// into one submission looked cheaper but kept requests from the device longer, and
// measured 20-25% fewer reads per second on a virtio disk at depth 32.
template <class Next, class Prepare, class Done>
RandStageEnd keep_queue_full(IoQueue& queue, std::span<std::byte* const> buffers, int fd, IoRequest::Kind kind,
                             const std::string& path, const std::atomic<bool>* cancel, Next&& next,
                             Prepare&& prepare, Done&& done) {
  RandStageEnd end;
  const bool write = kind == IoRequest::Kind::write;
  std::vector<Extent> slot_extent(buffers.size());
  bool issuing = true;
  // Sends buffer `slot` out with the next extent, if there is one.
  auto issue = [&](std::size_t slot) {
    if (!issuing) return;
    const std::optional<Extent> extent = next();
    if (!extent) {
      issuing = false;
      return;
    }
    const std::span<std::byte> buffer(buffers[slot], extent->bytes);
    prepare(buffer, extent->offset);
    slot_extent[slot] = *extent;
    const IoRequest request{kind, fd, extent->offset, buffer, slot};
    if (auto sent = queue.submit({&request, 1}); !sent) {
      end.error = fmt::format("{}: submitting a {} at offset {}: {}", path, write ? "write" : "read", extent->offset,
                              sent.error().message);
      issuing = false;
    }
  };
  for (std::size_t slot = 0; slot < buffers.size(); ++slot) issue(slot);
  std::vector<IoCompletion> completions(buffers.size());
  while (queue.in_flight() > 0) {
    auto reaped = queue.wait(completions, 1, wait_slice);
    if (!reaped) {
      // Nothing more can be reaped from this queue; its destructor waits for the rest.
      if (end.error.empty()) end.error = fmt::format("{}: waiting for I/O: {}", path, reaped.error().message);
      return end;
    }
    for (std::size_t i = 0; i < *reaped; ++i) {
      const IoCompletion& c = completions[i];
      const auto slot = static_cast<std::size_t>(c.tag);
      if (!end.error.empty()) continue;  // draining after a failure
      const Extent& extent = slot_extent[slot];
      if (c.result != static_cast<std::int64_t>(extent.bytes)) {
        end.error = describe_transfer(path, write, extent, c.result);
        issuing = false;
        continue;
      }
      if (std::optional<std::string> bad = done(c, std::span<const std::byte>(buffers[slot], extent.bytes),
                                                extent.offset)) {
        end.error = std::move(*bad);
        issuing = false;
        continue;
      }
      issue(slot);
    }
    if (issuing && cancel && cancel->load(std::memory_order_relaxed)) {
      end.interrupted = true;
      issuing = false;
    }
  }
  return end;
}

}  // namespace

void RandWorker::FreeDeleter::operator()(std::byte* p) const { std::free(p); }

Expected<RandWorker> RandWorker::create(RandFile file, const RandIo& io) {
  RandWorker worker;
  worker.file_ = std::move(file);
  worker.io_ = io;
  {
    // The stages make their own queues on their own threads; this one only settles
    // which engine they use, so that "auto" means the same in every stage.
    auto choice = make_io_queue(io.engine, io.depth);
    if (!choice) return choice.error();
    worker.engine_ = io_engine_name(choice->queue->engine());
    worker.engine_note_ = std::move(choice->note);
  }
  // The layout requests are the largest; the phases use the first block_bytes.
  const std::int64_t layout_bytes = std::max(io.block_bytes, layout_request_bytes / io.block_bytes * io.block_bytes);
  worker.buffer_bytes_ = std::min(layout_bytes, std::max(io.block_bytes, worker.file_.bytes));
  const auto alignment = static_cast<std::size_t>(std::max<std::int64_t>(io.alignment_bytes, 4096));
  for (int i = 0; i < io.depth; ++i) {
    // Only layout_depth buffers are ever used for the large layout requests.
    const std::int64_t bytes = static_cast<std::size_t>(i) < layout_depth ? worker.buffer_bytes_ : io.block_bytes;
    void* p = nullptr;
    if (posix_memalign(&p, alignment, static_cast<std::size_t>(bytes)) != 0) {
      return environment_error(fmt::format("cannot allocate {} I/O buffers of {} B", io.depth, io.block_bytes));
    }
    worker.buffers_.emplace_back(static_cast<std::byte*>(p));
  }
  return worker;
}

Expected<std::unique_ptr<IoQueue>> RandWorker::make_queue() const {
  auto choice = make_io_queue(engine_, io_.depth);
  if (!choice) return Error{choice.error().kind, fmt::format("{}: {}", file_.path, choice.error().message)};
  return std::move(choice->queue);
}

Expected<int> RandWorker::open_file(int flags, std::string_view why) const {
  const int fd = ::open(file_.path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) return environment_error(fmt::format("{}: cannot open {}: {}", file_.path, why, std::strerror(errno)));
  return fd;
}

RandStageEnd RandWorker::lay_out(const StampPattern& pattern, const std::atomic<bool>* cancel) {
  auto opened = open_file(O_WRONLY | O_CREAT | O_TRUNC | (io_.direct ? O_DIRECT : 0), "to lay it out");
  if (!opened) return {false, opened.error().message};
  const FileDescriptor fd(*opened);
  auto queue = make_queue();  // after fd: goes first, waiting for what is in flight
  if (!queue) return {false, queue.error().message};
  std::vector<std::byte*> buffers;
  for (std::size_t i = 0; i < std::min(layout_depth, buffers_.size()); ++i) buffers.push_back(buffers_[i].get());
  const auto file_bytes = static_cast<std::uint64_t>(file_.bytes);
  const auto request_bytes = static_cast<std::uint64_t>(buffer_bytes_);
  std::uint64_t next_offset = 0;
  RandStageEnd end = keep_queue_full(
      **queue, buffers, fd.get(), IoRequest::Kind::write, file_.path, cancel,
      [&]() -> std::optional<Extent> {
        if (next_offset >= file_bytes) return std::nullopt;
        const Extent extent{next_offset, static_cast<std::size_t>(std::min(request_bytes, file_bytes - next_offset))};
        next_offset += extent.bytes;
        return extent;
      },
      [&](std::span<std::byte> buffer, std::uint64_t offset) { pattern.fill(buffer, file_.number, offset); },
      [](const IoCompletion&, std::span<const std::byte>, std::uint64_t) { return std::optional<std::string>(); });
  queue->reset();
  if (!end.error.empty() || end.interrupted) return end;
  if (::fsync(fd.get()) != 0) {
    end.error =
        fmt::format("{}: fsync after laying out {} B failed: {}", file_.path, file_.bytes, std::strerror(errno));
  }
  return end;
}

RandPhaseOutcome RandWorker::run_phase(bool write, const RandWindow& window, const StampPattern& pattern,
                                       std::uint64_t seed, const std::atomic<bool>* cancel) {
  RandPhaseOutcome outcome;
  outcome.interval_ops.assign(static_cast<std::size_t>(window.intervals), 0);
  // Buffered writes are opened O_DSYNC: each completes on stable storage (fio's
  // sync=dsync), otherwise the figure would be the page cache's.
  const int flags = write ? (O_WRONLY | (io_.direct ? O_DIRECT : O_DSYNC)) : (O_RDONLY | (io_.direct ? O_DIRECT : 0));
  auto opened = open_file(flags, write ? "for random writes" : "for random reads");
  if (!opened) {
    outcome.end.error = opened.error().message;
    return outcome;
  }
  const FileDescriptor fd(*opened);
  auto queue = make_queue();  // after fd: goes first, waiting for what is in flight
  if (!queue) {
    outcome.end.error = queue.error().message;
    return outcome;
  }
  // Buffered, no read-ahead: each 4 KiB read costs one device read, as fio's fadvise_hint.
  if (!io_.direct) (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_RANDOM);

  std::vector<std::byte*> buffers;
  for (const AlignedBuffer& b : buffers_) buffers.push_back(b.get());
  const auto block = static_cast<std::size_t>(io_.block_bytes);
  const auto blocks = static_cast<std::uint64_t>(file_.bytes / io_.block_bytes);
  OffsetGenerator offsets(seed);
  const std::int64_t window_ns = std::max<std::int64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(window.counted_until - window.counted_from).count(), 1);
  std::int64_t writes_done = 0;

  // Counts a completion that falls inside the window.
  auto count = [&](const IoCompletion& c) {
    if (c.completed < window.counted_from || c.completed >= window.counted_until) return;
    ++outcome.counted_ops;
    const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(c.completed - window.counted_from);
    const auto interval = static_cast<std::size_t>(since.count() * window.intervals / window_ns);
    ++outcome.interval_ops[std::min(interval, outcome.interval_ops.size() - 1)];
    outcome.latency.record(std::chrono::duration_cast<std::chrono::nanoseconds>(c.completed - c.submitted).count());
  };
  auto next = [&]() -> std::optional<Extent> {
    if (Clock::now() >= window.counted_until) return std::nullopt;
    return Extent{offsets.below(blocks) * block, block};
  };
  if (write) {
    outcome.end = keep_queue_full(
        **queue, buffers, fd.get(), IoRequest::Kind::write, file_.path, cancel, next,
        [&](std::span<std::byte> buffer, std::uint64_t offset) { pattern.fill(buffer, file_.number, offset); },
        [&](const IoCompletion& c, std::span<const std::byte>, std::uint64_t offset) {
          count(c);
          // A uniform sample of the writes (reservoir sampling) for the read-back check.
          ++writes_done;
          if (outcome.written_offsets.size() < written_sample_size) {
            outcome.written_offsets.push_back(offset);
          } else if (const std::uint64_t j = offsets.below(static_cast<std::uint64_t>(writes_done));
                     j < written_sample_size) {
            outcome.written_offsets[j] = offset;
          }
          return std::optional<std::string>();
        });
  } else {
    outcome.end = keep_queue_full(
        **queue, buffers, fd.get(), IoRequest::Kind::read, file_.path, cancel, next,
        [](std::span<std::byte>, std::uint64_t) {},
        [&](const IoCompletion& c, std::span<const std::byte> data,
            std::uint64_t offset) -> std::optional<std::string> {
          count(c);
          ++outcome.checked_reads;
          if (auto bad = pattern.check(data, file_.number, offset)) {
            return fmt::format("{}: random read check failed at {}", file_.path, *bad);
          }
          return std::nullopt;
        });
  }
  return outcome;
}

RandStageEnd RandWorker::check_blocks(std::span<const std::uint64_t> offsets, const StampPattern& pattern,
                                      const std::atomic<bool>* cancel, std::int64_t& checked) {
  auto opened = open_file(O_RDONLY | (io_.direct ? O_DIRECT : 0), "to read back written blocks");
  if (!opened) return {false, opened.error().message};
  const FileDescriptor fd(*opened);
  auto queue = make_queue();  // after fd: goes first, waiting for what is in flight
  if (!queue) return {false, queue.error().message};
  std::vector<std::byte*> buffers;
  for (const AlignedBuffer& b : buffers_) buffers.push_back(b.get());
  const auto block = static_cast<std::size_t>(io_.block_bytes);
  std::size_t next_index = 0;
  return keep_queue_full(
      **queue, buffers, fd.get(), IoRequest::Kind::read, file_.path, cancel,
      [&]() -> std::optional<Extent> {
        if (next_index >= offsets.size()) return std::nullopt;
        return Extent{offsets[next_index++], block};
      },
      [](std::span<std::byte>, std::uint64_t) {},
      [&](const IoCompletion&, std::span<const std::byte> data, std::uint64_t offset) -> std::optional<std::string> {
        ++checked;
        if (auto bad = pattern.check(data, file_.number, offset)) {
          return fmt::format("{}: a block written in the write phase read back wrong at {}", file_.path, *bad);
        }
        return std::nullopt;
      });
}

}  // namespace assay
