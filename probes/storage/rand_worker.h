#pragma once
// One thread's file in storage.rand: laid out once, then read and written at random
// block offsets with a queue of requests kept full for a ramp and a timed window, and
// finally a sample of the blocks it wrote read back and checked.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/expected.h"
#include "probes/storage/block_stamp.h"
#include "probes/storage/io_queue.h"
#include "probes/storage/latency_histogram.h"

namespace assay {

struct RandFile {
  std::string path;
  std::uint32_t number = 0;  ///< stamped into every unit (block_stamp.h)
  std::int64_t bytes = 0;    ///< a whole number of blocks
};

struct RandIo {
  bool direct = false;                  ///< O_DIRECT; otherwise buffered, writes O_DSYNC
  std::int64_t alignment_bytes = 4096;  ///< of buffers (O_DIRECT)
  std::int64_t block_bytes = 4096;
  int depth = 32;
  std::string engine = "auto";  ///< make_io_queue()'s choice
};

/// When a phase counts: the completions inside [counted_from, counted_until), in
/// `intervals` equal parts. No request is issued after counted_until.
struct RandWindow {
  std::chrono::steady_clock::time_point counted_from{}, counted_until{};
  int intervals = 1;
};

/// How a stage ended: error is empty when it did all it had to.
struct RandStageEnd {
  bool interrupted = false;  ///< the cancel flag stopped it
  std::string error;         ///< names the file, offset and what failed
};

struct RandPhaseOutcome {
  RandStageEnd end;
  std::int64_t counted_ops = 0;         ///< completed inside the window
  std::vector<std::int64_t> interval_ops;  ///< of those, per interval
  LatencyHistogram latency;             ///< of those
  std::int64_t checked_reads = 0;       ///< every read completed, ramp and drain included
  std::vector<std::uint64_t> written_offsets;  ///< a uniform sample of the writes completed
};

/// Each stage runs on a thread of its own with an I/O queue made on that thread
/// (io_queue.h); the worker keeps the buffers and the engine chosen at creation.
class RandWorker {
 public:
  /// Chooses the engine (make_io_queue) and allocates the aligned buffers; nothing is
  /// written yet.
  static Expected<RandWorker> create(RandFile file, const RandIo& io);

  const RandFile& file() const { return file_; }
  const std::string& engine_note() const { return engine_note_; }

  /// Writes the whole file from the start with `pattern`'s content in large requests
  /// (reads then find real data, as fio lays out its files), and fsyncs it. Untimed.
  RandStageEnd lay_out(const StampPattern& pattern, const std::atomic<bool>* cancel);

  /// Random block reads (checked against `pattern`) or writes (filled from `pattern`)
  /// at uniform block-aligned offsets drawn from `seed`, `depth` in flight, from now
  /// until window.counted_until.
  RandPhaseOutcome run_phase(bool write, const RandWindow& window, const StampPattern& pattern, std::uint64_t seed,
                             const std::atomic<bool>* cancel);

  /// Reads back the blocks at `offsets` and checks them against `pattern`; counts them.
  RandStageEnd check_blocks(std::span<const std::uint64_t> offsets, const StampPattern& pattern,
                            const std::atomic<bool>* cancel, std::int64_t& checked);

 private:
  struct FreeDeleter {
    void operator()(std::byte* p) const;
  };
  using AlignedBuffer = std::unique_ptr<std::byte, FreeDeleter>;

  RandWorker() = default;
  Expected<int> open_file(int flags, std::string_view why) const;
  /// A queue for the calling thread, of the engine chosen at creation.
  Expected<std::unique_ptr<IoQueue>> make_queue() const;

  RandFile file_;
  RandIo io_;
  std::string engine_;  ///< "io_uring" or "threads", as make_io_queue() chose at creation
  std::string engine_note_;
  std::vector<AlignedBuffer> buffers_;  ///< depth of them; the first few hold a layout request
  std::int64_t buffer_bytes_ = 0;       ///< of a layout request
};

}  // namespace assay
