#pragma once
// Where each result of a summary sits in its journal: the raw evidence a report points
// an auditor to ("journal.jsonl line 17").

#include <cstddef>
#include <vector>

#include "core/result.h"
#include "core/summary.h"

namespace assay {

/// For summary.results[i], the 1-based position in `journal_in_order` (journal.jsonl's
/// results in file order, i.e. its line) of the LAST entry with the same node, probe,
/// subject and start time: a probe re-run after --resume replaces its earlier line.
/// 0 where the journal has no such entry. O(n log n) in the sizes of both.
std::vector<std::size_t> journal_lines_for(const Summary& summary, const std::vector<ProbeResult>& journal_in_order);

}  // namespace assay
