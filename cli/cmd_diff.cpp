// assay diff DIR_A DIR_B [--json] [--all] [--threshold PCT]
// Exit 0: no significant regression; 1: a significant regression (CI-separated change
// in the worse direction), so CI can gate a firmware update on it; 2: bad input.
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/summary_file.h"
#include "reports/bundle_diff.h"
#include "suites/bundle.h"

namespace assay::cli {
namespace {

Expected<Summary> load_summary(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return bad_input(fmt::format("{} is not a bundle: no such directory", dir));
  }
  const std::string file = (std::filesystem::path(dir) / bundle_file::summary).string();
  if (!std::filesystem::is_regular_file(file, ec)) {
    return bad_input(fmt::format("{} is not a bundle: it has no {}", dir, bundle_file::summary));
  }
  return read_summary_file(file);
}

}  // namespace

int diff_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Compare two bundles per node and metric (factory vs on site, before vs after a firmware "
               "update). A change is significant when the medians' confidence intervals do not overlap.\n"
               "Exit codes: 0 no significant regression, 1 a significant regression, 2 bad input.",
               "assay diff"};
  std::string dir_a, dir_b;
  bool json = false, all = false;
  double threshold_percent = 5.0;
  app.add_option("DIR_A", dir_a, "the reference bundle (before, factory)")->required();
  app.add_option("DIR_B", dir_b, "the bundle compared with it (after, on site)")->required();
  app.add_flag("--json", json, "machine-readable output (schema assay.diff/1) and nothing else");
  app.add_flag("--all", all, "list every metric in both bundles, changed or not");
  app.add_option("--threshold", threshold_percent,
                 "also list changes of at least PCT percent that are not significant")
      ->check(CLI::NonNegativeNumber)
      ->type_name("PCT")
      ->capture_default_str();
  if (auto code = parse_arguments(app, "diff", args, io)) return *code;

  auto a = load_summary(dir_a);
  if (!a) return report_error(io, "diff", a.error());
  auto b = load_summary(dir_b);
  if (!b) return report_error(io, "diff", b.error());

  BundleDiff diff = diff_summaries(*a, *b);
  diff.a.label = dir_a;
  diff.b.label = dir_b;
  const DiffView view{threshold_percent / 100.0, all, DiffView{}.row_limit};
  if (json) {
    io.out << diff_json(diff, view).dump(2) << "\n";
  } else {
    io.out << render_diff_text(diff, view);
  }
  return diff.significant_regressions > 0 ? exit_not_accepted : exit_accepted;
}

}  // namespace assay::cli
