#pragma once
// summary.json as a file, fast at any size (docs/scale.md): the small members
// pretty-printed, and each element of the big arrays (rated, verdicts, fleet, results)
// as one compact JSON object on a line of its own:
//
//   "verdicts": [
//   {"node":"n1","subject":"cpu",...},
//   {"node":"n2","subject":"cpu",...}
//     ],
//
// It is ordinary JSON (schema assay.summary/1, read by summary_from_json like any other
// layout); the layout only lets it be written and read an element at a time, on every
// core, without a DOM of the whole run.

#include <string>
#include <string_view>

#include "core/expected.h"
#include "core/summary.h"

namespace assay {

/// The text of summary.json, ending in a newline. Byte-for-byte deterministic.
std::string summary_json_text(const Summary& summary);

/// Reads summary.json's text; `where` names it in messages. In the layout above the big
/// arrays are parsed element by element in parallel; any other layout (older bundles,
/// hand-edited files) is read as one document. Either way every field is checked as
/// summary_from_json checks it, and a problem is reported as summary_from_json reports
/// it ("<where>.results[12]: missing 'probe'").
Expected<Summary> read_summary_text(std::string_view text, std::string_view where);

/// read_summary_text of the file at `path`, which names it in messages.
Expected<Summary> read_summary_file(const std::string& path);

}  // namespace assay
