#pragma once
// Latencies of storage operations, kept as a log-linear histogram (as HdrHistogram
// does): constant memory whatever the number of operations, every recorded value
// within 1% of the value its bucket reports, and histograms of several threads merge
// exactly. Percentiles are those of the recorded values at that resolution.

#include <cstdint>
#include <vector>

namespace assay {

class LatencyHistogram {
 public:
  LatencyHistogram();
  /// Records one latency in nanoseconds (0 .. about 1 hour; larger values are clamped
  /// to the top bucket and counted in clamped()).
  void record(std::int64_t nanoseconds);
  void merge(const LatencyHistogram& other);
  std::int64_t count() const { return count_; }
  std::int64_t clamped() const { return clamped_; }
  /// The smallest recorded latency L (in seconds, at bucket resolution) such that at
  /// least `fraction` (0 < fraction <= 1) of the recorded values are <= L; 0 when empty.
  double percentile_seconds(double fraction) const;
  double mean_seconds() const;
  double max_seconds() const;

 private:
  std::vector<std::int64_t> buckets_;
  std::int64_t count_ = 0, clamped_ = 0;
  double sum_ns_ = 0;
  std::int64_t max_ns_ = 0;
};

}  // namespace assay
