#include "cli/terminal.h"

#include <csignal>

#include <fmt/format.h>

#include "suites/probe_watchdog.h"

namespace assay::cli {
namespace {

extern "C" void on_interrupt_signal(int signal_number) {
  interrupt_requested().store(true);
  // The next Ctrl-C is the user insisting: let it end the process.
  if (signal_number == SIGINT) std::signal(SIGINT, SIG_DFL);
}

}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_interrupt_signal);
  std::signal(SIGTERM, on_interrupt_signal);
}

std::string result_status_text(const ProbeResult& r) {
  switch (r.status) {
    case ProbeStatus::ok: return "ok";
    case ProbeStatus::skipped: return "skipped: " + r.reason;
    case ProbeStatus::error: return "error: " + r.error;
  }
  return "?";
}

void ProgressPrinter::on_event(const RunEvent& e) {
  const std::string prefix = fmt::format("[{}/{}] {}", e.index, e.total, e.probe);
  switch (e.kind) {
    case RunEvent::Kind::bundle_created:
      err_ << "assay: writing bundle " << e.text << "\n";
      break;
    case RunEvent::Kind::notice:
      err_ << "assay: " << e.text << "\n";
      break;
    case RunEvent::Kind::fleet_ready:
      err_ << "assay: running on " << e.text << "\n";
      break;
    case RunEvent::Kind::probe_started:
      probe_start_ = std::chrono::steady_clock::now();
      err_ << prefix << " ..." << (terminal_ ? "" : "\n") << std::flush;
      line_open_ = terminal_;
      break;
    case RunEvent::Kind::probe_progress:
      if (terminal_) err_ << "\r\033[K" << prefix << " ... " << e.text << std::flush;
      break;
    case RunEvent::Kind::probe_kept:
      err_ << prefix << " kept from the resumed bundle ("
           << (e.result ? result_status_text(*e.result) : std::string("?")) << ")\n";
      break;
    case RunEvent::Kind::probe_finished: {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - probe_start_).count();
      if (line_open_) err_ << "\r\033[K";
      err_ << prefix << " " << (e.result ? result_status_text(*e.result) : std::string("?"))
           << fmt::format(" ({:.1f} s)", seconds) << (e.text.empty() ? "" : "; " + e.text) << "\n";
      line_open_ = false;
      break;
    }
  }
}

}  // namespace assay::cli
