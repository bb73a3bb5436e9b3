#pragma once
// Terminal conveniences for commands: the progress line of long work, and turning
// Ctrl-C / SIGTERM into a polite stop.

#include <chrono>
#include <ostream>
#include <string>

#include "suites/run_session.h"

namespace assay::cli {

/// Prints run progress to stderr: one line per probe; on a terminal the line of the
/// running probe is redrawn with its latest progress text.
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& err, bool terminal) : err_(err), terminal_(terminal) {}
  void on_event(const RunEvent& event);

 private:
  std::ostream& err_;
  bool terminal_;
  std::chrono::steady_clock::time_point probe_start_{};
  bool line_open_ = false;
};

/// SIGINT and SIGTERM set suites' interrupt flag (the running probe is cancelled and
/// the bundle written); a second SIGINT ends the process at once.
void install_interrupt_handlers();

/// "ok", "skipped: reason", "error: message".
std::string result_status_text(const ProbeResult& result);

}  // namespace assay::cli
