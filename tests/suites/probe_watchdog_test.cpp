#include "suites/probe_watchdog.h"

#include <gtest/gtest.h>

#include <thread>

namespace assay {
namespace {

using namespace std::chrono_literals;

TEST(ProbeWatchdog, CancelsAtTheDeadlineThenAbandons) {
  std::atomic<bool> cancel{false};
  std::atomic<bool> abandoned{false};
  {
    ProbeWatchdog w(cancel, 150ms, 200ms, [&](bool interrupted) {
      EXPECT_FALSE(interrupted);
      abandoned = true;
    });
    while (!cancel.load()) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(w.deadline_passed());
    EXPECT_FALSE(abandoned.load());
    while (!abandoned.load()) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(abandoned.load());
}

TEST(ProbeWatchdog, StoppingInTimeNeitherCancelsNorAbandons) {
  std::atomic<bool> cancel{false};
  bool abandoned = false;
  { ProbeWatchdog w(cancel, 10s, 1s, [&](bool) { abandoned = true; }); }
  EXPECT_FALSE(cancel.load());
  EXPECT_FALSE(abandoned);
}

TEST(ProbeWatchdog, AnInterruptCancelsWithoutADeadline) {
  std::atomic<bool> cancel{false};
  interrupt_requested().store(true);
  {
    ProbeWatchdog w(cancel, 10s, 10s, [](bool) {});
    while (!cancel.load()) std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(w.deadline_passed());
  }
  interrupt_requested().store(false);
}

}  // namespace
}  // namespace assay
