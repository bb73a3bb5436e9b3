#include "probes/common/thread_team.h"

#include <pthread.h>
#include <sched.h>

#include <stdexcept>
#include <string>

namespace assay {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) {
    unsigned n = std::thread::hardware_concurrency();
    for (unsigned i = 0; i < (n ? n : 1); ++i) cpus.push_back(static_cast<int>(i));
    return cpus;
  }
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

bool pin_current_thread(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

ThreadTeam::ThreadTeam(std::span<const int> cpus) : cpus_(cpus.begin(), cpus.end()) {
  if (cpus_.empty()) throw std::invalid_argument("ThreadTeam: no CPUs given");
  threads_.reserve(cpus_.size());
  for (std::size_t i = 0; i < cpus_.size(); ++i) {
    threads_.emplace_back([this, i] { worker_loop(i); });
  }
}

ThreadTeam::~ThreadTeam() {
  stopping_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadTeam::worker_loop(std::size_t index) {
  if (pin_current_thread(cpus_[index])) pinned_count_.fetch_add(1);
  std::uint64_t seen = 0;
  for (;;) {
    generation_.wait(seen);
    seen = generation_.load();
    if (stopping_.load()) return;

    // Start barrier: spin, because every member is about to be here and a sleeping
    // member would add wake-up latency to the timed phase.
    // The last member to arrive starts the clock and releases the others, so the caller
    // (which shares these CPUs) can sleep instead of spinning.
    if (arrived_.fetch_add(1) + 1 == cpus_.size()) {
      start_time_ = std::chrono::steady_clock::now();
      go_.store(true, std::memory_order_release);
    }
    while (!go_.load(std::memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    try {
      (*fn_)(index);
    } catch (...) {
      if (!error_taken_.test_and_set()) first_error_ = std::current_exception();
    }
    if (remaining_.fetch_sub(1) == 1) {
      end_time_ = std::chrono::steady_clock::now();
      done_.store(true, std::memory_order_release);
      done_.notify_all();
    }
  }
}

double ThreadTeam::run_timed(const std::function<void(std::size_t)>& fn) {
  fn_ = &fn;
  first_error_ = nullptr;
  error_taken_.clear();
  go_.store(false);
  arrived_.store(0);
  remaining_.store(cpus_.size());
  done_.store(false);
  generation_.fetch_add(1);
  generation_.notify_all();

  done_.wait(false);  // returns once the last member has set it, never spuriously
  const double seconds = std::chrono::duration<double>(end_time_ - start_time_).count();
  fn_ = nullptr;
  if (first_error_) std::rethrow_exception(first_error_);
  return seconds;
}

void ThreadTeam::run(const std::function<void(std::size_t)>& fn) { (void)run_timed(fn); }

}  // namespace assay
