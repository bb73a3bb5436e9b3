#include "probes/power/power_sampler.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace assay {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Point {
  double t = 0;
  std::optional<double> energy;
  std::optional<double> watts;
};

// Interval ends for the power series: every point at least half an interval after the
// previous end. The forced readings at a window's edges can fall a millisecond after a
// periodic one, and a counter's difference over such a sliver is mostly quantisation.
std::vector<std::size_t> interval_ends(const std::vector<Point>& points, double interval_s) {
  std::vector<std::size_t> ends;
  std::size_t anchor = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    if (points[i].t - points[anchor].t >= 0.5 * interval_s) {
      ends.push_back(i);
      anchor = i;
    }
  }
  if (points.size() >= 2 && (ends.empty() || ends.back() != points.size() - 1)) {
    if (!ends.empty()) ends.pop_back();  // the short tail joins the interval before it
    ends.push_back(points.size() - 1);
  }
  return ends;
}

DomainWindow from_counter(const std::vector<Point>& points, double interval_s) {
  DomainWindow w;
  w.from_counter = true;
  w.seconds = points.back().t - points.front().t;
  w.energy_joules = *points.back().energy - *points.front().energy;
  std::size_t start = 0;
  for (std::size_t end : interval_ends(points, interval_s)) {
    const double dt = points[end].t - points[start].t;
    if (dt > 0) {
      w.times_s.push_back(points[end].t);
      w.watts.push_back((*points[end].energy - *points[start].energy) / dt);
    }
    start = end;
  }
  return w;
}

DomainWindow from_power_readings(const std::vector<Point>& points) {
  DomainWindow w;
  w.seconds = points.back().t - points.front().t;
  for (std::size_t i = 0; i < points.size(); ++i) {
    w.times_s.push_back(points[i].t);
    w.watts.push_back(*points[i].watts);
    if (i > 0) w.energy_joules += 0.5 * (*points[i].watts + *points[i - 1].watts) * (points[i].t - points[i - 1].t);
  }
  return w;
}

}  // namespace

std::vector<DomainWindow> summarise_readings(std::string_view source, const std::vector<Clock::time_point>& times,
                                             const std::vector<std::vector<DomainReading>>& readings,
                                             std::chrono::milliseconds interval) {
  // Per domain, in the order the source first reported them.
  std::vector<std::string> order;
  std::map<std::string, std::vector<Point>> series;
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const double t = seconds_between(times.front(), times[i]);
    for (const DomainReading& d : readings[i]) {
      auto [it, added] = series.try_emplace(d.domain);
      if (added) order.push_back(d.domain);
      it->second.push_back({t, d.energy_joules, d.watts});
    }
  }
  const double interval_s = std::chrono::duration<double>(interval).count();
  std::vector<DomainWindow> windows;
  for (const std::string& domain : order) {
    std::vector<Point> points = series[domain];
    // A counter is preferred; readings without one are integrated.
    std::vector<Point> counted, powered;
    for (const Point& p : points) {
      if (p.energy) counted.push_back(p);
      if (p.watts) powered.push_back(p);
    }
    DomainWindow w;
    if (counted.size() >= 2) {
      w = from_counter(counted, interval_s);
    } else if (powered.size() >= 2) {
      w = from_power_readings(powered);
    } else {
      continue;  // one reading gives no window
    }
    w.source = std::string(source);
    w.domain = domain;
    w.origin = times.front();
    w.mean_watts = w.seconds > 0 ? w.energy_joules / w.seconds : 0.0;
    w.peak_watts = w.watts.empty() ? w.mean_watts : *std::max_element(w.watts.begin(), w.watts.end());
    windows.push_back(std::move(w));
  }
  return windows;
}

PowerSampler::PowerSampler(std::vector<std::unique_ptr<PowerSource>> sources, std::chrono::milliseconds interval) {
  for (auto& source : sources) {
    Track track;
    track.interval = std::max(interval, source->min_interval());
    track.source = std::move(source);
    sources_.push_back(std::move(track));
  }
  if (!sources_.empty()) thread_ = std::thread([this] { run(); });
}

PowerSampler::~PowerSampler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> PowerSampler::describe() const {
  std::vector<std::string> lines;
  for (const Track& track : sources_) {
    lines.push_back(fmt::format("{} every {} ms: {}", track.source->name(), track.interval.count(),
                                fmt::join(track.source->describe(), "; ")));
  }
  return lines;
}

void PowerSampler::read_now(Track& track, Clock::time_point now) {
  auto reading = track.source->read();
  if (reading) {
    track.readings.push_back({Clock::now(), std::move(*reading)});
  } else {
    if (track.failed_reads++ == 0) track.first_error = reading.error().message;
  }
  track.next_due = now + track.interval;
}

double PowerSampler::thread_cpu_seconds() const {
  if (!thread_.joinable()) return 0;
  clockid_t clock;
  // native_handle() is non-const in std::thread; the handle itself is not modified.
  if (pthread_getcpuclockid(const_cast<std::thread&>(thread_).native_handle(), &clock) != 0) return 0;
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void PowerSampler::begin_window() {
  {
    std::lock_guard lock(mutex_);
    window_start_ = Clock::now();
    for (Track& track : sources_) {
      track.readings.clear();
      track.failed_reads = 0;
      track.first_error.clear();
      read_now(track, Clock::now());
    }
    active_ = true;
  }
  cpu_at_start_ = thread_cpu_seconds();
  wake_.notify_all();
}

PowerWindow PowerSampler::end_window() {
  PowerWindow window;
  std::lock_guard lock(mutex_);
  for (Track& track : sources_) read_now(track, Clock::now());
  active_ = false;
  window.sampled = true;
  window.seconds = seconds_between(window_start_, Clock::now());
  window.sampler_cpu_seconds = std::max(0.0, thread_cpu_seconds() - cpu_at_start_);
  for (Track& track : sources_) {
    std::vector<Clock::time_point> times;
    std::vector<std::vector<DomainReading>> readings;
    for (Reading& r : track.readings) {
      times.push_back(r.at);
      readings.push_back(std::move(r.domains));
    }
    if (track.failed_reads > 0) {
      window.notes.push_back(fmt::format("{}: {} of {} reads failed; the first: {}", track.source->name(),
                                         track.failed_reads, track.failed_reads + track.readings.size(),
                                         track.first_error));
    }
    track.readings.clear();
    if (times.empty()) continue;
    for (DomainWindow& d : summarise_readings(track.source->name(), times, readings, track.interval)) {
      window.domains.push_back(std::move(d));
    }
  }
  return window;
}

void PowerSampler::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!active_) {
      wake_.wait(lock, [this] { return stopping_ || active_; });
      continue;
    }
    auto next = Clock::time_point::max();
    for (const Track& track : sources_) next = std::min(next, track.next_due);
    if (wake_.wait_until(lock, next, [this] { return stopping_ || !active_; })) continue;
    const auto now = Clock::now();
    for (Track& track : sources_) {
      if (track.next_due <= now) read_now(track, now);
    }
  }
}

}  // namespace assay
