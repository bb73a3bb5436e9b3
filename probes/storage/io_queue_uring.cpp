// The io_uring engine: one ring per queue, one submission entry per request, and
// completions reaped in batches. The ring is set up as fio's io_uring engine sets up
// its own (a single issuer whose completions are run when it enters the kernel to
// submit or wait, not by interrupting it), so that the two compare like for like.
// Waiting blocks in the kernel (io_uring_wait_cqes with a timeout), so a queue with
// nothing completing costs no CPU.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "probes/storage/io_queue_engines.h"

#ifdef ASSAY_HAVE_LIBURING
#include <liburing.h>
#endif

namespace assay {

#ifdef ASSAY_HAVE_LIBURING
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int negative_errno) { return std::strerror(-negative_errno); }

class UringIoQueue final : public IoQueue {
 public:
  explicit UringIoQueue(int depth) : depth_(depth), slots_(static_cast<std::size_t>(depth)) {
    for (int s = depth - 1; s >= 0; --s) free_slots_.push_back(static_cast<std::uint32_t>(s));
    cqes_.resize(static_cast<std::size_t>(depth));
  }

  ~UringIoQueue() override {
    if (!ring_ready_) return;
    // The kernel may still be transferring into our callers' buffers: the ring goes
    // only when every request has completed.
    std::vector<IoCompletion> scratch(static_cast<std::size_t>(depth_));
    while (in_flight_ > 0) {
      auto reaped = wait(scratch, static_cast<std::size_t>(in_flight_), std::chrono::milliseconds(1000));
      if (!reaped) break;  // the ring is broken; nothing more will complete
    }
    io_uring_queue_exit(&ring_);
  }

  Expected<void> start() {
    // Kernels before 6.1 refuse the newer flags with EINVAL: each is dropped in turn.
    unsigned flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
                     IORING_SETUP_DEFER_TASKRUN;
    while (true) {
      io_uring_params params{};
      params.flags = flags;
      params.cq_entries = static_cast<unsigned>(depth_);
      const int rc = io_uring_queue_init_params(static_cast<unsigned>(depth_), &ring_, &params);
      if (rc == 0) break;
      if (rc == -EINVAL && (flags & IORING_SETUP_DEFER_TASKRUN) != 0) {
        flags &= ~(IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER);
      } else if (rc == -EINVAL && (flags & IORING_SETUP_COOP_TASKRUN) != 0) {
        flags &= ~IORING_SETUP_COOP_TASKRUN;
      } else if (rc == -EINVAL && (flags & IORING_SETUP_CQSIZE) != 0) {
        flags &= ~IORING_SETUP_CQSIZE;
      } else {
        return environment_error(fmt::format("io_uring_queue_init: {}", errno_text(rc)));
      }
    }
    ring_ready_ = true;
    // IORING_OP_READ/WRITE came in Linux 5.6; older rings would fail every request.
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    if (probe == nullptr) return environment_error("io_uring_get_probe_ring failed (kernel older than 5.6?)");
    const bool has_ops = io_uring_opcode_supported(probe, IORING_OP_READ) != 0 &&
                         io_uring_opcode_supported(probe, IORING_OP_WRITE) != 0;
    io_uring_free_probe(probe);
    if (!has_ops) return environment_error("the kernel's io_uring lacks IORING_OP_READ/WRITE (Linux 5.6+ has them)");
    return {};
  }

  IoEngine engine() const override { return IoEngine::io_uring; }
  int depth() const override { return depth_; }
  int in_flight() const override { return in_flight_; }

