#pragma once
// The comparisons behind `assay verify`: recorded JSON against JSON re-derived from the
// same bundle, field by field, with numbers compared to verify_relative_tolerance.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/result_json.h"
#include "suites/bundle_verify.h"

namespace assay::verify_detail {

/// Whether two figures agree within verify_relative_tolerance.
bool numbers_agree(double recorded, double rederived);

/// One place where two JSON values differ: `path` is "metrics[0].samples[2]" style
/// (empty for the value itself); a side is null when the member is absent there.
struct JsonDifference {
  std::string path;
  const Json* recorded = nullptr;
  const Json* rederived = nullptr;
};

/// Every difference between `recorded` and `rederived` (numbers within tolerance agree).
std::vector<JsonDifference> json_differences(const Json& recorded, const Json& rederived);

/// "status recorded PASS, re-derived FAIL; ratio recorded 0.95, re-derived 0.72", naming
/// the two sides with `recorded_label` and `rederived_label`; at most `max_shown`
/// differences, then "and N more".
std::string describe_differences(const std::vector<JsonDifference>& differences, const std::string& recorded_label,
                                 const std::string& rederived_label, std::size_t max_shown = 4);

/// Checks each metric of `raw_result` (a probe result as stored) against the metric
/// re-derived from its samples (`derived`, read from the same JSON): `value` and every
/// statistic. `where` names the result ("journal.jsonl line 12 (cpu.fma on vm)").
void check_recorded_figures(const Json& raw_result, const ProbeResult& derived, const std::string& file,
                            const std::string& where, VerifyReport& report);

/// Compares two arrays of objects matched by `identity` (duplicates matched in order):
/// an entry on one side only is a finding, as is any field that differs. `describe`
/// names an entry for people ("verdict n1 cpu cpu.fma.fp64"). Returns how many agree.
std::size_t compare_keyed(const Json& recorded, const Json& rederived,
                          const std::function<std::string(const Json&)>& identity,
                          const std::function<std::string(const Json&)>& describe, const std::string& file,
                          VerifyFindingKind kind, VerifyReport& report);

}  // namespace assay::verify_detail
