// assay report DIR [--format md|html|junit|csv|json] [--lang en|zh] [-o FILE]
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/result_json.h"
#include "core/summary_file.h"
#include "reports/journal_evidence.h"
#include "reports/report_input.h"
#include "suites/bundle.h"
#include "suites/journal.h"

namespace assay::cli {
namespace {

namespace fs = std::filesystem;

// A bundle file as JSON; one that is there but does not parse is an error naming it.
Expected<Json> read_json(const fs::path& path) {
  auto text = read_file(path.string());
  if (!text) return text.error();
  Json json = Json::parse(*text, nullptr, false);
  if (json.is_discarded()) return bad_input(fmt::format("{} is not valid JSON", path.string()));
  return json;
}

}  // namespace

int report_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Render a report from a bundle alone (no hardware needed); the same bytes the run wrote.",
               "assay report"};
  std::string dir, format_name = "md", lang_name_text = "en", output;
  app.add_option("DIR", dir, "bundle directory (holds summary.json)")->required();
  app.add_option("--format", format_name,
                 "md (report.md), html (report.html), junit (junit.xml), csv (results.csv) or json "
                 "(summary.json re-derived from its samples)")
      ->check(CLI::IsMember({"md", "html", "junit", "csv", "json"}))
      ->capture_default_str();
  app.add_option("--lang", lang_name_text, "language of the md, html and junit reports: en or zh (Simplified Chinese)")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  app.add_option("-o,--output", output, "file to write (default: standard output)");
  if (auto code = parse_arguments(app, "report", args, io)) return *code;
  const ReportFormat format = *report_format_from_name(format_name);
  const Lang lang = *lang_from_name(lang_name_text);

  const fs::path bundle(dir);
  if (!fs::is_directory(bundle)) {
    return report_error(io, "report", bad_input(fmt::format("{} is not a bundle directory", dir)));
  }
  const fs::path summary_path = bundle / bundle_file::summary;
  if (!fs::is_regular_file(summary_path)) {
    return report_error(io, "report", bad_input(fmt::format("{} is not a bundle: it has no {}", dir,
                                                            bundle_file::summary)));
  }
  // Statistics and values are derived again from the samples, never trusted from the file.
  auto summary = read_summary_file(summary_path.string());
  if (!summary) return report_error(io, "report", summary.error());

  Json inventory;
  if (const fs::path path = bundle / bundle_file::inventory; fs::exists(path)) {
    auto json = read_json(path);
    if (!json) return report_error(io, "report", json.error());
    inventory = std::move(*json);
  }
  ReportInput input{*summary, inventory, lang, summary->journal_lines};
  // Bundles written before summary.json recorded each result's journal line: read the
  // journal for them (seconds at 10,000 nodes, docs/scale.md).
  const bool lines_recorded =
      !summary->journal_lines.empty() && summary->journal_lines.size() == summary->results.size();
  if (const fs::path path = bundle / bundle_file::journal; !lines_recorded && fs::exists(path)) {
    auto journal = Journal::read(path.string());
    if (!journal) return report_error(io, "report", journal.error());
    input.journal_lines = journal_lines_for(*summary, journal->results);
  }

  const std::string rendered = render_report(format, input);
  if (output.empty() || output == "-") {
    io.out << rendered;
    return exit_accepted;
  }
  if (auto w = write_file_atomic(output, rendered); !w) return report_error(io, "report", w.error());
  return exit_accepted;
}

}  // namespace assay::cli
