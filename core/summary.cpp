#include "core/summary.h"

namespace assay {

VerdictCounts count_verdicts(const std::vector<Verdict>& verdicts) {
  VerdictCounts c;
  for (const auto& v : verdicts) {
    switch (v.status) {
      case VerdictStatus::pass: ++c.pass; break;
      case VerdictStatus::warn: ++c.warn; break;
      case VerdictStatus::fail: ++c.fail; break;
      case VerdictStatus::info: ++c.info; break;
      case VerdictStatus::skip: ++c.skip; break;
      case VerdictStatus::error: ++c.error; break;
    }
  }
  return c;
}

const FleetStat* find_fleet_stat(const Summary& summary, std::string_view key) {
  for (const auto& f : summary.fleet) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

}  // namespace assay
