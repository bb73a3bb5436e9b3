#pragma once
// Verdicts: the judgement of one (node, subject, metric) against its rated figure.

#include <optional>
#include <string>
#include <string_view>

#include "core/units.h"

namespace assay {

/// Exactly the statuses of DESIGN.md.
enum class VerdictStatus { pass, warn, fail, info, skip, error };
std::string_view verdict_status_name(VerdictStatus status);  ///< "PASS", "WARN", ...
std::optional<VerdictStatus> verdict_status_from_name(std::string_view name);

struct Verdict {
  std::string node;
  std::string subject;
  std::string key;       ///< metric key, or "<probe>" for SKIP/ERROR of a whole probe
  VerdictStatus status = VerdictStatus::info;
  Unit unit = Unit::ratio;
  std::optional<double> measured;  ///< base SI units
  std::optional<double> rated;     ///< base SI units
  std::optional<double> ratio;     ///< measured / rated
  std::string criterion;  ///< "min_fraction 0.90 of rated (catalog ...)" or the reason
  std::string source;     ///< where the rated figure comes from
  bool derived = false;   ///< the figure compared with was derived, not rated
  bool inconclusive = false;  ///< the median's confidence interval straddles the threshold
  std::string message;    ///< one sentence for people
};

}  // namespace assay
