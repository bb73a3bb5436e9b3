#pragma once
// A fixed summary and inventory for report tests, and golden-file comparison.

#include <string>

#include "core/result_json.h"
#include "core/summary.h"

namespace assay::testing {

/// A summary with a PASS against a derived peak, a failed self-check and a skipped probe.
Summary fixed_summary();
Json fixed_inventory();

/// A four-node run through summarize_run: gpu-020 missing, gpu-019 an FMA outlier, the
/// link gpu-018 -> gpu-019 below its rated bandwidth and far below the fleet, the
/// pair latency gpu-018 <-> gpu-019 an outlier, a link matrix with gpu-020's row empty.
Summary fleet_summary();
Json fleet_inventory();

/// Compares with tests/reports/golden/<name>; ASSAY_UPDATE_GOLDEN=1 rewrites the file.
void expect_matches_golden(const std::string& actual, const std::string& name);

}  // namespace assay::testing
