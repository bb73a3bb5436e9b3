// assay report DIR [--format md|json] [-o FILE]
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/result_json.h"
#include "reports/report_markdown.h"
#include "suites/bundle.h"

namespace assay::cli {

int report_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Render a report from a bundle alone (no hardware needed).", "assay report"};
  std::string dir, format = "md", output;
  app.add_option("DIR", dir, "bundle directory (holds summary.json)")->required();
  app.add_option("--format", format, "md (report.md) or json (summary.json re-derived from its samples)")
      ->check(CLI::IsMember({"md", "json"}))
      ->capture_default_str();
  app.add_option("-o,--output", output, "file to write (default: standard output)");
  if (auto code = parse_arguments(app, "report", args, io)) return *code;

  const auto path = std::filesystem::path(dir);
  auto text = read_file((path / bundle_file::summary).string());
  if (!text) {
    return report_error(io, "report", bad_input(fmt::format("{} is not a bundle: {}", dir, text.error().message)));
  }
  const Json json = Json::parse(*text, nullptr, false);
  if (json.is_discarded()) {
    return report_error(io, "report", bad_input(fmt::format("{}/summary.json is not valid JSON", dir)));
  }
  auto summary = summary_from_json(json, "summary.json");
  if (!summary) return report_error(io, "report", summary.error());
  Json inventory;
  if (auto inv = read_file((path / bundle_file::inventory).string())) {
    inventory = Json::parse(*inv, nullptr, false);
    if (inventory.is_discarded()) inventory = Json();
  }
  const std::string rendered =
      format == "json" ? to_json(*summary).dump(2) + "\n" : render_markdown(*summary, inventory);
  if (output.empty() || output == "-") {
    io.out << rendered;
    return exit_accepted;
  }
  if (auto w = write_file_atomic(output, rendered); !w) return report_error(io, "report", bad_input(w.error().message));
  return exit_accepted;
}

}  // namespace assay::cli
