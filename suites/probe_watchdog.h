#pragma once
// Every probe runs under a deadline. When it passes (or the user presses Ctrl-C) the
// probe is asked to stop through its cancel flag; if it has not returned after a grace
// period, the run cannot wait any longer and `on_abandon` is called from the watchdog's
// thread (it records what it can and ends the process): a run never hangs.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace assay {

/// Set by the SIGINT/SIGTERM handler that the CLI installs; read by every watchdog.
std::atomic<bool>& interrupt_requested();

class ProbeWatchdog {
 public:
  using Clock = std::chrono::steady_clock;
  /// Starts watching: `cancel` is set at `deadline` or on interrupt; `on_abandon` runs
  /// `grace` later if stop() has not been called by then.
  ProbeWatchdog(std::atomic<bool>& cancel, Clock::duration deadline, Clock::duration grace,
                std::function<void(bool interrupted)> on_abandon);
  ~ProbeWatchdog();  ///< stops watching
  ProbeWatchdog(const ProbeWatchdog&) = delete;
  ProbeWatchdog& operator=(const ProbeWatchdog&) = delete;

  /// Whether the deadline had passed when the probe was cancelled.
  bool deadline_passed() const { return deadline_passed_.load(); }

 private:
  void watch();

  std::atomic<bool>& cancel_;
  const Clock::time_point deadline_;
  const Clock::duration grace_;
  std::function<void(bool)> on_abandon_;
  std::atomic<bool> deadline_passed_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace assay
