// The engine that works everywhere: `depth` threads, each blocked in one pread/pwrite
// at a time, so `depth` requests are in the kernel at once as with io_uring, at the
// price of a thread switch per request.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "probes/storage/io_queue_engines.h"

namespace assay {
namespace {

using Clock = std::chrono::steady_clock;

struct Pending {
  IoRequest request;
  Clock::time_point submitted;
};

IoCompletion transfer(const Pending& pending) {
  const IoRequest& r = pending.request;
  const auto offset = static_cast<off_t>(r.offset);
  ssize_t n = 0;
  do {
    n = r.kind == IoRequest::Kind::read ? ::pread(r.fd, r.buffer.data(), r.buffer.size(), offset)
                                        : ::pwrite(r.fd, r.buffer.data(), r.buffer.size(), offset);
  } while (n < 0 && errno == EINTR);
  const std::int64_t result = n < 0 ? -static_cast<std::int64_t>(errno) : static_cast<std::int64_t>(n);
  return {r.tag, result, pending.submitted, Clock::now()};
}

class ThreadIoQueue final : public IoQueue {
 public:
  explicit ThreadIoQueue(int depth) : depth_(depth) {}

  ~ThreadIoQueue() override {
    {
      std::lock_guard lock(mutex_);
      // Every request submitted is carried out before the threads are joined, as with
      // io_uring, so a write the caller submitted is never silently dropped.
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  Expected<void> start() {
    try {
      for (int i = 0; i < depth_; ++i) workers_.emplace_back([this] { serve(); });
    } catch (const std::system_error& e) {
      return environment_error(
          fmt::format("starting {} I/O threads: only {} could be created: {}", depth_, workers_.size(), e.what()));
    }
    return {};
  }

  IoEngine engine() const override { return IoEngine::threads; }
  int depth() const override { return depth_; }
  int in_flight() const override { return in_flight_; }

  Expected<void> submit(std::span<const IoRequest> requests) override {
    if (requests.size() > static_cast<std::size_t>(depth_ - in_flight_)) {
      return internal_error(fmt::format("I/O queue: {} requests submitted with {} of {} already in flight",
                                        requests.size(), in_flight_, depth_));
    }
    const auto now = Clock::now();
    {
      std::lock_guard lock(mutex_);
      for (const IoRequest& r : requests) todo_.push_back({r, now});
    }
    in_flight_ += static_cast<int>(requests.size());
    if (requests.size() == 1) {
      work_ready_.notify_one();
    } else if (!requests.empty()) {
      work_ready_.notify_all();
    }
    return {};
  }

  Expected<std::size_t> wait(std::span<IoCompletion> out, std::size_t min_completions,
                             std::chrono::milliseconds timeout) override {
    const std::size_t wanted =
        std::min({min_completions, static_cast<std::size_t>(in_flight_), out.size()});
    std::unique_lock lock(mutex_);
    done_ready_.wait_for(lock, timeout, [&] { return done_.size() >= wanted; });
    const std::size_t taken = std::min(done_.size(), out.size());
    for (std::size_t i = 0; i < taken; ++i) {
      out[i] = done_.front();
      done_.pop_front();
    }
    in_flight_ -= static_cast<int>(taken);
    return taken;
  }

 private:
  void serve() {
    std::unique_lock lock(mutex_);
    while (true) {
      work_ready_.wait(lock, [this] { return stopping_ || !todo_.empty(); });
      if (todo_.empty()) return;  // stopping, and nothing left to do
      const Pending pending = todo_.front();
      todo_.pop_front();
      lock.unlock();
      const IoCompletion completion = transfer(pending);
      lock.lock();
      done_.push_back(completion);
      done_ready_.notify_one();
    }
  }

  const int depth_;
  int in_flight_ = 0;  // the caller's thread only
  std::mutex mutex_;
  std::condition_variable work_ready_, done_ready_;
  std::deque<Pending> todo_;
  std::deque<IoCompletion> done_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

Expected<std::unique_ptr<IoQueue>> make_thread_io_queue(int depth) {
  auto queue = std::make_unique<ThreadIoQueue>(depth);
  if (auto started = queue->start(); !started) return started.error();
  return std::unique_ptr<IoQueue>(std::move(queue));
}

}  // namespace assay
