#pragma once
// Block I/O with requests in flight: io_uring (liburing) where the kernel allows it,
// otherwise a pool of threads doing pread/pwrite, one request each, so the queue depth
// asked for is still the number of requests in flight. The storage probes submit
// reads and writes of whole blocks and reap completions with their times.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace assay {

enum class IoEngine { io_uring, threads };
std::string_view io_engine_name(IoEngine engine);  ///< "io_uring" | "threads"

struct IoRequest {
  enum class Kind { read, write };
  Kind kind = Kind::read;
  int fd = -1;
  std::uint64_t offset = 0;
  std::span<std::byte> buffer;  ///< read into / write from; stays valid until completed
  std::uint64_t tag = 0;        ///< the caller's, returned with the completion
};

struct IoCompletion {
  std::uint64_t tag = 0;
  /// Bytes transferred, or -errno. A short transfer is reported as it is; the caller
  /// decides (a storage probe treats it as an error naming file and offset).
  std::int64_t result = 0;
  std::chrono::steady_clock::time_point submitted{}, completed{};
};

/// Used (submit, wait, destruction) by the thread that made it: the io_uring engine
/// sets its ring up as fio does, single issuer with completions run when that thread
/// waits (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN), which other threads may not use.
class IoQueue {
 public:
  virtual ~IoQueue() = default;
  virtual IoEngine engine() const = 0;
  /// Requests that may be in flight at once.
  virtual int depth() const = 0;
  /// Queues `requests` (at most depth() minus those in flight) and starts them.
  virtual Expected<void> submit(std::span<const IoRequest> requests) = 0;
  /// Waits until at least `min_completions` (<= in flight) have completed or `timeout`
  /// has passed, then returns what completed (up to out.size()). Zero completions
  /// after the timeout is not an error: the caller polls its cancel flag and waits again.
  virtual Expected<std::size_t> wait(std::span<IoCompletion> out, std::size_t min_completions,
                                     std::chrono::milliseconds timeout) = 0;
  /// Requests submitted and not yet returned by wait().
  virtual int in_flight() const = 0;
};

/// What make_io_queue() chose, and why.
struct IoQueueChoice {
  std::unique_ptr<IoQueue> queue;
  /// "io_uring", or "threads (io_uring unavailable: io_uring_queue_init: Operation
  /// not permitted)", or "threads (asked for)"; goes into the probe's notes.
  std::string note;
};

/// `engine` is "auto" (io_uring when it works here, else threads), "io_uring" (an
/// environment Error when it does not work) or "threads". `depth` >= 1. Destroying a
/// queue with requests in flight waits for them (their buffers must outlive it).
Expected<IoQueueChoice> make_io_queue(std::string_view engine, int depth);

}  // namespace assay
