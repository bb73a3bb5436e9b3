#include "probes/storage/seq_transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "probes/storage/io_queue.h"

namespace assay {
namespace {

using Clock = std::chrono::steady_clock;

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<std::byte, FreeDeleter>;

AlignedBuffer aligned_buffer(std::int64_t alignment, std::int64_t bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, static_cast<std::size_t>(alignment), static_cast<std::size_t>(bytes)) != 0) return nullptr;
  return AlignedBuffer(static_cast<std::byte*>(p));
}

class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The request loop over one file. Returns false when the thread must stop (error,
// cancel); the outcome says why.
bool transfer_file(SeqFile& file, const SeqPhase& phase, const StampPattern& pattern, IoQueue& queue,
                   std::vector<AlignedBuffer>& buffers, SeqThreadOutcome& outcome) {
  // Writing, the file exists already (preallocate_seq_file), so the clock does not
  // include freeing the previous repetition's blocks.
  int flags = phase.write ? (O_WRONLY | O_CREAT) : O_RDONLY;
  if (phase.direct) flags |= O_DIRECT;
  FileHandle fd(::open(file.path.c_str(), flags | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    outcome.error = fmt::format("{}: cannot open for {}: {}", file.path, phase.write ? "writing" : "reading",
                                std::strerror(errno));
    return false;
  }
  const std::int64_t limit = phase.write ? file.planned_bytes : file.written_bytes;
  const auto block = static_cast<std::size_t>(phase.block_bytes);
  std::vector<std::int64_t> slot_offset(buffers.size(), 0);
  std::vector<std::size_t> free_slots;
  for (std::size_t s = buffers.size(); s-- > 0;) free_slots.push_back(s);
  std::vector<IoCompletion> done(buffers.size());
  std::int64_t next = 0;
  bool submitting = true;
  while (true) {
    while (submitting && !free_slots.empty() && next < limit) {
      const std::size_t slot = free_slots.back();
      const std::span<std::byte> buffer(buffers[slot].get(), block);
      if (phase.write) pattern.fill(buffer, file.number, static_cast<std::uint64_t>(next));
      const IoRequest request{phase.write ? IoRequest::Kind::write : IoRequest::Kind::read, fd.get(),
                              static_cast<std::uint64_t>(next), buffer, slot};
      if (auto sent = queue.submit({&request, 1}); !sent) {
        outcome.error = fmt::format("{}: submitting the {} at offset {}: {}", file.path,
                                    phase.write ? "write" : "read", next, sent.error().message);
        submitting = false;
        break;
      }
      free_slots.pop_back();
      slot_offset[slot] = next;
      next += phase.block_bytes;
    }
    if (queue.in_flight() == 0) break;
    auto reaped = queue.wait(done, 1, std::chrono::milliseconds(100));
    if (!reaped) {
      outcome.error = fmt::format("{}: waiting for I/O: {}", file.path, reaped.error().message);
      return false;  // the queue's destructor waits for what is still in flight
    }
    for (std::size_t i = 0; i < *reaped; ++i) {
      const auto slot = static_cast<std::size_t>(done[i].tag);
      free_slots.push_back(slot);
      if (!outcome.error.empty()) continue;  // draining after a failure
      const std::int64_t offset = slot_offset[slot];
      if (done[i].result != phase.block_bytes) {
        outcome.error =
            done[i].result < 0
                ? fmt::format("{}: {} of {} B at offset {} failed: {}", file.path, phase.write ? "write" : "read",
                              phase.block_bytes, offset, std::strerror(static_cast<int>(-done[i].result)))
                : fmt::format("{}: {} of {} B at offset {} transferred only {} B", file.path,
                              phase.write ? "write" : "read", phase.block_bytes, offset, done[i].result);
        submitting = false;
        continue;
      }
      if (!phase.write) {
        if (auto bad = pattern.check({buffers[slot].get(), block}, file.number, static_cast<std::uint64_t>(offset))) {
          outcome.error = fmt::format("{}: read-back check failed at {}", file.path, *bad);
          submitting = false;
          continue;
        }
      }
      outcome.bytes += phase.block_bytes;
    }
    if (phase.cancel && phase.cancel->load(std::memory_order_relaxed)) {
      outcome.interrupted = true;
      submitting = false;
    }
    if (submitting && next < limit && Clock::now() >= phase.stonewall) {
      outcome.stonewalled = true;
      submitting = false;
    }
  }
  if (!outcome.error.empty() || outcome.interrupted) return false;
  if (phase.write) {
    // Inside the clock: a write phase ends when the data is on stable storage.
    if (::fsync(fd.get()) != 0) {
      outcome.error = fmt::format("{}: fsync after writing {} B failed: {}", file.path, next, std::strerror(errno));
      return false;
    }
    file.written_bytes = next;
  }
  return !outcome.stonewalled;
}

}  // namespace

bool preallocate_seq_file(const SeqFile& file, std::string& error) {
  FileHandle fd(::open(file.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    error = fmt::format("{}: cannot create: {}", file.path, std::strerror(errno));
    return false;
  }
  if (::fallocate(fd.get(), 0, 0, file.planned_bytes) == 0) return true;
  if (errno == EOPNOTSUPP || errno == ENOSYS) return false;
  error = fmt::format("{}: fallocate of {} B failed: {}", file.path, file.planned_bytes, std::strerror(errno));
  return false;
}

SeqThreadOutcome run_seq_thread(std::span<SeqFile> files, const SeqPhase& phase, const StampPattern& pattern) {
  SeqThreadOutcome outcome;
  auto choice = make_io_queue(phase.engine, phase.depth);
  if (!choice) {
    outcome.error = fmt::format("starting the I/O engine: {}", choice.error().message);
    outcome.end = Clock::now();
    return outcome;
  }
  outcome.engine_note = choice->note;
  std::vector<AlignedBuffer> buffers;
  for (int i = 0; i < phase.depth; ++i) {
    buffers.push_back(aligned_buffer(std::max<std::int64_t>(phase.alignment_bytes, 4096), phase.block_bytes));
    if (!buffers.back()) {
      outcome.error = fmt::format("cannot allocate {} buffers of {} B", phase.depth, phase.block_bytes);
      outcome.end = Clock::now();
      return outcome;
    }
  }
  for (SeqFile& file : files) {
    if (!phase.write && file.written_bytes == 0) continue;
    if (!transfer_file(file, phase, pattern, *choice->queue, buffers, outcome)) break;
  }
  choice->queue.reset();  // waits for anything still in flight before the buffers go
  outcome.end = Clock::now();
  return outcome;
}

}  // namespace assay
