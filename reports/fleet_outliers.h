#pragma once
// Which verdicts judge an entry against the fleet median (an outlier) rather than
// against its rated figure. A measurement can carry both: gpu-018's link judged against
// its rated 12.5 GB/s and again against the fleet's 12.25 GB/s median.

#include <string>
#include <unordered_map>

#include "core/summary.h"
#include "core/verdict.h"

namespace assay {

class FleetOutliers {
 public:
  /// Indexes every outlier of `summary.fleet` once, so a lookup is O(1) for fleets of
  /// 10,000 nodes.
  explicit FleetOutliers(const Summary& summary);

  /// True when `verdict` is an outlier verdict of the fleet judgement (its node is the
  /// entry's, its reference figure the fleet median).
  bool is_outlier(const Verdict& verdict) const;

 private:
  std::unordered_map<std::string, double> median_of_;  // key \0 node \0 subject -> fleet median
};

}  // namespace assay
