#pragma once
// What report.html's tests share: a summary with a power trace, and the checks that
// the page is self-contained and well-formed.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/summary.h"

namespace assay::testing {

/// fixed_summary() with power metrics and a power-over-time table on its cpu.fma result.
Summary summary_with_power();

/// Every src=, href= and url(...) target in `html` that would fetch something: all but
/// "#fragment" and "data:" ones, in document order.
std::vector<std::string> external_references(std::string_view html);

/// Empty when every element opened is closed in order (void elements aside); otherwise
/// what is wrong and where.
std::string tag_balance_problem(std::string_view html);

std::string joined(const std::set<std::string, std::less<>>& words);

}  // namespace assay::testing
