#pragma once
// A team of worker threads pinned one per CPU, running the same function in lock-step
// phases. Probes time a phase from its start barrier to its end barrier, as STREAM and
// peak-FLOPS codes do around their parallel regions.

#include <atomic>
#include <chrono>
#include <exception>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace assay {

/// The CPUs this process may run on (sched_getaffinity: honours cgroups, taskset and
/// the batch system's binding), in ascending order.
std::vector<int> allowed_cpus();

/// Pins the calling thread to one CPU; false when the kernel refuses.
bool pin_current_thread(int cpu);

class ThreadTeam {
 public:
  /// Starts `cpus.size()` threads; thread i is pinned to cpus[i]. The calling thread
  /// is not a member: it only starts phases and waits for them.
  explicit ThreadTeam(std::span<const int> cpus);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  std::size_t size() const { return cpus_.size(); }
  const std::vector<int>& cpus() const { return cpus_; }
  /// Whether every thread was pinned to its CPU.
  bool all_pinned() const { return pinned_count_.load() == cpus_.size(); }

  /// Runs fn(thread_index) on every member and returns when all have finished. If any
  /// member throws, the first exception is rethrown here after all have finished.
  void run(const std::function<void(std::size_t)>& fn);

  /// Runs fn on every member and returns the wall time in seconds from the moment all
  /// members are released together to the moment the last one finishes.
  double run_timed(const std::function<void(std::size_t)>& fn);

 private:
  void worker_loop(std::size_t index);

  std::vector<int> cpus_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> pinned_count_{0};

  // Phase hand-off: the caller publishes fn_ and bumps generation_; members run it and
  // count down remaining_. C++20 atomic wait/notify keeps idle members off the CPU.
  const std::function<void(std::size_t)>* fn_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> remaining_{0};
  // Set by the last member after it has written end_time_: the caller waits for this,
  // not for remaining_ == 0, which is visible before end_time_ is written.
  std::atomic<bool> done_{false};
  std::atomic<std::size_t> arrived_{0};
  std::atomic<bool> go_{false};
  std::atomic<bool> stopping_{false};
  std::exception_ptr first_error_;
  std::atomic_flag error_taken_ = ATOMIC_FLAG_INIT;
  std::chrono::steady_clock::time_point start_time_{}, end_time_{};
};

}  // namespace assay
