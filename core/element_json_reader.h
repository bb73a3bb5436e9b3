#pragma once
// summary.json's element lines (a verdict, a result) read without building a nlohmann
// DOM: at 10,000 nodes the DOM of half a billion bytes of lines was most of loading
// the summary (docs/scale.md). Each reader takes a line only when it is in the layout
// element_json_text.h writes and every field is valid, and gives exactly what
// verdict_from_json / result_from_json would; for any other line it says nullopt and
// the caller reads that line with nlohmann, which accepts every layout and words every
// fault. So the messages a user sees never come from here.

#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/verdict.h"

namespace assay {

/// verdict_from_json of the line, or nullopt: read it with nlohmann.
std::optional<Verdict> verdict_from_line(std::string_view line);

/// result_from_json of the line, or nullopt: read it with nlohmann. The result's own
/// fields (a few hundred bytes) still go through nlohmann; its metrics do not.
std::optional<ProbeResult> result_from_line(std::string_view line);

}  // namespace assay
