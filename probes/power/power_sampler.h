#pragma once
// The sampler that runs beside every probe: a thread that reads every open power source
// at its interval while a window is open, and summarises each source's domains over
// the window: energy, mean power, peak power and the power series.
//
// Each window starts and ends with a reading taken on the caller's thread, so energy
// counters give the window's energy exactly, whatever the interval. Between windows the
// thread sleeps and reads nothing.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "probes/power/power_source.h"

namespace assay {

/// One domain of one source over one window.
struct DomainWindow {
  std::string source;  ///< "powercap"
  std::string domain;  ///< "package-0"
  double seconds = 0;  ///< the window's length as this source saw it
  double energy_joules = 0;
  double mean_watts = 0;  ///< energy_joules / seconds
  double peak_watts = 0;  ///< the highest power over one sampling interval
  /// From the energy counter's differences (exact energy), or by integrating the power
  /// readings (trapezoid rule) where the domain has no counter.
  bool from_counter = false;
  /// The power series: end of each interval (s since the window's start) and the power
  /// over it (counter) or the reading at that time.
  std::vector<double> times_s;
  std::vector<double> watts;
  /// The moment times_s counts from, to find the part of the series a metric's span
  /// covers (ProbeResult::spans).
  std::chrono::steady_clock::time_point origin{};
};

/// What the sampler saw over one window.
struct PowerWindow {
  std::vector<DomainWindow> domains;
  /// Read errors (the first of each source, with a count) and what sampling cost.
  std::vector<std::string> notes;
  bool sampled = false;            ///< a sampler thread ran (not only a meter log was read)
  double sampler_cpu_seconds = 0;  ///< CPU time of the sampler thread during the window
  double seconds = 0;              ///< wall time of the window
};

class PowerSampler {
 public:
  /// Samples `sources` every `interval`, or at a source's min_interval() when that is
  /// longer.
  PowerSampler(std::vector<std::unique_ptr<PowerSource>> sources, std::chrono::milliseconds interval);
  ~PowerSampler();
  PowerSampler(const PowerSampler&) = delete;
  PowerSampler& operator=(const PowerSampler&) = delete;

  bool empty() const { return sources_.empty(); }
  /// One line per source: "powercap every 100 ms: package-0: /sys/...; package-1: ...".
  std::vector<std::string> describe() const;

  /// Reads every source now and starts sampling.
  void begin_window();
  /// Reads every source now, stops sampling and summarises the window.
  PowerWindow end_window();

 private:
  struct Reading {
    std::chrono::steady_clock::time_point at;
    std::vector<DomainReading> domains;
  };
  struct Track {
    std::unique_ptr<PowerSource> source;
    std::chrono::milliseconds interval{100};
    std::chrono::steady_clock::time_point next_due{};
    std::vector<Reading> readings;
    std::size_t failed_reads = 0;
    std::string first_error;
  };

  void run();
  void read_now(Track& track, std::chrono::steady_clock::time_point now);  // mutex held
  double thread_cpu_seconds() const;

  std::vector<Track> sources_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool active_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point window_start_{};
  double cpu_at_start_ = 0;
  std::thread thread_;
};

/// Summarises one source's readings of one window (exposed for tests).
std::vector<DomainWindow> summarise_readings(std::string_view source,
                                             const std::vector<std::chrono::steady_clock::time_point>& times,
                                             const std::vector<std::vector<DomainReading>>& readings,
                                             std::chrono::milliseconds interval);

}  // namespace assay
