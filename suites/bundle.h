#pragma once
// The bundle directory a run leaves (DESIGN.md "The bundle") and how its files are
// written: whole or not at all (write to a temporary name, fsync, rename).

#include <chrono>
#include <string>

#include "core/expected.h"
#include "core/file_io.h"  // write_file_atomic, read_file: bundle files are written with them

namespace assay {

/// File names inside a bundle.
namespace bundle_file {
inline constexpr const char* plan = "plan.toml";
inline constexpr const char* inventory = "inventory.json";
inline constexpr const char* journal = "journal.jsonl";
inline constexpr const char* summary = "summary.json";
inline constexpr const char* report_md = "report.md";
}  // namespace bundle_file

/// "Example AIDC, lot 3" -> "example-aidc-lot-3" (lowercase ASCII, digits, dashes).
std::string bundle_slug(const std::string& plan_name);

/// Creates <out_root>/<2026-11-22T010203Z>-<slug>/ (a numbered suffix if it exists)
/// and returns its path. An out_root that cannot be created or written is a bad_input
/// error naming it.
Expected<std::string> create_bundle_dir(const std::string& out_root, const std::string& plan_name,
                                        std::chrono::system_clock::time_point when);

}  // namespace assay
