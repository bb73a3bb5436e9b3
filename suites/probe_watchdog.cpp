#include "suites/probe_watchdog.h"

#include "probes/storage/storage_area.h"

namespace assay {

std::atomic<bool>& interrupt_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

ProbeWatchdog::ProbeWatchdog(std::atomic<bool>& cancel, Clock::duration deadline, Clock::duration grace,
                             std::function<void(bool interrupted)> on_abandon)
    : cancel_(cancel),
      deadline_(Clock::now() + deadline),
      grace_(grace),
      on_abandon_(std::move(on_abandon)),
      thread_([this] { watch(); }) {}

ProbeWatchdog::~ProbeWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ProbeWatchdog::watch() {
  // Polls (rather than only sleeping to the deadline) because a signal handler can only
  // set a flag; 100 ms is far below any probe's duration.
  constexpr auto poll = std::chrono::milliseconds(100);
  std::unique_lock lock(mutex_);
  std::optional<Clock::time_point> abandon_at;
  while (!stopping_) {
    wake_.wait_for(lock, poll, [this] { return stopping_; });
    if (stopping_) return;
    const auto now = Clock::now();
    const bool interrupted = interrupt_requested().load();
    if (!abandon_at && (interrupted || now >= deadline_)) {
      deadline_passed_.store(!interrupted);
      cancel_.store(true);
      abandon_at = now + grace_;
    }
    if (abandon_at && now >= *abandon_at) {
      lock.unlock();
      // on_abandon ends the process with the probe still running: take the files a
      // storage probe was writing with it, so a stuck run leaves no scratch data.
      remove_live_storage_areas();
      on_abandon_(interrupted);
      return;
    }
  }
}

}  // namespace assay
