#pragma once
// The pieces of summary.json shared by its readers and writers (core only): the
// whole-document forms in summary_json.cpp and the element-per-line forms in
// summary_json_writer.cpp / summary_json_reader.cpp read and write every field through
// these, so the two layouts cannot drift apart.

#include <string>
#include <string_view>
#include <vector>

#include "core/result_json.h"

namespace assay {

Json to_json(const SummaryRated& rated);
Json to_json(const FleetStat& fleet);

/// Every member of summary.json in file order, with the four big arrays (rated,
/// verdicts, fleet, results) empty: the writer streams their elements one by one.
Json summary_json_head(const Summary& summary);

/// The big arrays of a summary.json object, after summary_head_from_json checked their
/// types. `fleet` and `links` are nullptr when absent (older bundles).
struct SummaryArrays {
  const Json* rated = nullptr;
  const Json* verdicts = nullptr;
  const Json* fleet = nullptr;
  const Json* links = nullptr;
  const Json* results = nullptr;
  const Json* journal_lines = nullptr;  ///< absent in bundles written before it was recorded
};

/// Reads every member but the big arrays' elements into `s` (schema, plan, assay,
/// times, nodes, context) and checks the big arrays are there with the right type.
Expected<SummaryArrays> summary_head_from_json(const Json& json, std::string_view where, Summary& s);

/// `journal_lines` (nullptr: absent) into s.journal_lines, after s.results is read: one
/// non-negative integer per result, or a bad_input error naming `where`.
Expected<void> journal_lines_from_json(const Json* json, std::string_view where, Summary& s);

/// One element of `rated` / `fleet`; `where` names it, e.g. "summary.json.rated[3]".
Expected<SummaryRated> rated_from_json(const Json& json, const std::string& where);
Expected<FleetStat> fleet_from_json(const Json& json, const std::string& where);
Expected<LinkMatrix> links_from_json(const Json& json, const std::string& where);

/// "<where>.<array>[<index>]", how an element is named in messages.
std::string element_where(std::string_view where, std::string_view array, std::size_t index);

/// Reads every element of the JSON array `array` (member `name`) with `read` into `out`,
/// stopping at the first error.
template <class T, class Read>
Expected<void> read_elements(const Json& array, std::string_view where, std::string_view name, Read read,
                             std::vector<T>& out) {
  // A run of 10,000 nodes has half a million verdicts: grow once (docs/scale.md).
  out.reserve(out.size() + array.size());
  std::size_t i = 0;
  for (const auto& element : array) {
    auto value = read(element, element_where(where, name, i++));
    if (!value) return value.error();
    out.push_back(std::move(*value));
  }
  return {};
}

}  // namespace assay