  Expected<void> submit(std::span<const IoRequest> requests) override {
    if (broken_) return internal_error("I/O queue: submit after a failed io_uring_submit");
    if (requests.size() > free_slots_.size()) {
      return internal_error(fmt::format("I/O queue: {} requests submitted with {} of {} already in flight",
                                        requests.size(), in_flight_, depth_));
    }
    if (requests.empty()) return {};
    const auto now = Clock::now();
    for (const IoRequest& r : requests) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      if (sqe == nullptr) return internal_error("I/O queue: io_uring submission ring full below the queue depth");
      const std::uint32_t slot = free_slots_.back();
      free_slots_.pop_back();
      slots_[slot] = {r.tag, now};
      const auto bytes = static_cast<unsigned>(r.buffer.size());
      if (r.kind == IoRequest::Kind::read) {
        io_uring_prep_read(sqe, r.fd, r.buffer.data(), bytes, r.offset);
      } else {
        io_uring_prep_write(sqe, r.fd, r.buffer.data(), bytes, r.offset);
      }
      io_uring_sqe_set_data64(sqe, slot);
    }
    // The kernel takes what it can; a transient refusal (EAGAIN: out of memory for
    // requests) is retried for up to about a second.
    std::size_t to_submit = requests.size();
    for (int retries = 0; to_submit > 0;) {
      // Submitting also posts what has completed meanwhile (as fio's submit does), so
      // the next wait() usually finds completions without entering the kernel again.
      const int rc = io_uring_submit_and_get_events(&ring_);
      if (rc > 0) {
        in_flight_ += rc;
        to_submit -= static_cast<std::size_t>(rc);
        continue;
      }
      if ((rc == -EAGAIN || rc == -EINTR || rc == 0) && ++retries < 1000) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      // Entries the kernel never took stay in the submission ring: the queue cannot be
      // trusted with more, only drained of what it did take.
      broken_ = true;
      return environment_error(fmt::format("io_uring_submit of {} requests ({} not taken): {}", requests.size(),
                                           to_submit, rc < 0 ? errno_text(rc) : "no progress"));
    }
    return {};
  }

  Expected<std::size_t> wait(std::span<IoCompletion> out, std::size_t min_completions,
                             std::chrono::milliseconds timeout) override {
    const std::size_t wanted = std::min({min_completions, static_cast<std::size_t>(in_flight_), out.size()});
    const auto deadline = Clock::now() + timeout;
    std::size_t got = reap(out);
    if (got == 0 && wanted == 0 && in_flight_ > 0 && !out.empty()) {
      // A poll: completions are posted only when this thread enters the kernel.
      if (const int rc = io_uring_get_events(&ring_); rc < 0 && rc != -EINTR && rc != -EAGAIN) {
        return environment_error(fmt::format("io_uring_get_events: {}", errno_text(rc)));
      }
      got = reap(out);
    }
    while (got < wanted) {
      const auto left = deadline - Clock::now();
      if (left <= Clock::duration::zero()) break;
      const auto left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      __kernel_timespec ts{};
      ts.tv_sec = left_ns / 1000000000;
      ts.tv_nsec = left_ns % 1000000000;
      io_uring_cqe* cqe = nullptr;
      const int rc = io_uring_wait_cqes(&ring_, &cqe, static_cast<unsigned>(wanted - got), &ts, nullptr);
      got += reap(out.subspan(got));
      if (rc == -ETIME) break;
      if (rc < 0 && rc != -EINTR && rc != -EAGAIN) {
        return environment_error(fmt::format("io_uring_wait_cqes: {}", errno_text(rc)));
      }
    }
    return got;
  }

 private:
  struct Slot {
    std::uint64_t tag = 0;
    Clock::time_point submitted{};
  };

  // Takes the completions already posted, up to out.size().
  std::size_t reap(std::span<IoCompletion> out) {
    if (out.empty() || in_flight_ == 0) return 0;
    const unsigned n = io_uring_peek_batch_cqe(&ring_, cqes_.data(),
                                               static_cast<unsigned>(std::min(out.size(), cqes_.size())));
    if (n == 0) return 0;
    const auto now = Clock::now();
    std::size_t got = 0;
    for (unsigned i = 0; i < n; ++i) {
      const std::uint64_t data = io_uring_cqe_get_data64(cqes_[i]);
      // liburing's own timeout entry on kernels without IORING_FEAT_EXT_ARG.
      if (data == LIBURING_UDATA_TIMEOUT) continue;
      const auto slot = static_cast<std::uint32_t>(data);
      out[got++] = {slots_[slot].tag, cqes_[i]->res, slots_[slot].submitted, now};
      free_slots_.push_back(slot);
      --in_flight_;
    }
    io_uring_cq_advance(&ring_, n);
    return got;
  }

  const int depth_;
  io_uring ring_{};
  bool ring_ready_ = false;
  bool broken_ = false;
  int in_flight_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<io_uring_cqe*> cqes_;
};

}  // namespace

Expected<std::unique_ptr<IoQueue>> make_uring_io_queue(int depth) {
  auto queue = std::make_unique<UringIoQueue>(depth);
  if (auto started = queue->start(); !started) return started.error();
  return std::unique_ptr<IoQueue>(std::move(queue));
}

#else

Expected<std::unique_ptr<IoQueue>> make_uring_io_queue(int depth) {
  (void)depth;
  return environment_error("assay was built without liburing (install liburing-dev and rebuild)");
}

#endif

}  // namespace assay
