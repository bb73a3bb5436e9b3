#pragma once
// JSON forms of the result model (DESIGN.md): "assay.result/1" per probe result and
// "assay.summary/1" for a run. Reading is strict and says which field is wrong.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/expected.h"
#include "core/result.h"
#include "core/summary.h"

namespace assay {

using Json = nlohmann::ordered_json;

Json to_json(const Metric& metric);
Json to_json(const ParamList& params);  ///< {"name": value, ...} in order
Json param_json(const ParamValue& value);
Json to_json(const ProbeResult& result);
Json to_json(const Verdict& verdict);
Json to_json(const Summary& summary);

Expected<ParamList> params_from_json(const Json& json, std::string_view where);
Expected<ParamValue> param_from_json(const Json& json, const std::string& where);
Expected<Metric> metric_from_json(const Json& json, std::string_view where);
Expected<ProbeResult> result_from_json(const Json& json, std::string_view where);
Expected<Verdict> verdict_from_json(const Json& json, std::string_view where);
Expected<Summary> summary_from_json(const Json& json, std::string_view where);

/// One line of journal.jsonl (compact, no newline).
std::string to_json_line(const ProbeResult& result);

}  // namespace assay
