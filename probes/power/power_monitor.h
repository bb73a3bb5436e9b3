#pragma once
// The power sampling beside a run's probes on one node: the plan's sources opened once,
// a window per probe, and the figures attached to the probe's result. Sources that are
// absent do not stop a run: each result then says which sources were used and, when
// none was, why.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "probes/power/power_sampler.h"
#include "probes/power/power_setup.h"

namespace assay {

class PowerMonitor {
 public:
  /// Opens the sources of `setup` on `node` (host or host#local_rank).
  PowerMonitor(const PowerSetup& setup, const std::string& node);

  /// Whether the power of `probe` is sampled: not for the power probes themselves,
  /// which read the same sources on their own.
  static bool samples(std::string_view probe);

  void begin();
  /// Ends the window and adds its figures and notes to `result`.
  void end(ProbeResult& result);

  /// What was opened and what was not, one line each.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::unique_ptr<PowerSampler> sampler_;
  std::string meter_file_;
  std::chrono::system_clock::time_point started_{};
  std::vector<std::string> notes_;
};

}  // namespace assay
