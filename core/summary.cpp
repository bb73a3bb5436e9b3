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

}  // namespace assay
