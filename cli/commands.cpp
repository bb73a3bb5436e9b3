#include "cli/commands.h"

#include <algorithm>
#include <array>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/build_info.h"
#include "core/text_match.h"

namespace assay::cli {
namespace {

constexpr std::array<Command, 10> kCommands{{
    {"run", "run a plan (default: the quick suite) on this node, or on every node of an mpirun/srun "
            "launch, and write a bundle",
     run_command, true},
    {"probe", "run one probe on this node (or every node under mpirun/srun) and print the results (no bundle)",
     probe_command, true},
    {"list", "list the probes, what they measure, and why any is unavailable here", list_command},
    {"plan", "check a plan, or write a new one (plan check PLAN | plan init [--from-host])", plan_command},
    {"specs", "show the rated-spec catalog (specs list | specs show NAME)", specs_command},
    {"report", "render a report from a bundle (report DIR --format md|html|junit|csv|json [--lang en|zh])",
     report_command},
    {"verify", "re-check a bundle: file hashes, signatures, and every verdict re-derived from its raw samples",
     verify_command},
    {"diff", "compare two bundles per node and metric, flagging changes beyond their confidence intervals",
     diff_command},
    {"keygen", "make an Ed25519 key pair for signing bundles", keygen_command},
    {"sign", "add a signature to a bundle's MANIFEST (sign DIR --key KEYFILE)", sign_command},
}};

void print_usage(std::ostream& out) {
  out << "assay " << build_info().version
      << " — certify AI computing-centre hardware against its rated figures\n\n"
         "Usage: assay COMMAND [ARGS...]\n\nCommands:\n";
  std::size_t width = 0;
  for (const auto& c : kCommands) width = std::max(width, c.name.size());
  for (const auto& c : kCommands) {
    out << "  " << c.name << std::string(width - c.name.size() + 2, ' ') << c.summary << "\n";
  }
  out << "\nRun 'assay COMMAND --help' for a command's options.\n"
         "Exit codes: 0 accepted, 1 not accepted (a FAIL), 2 bad usage or input, "
         "3 the run could not be completed;\n"
         "verify: 0 the bundle is intact and its verdicts follow, 1 a difference; "
         "diff: 0 no significant regression, 1 one.\n";
}

}  // namespace

std::span<const Command> commands() { return kCommands; }

int report_error(CommandIo& io, std::string_view command, const Error& error) {
  io.err << "assay " << command << ": " << error.message << "\n";
  return error.kind == ErrorKind::bad_input ? exit_bad_input : exit_incomplete;
}

std::optional<int> parse_arguments(CLI::App& app, std::string_view command,
                                   const std::vector<std::string>& args, CommandIo& io) {
  // CLI11 takes a vector in reverse order (it pops arguments from the back).
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    io.out << app.help();
    return exit_accepted;
  } catch (const CLI::CallForAllHelp&) {
    io.out << app.help("", CLI::AppFormatMode::All);
    return exit_accepted;
  } catch (const CLI::ParseError& e) {
    io.err << "assay " << command << ": " << e.what() << "\nRun 'assay " << command
           << " --help' for usage.\n";
    return exit_bad_input;
  }
  return std::nullopt;
}

int dispatch(const std::vector<std::string>& args, CommandIo& io) {
  if (args.empty()) {
    print_usage(io.err);
    return exit_bad_input;
  }
  const std::string& name = args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    if (name == "help" && args.size() > 1) return dispatch({args[1], "--help"}, io);
    print_usage(io.out);
    return exit_accepted;
  }
  if (name == "--version" || name == "-V") {
    const auto& b = build_info();
    io.out << "assay " << b.version << " (" << b.git << ", " << b.build_type << ", " << b.compiler
           << (b.mpi ? ", MPI" : "") << (b.cuda ? ", CUDA" : "") << ")\n";
    return exit_accepted;
  }
  for (const auto& c : kCommands) {
    if (c.name != name) continue;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    return c.across_nodes ? run_across_nodes(c, rest, io) : c.run(rest, io);
  }
  std::vector<std::string> names;
  for (const auto& c : kCommands) names.emplace_back(c.name);
  io.err << "assay: unknown command '" << name << "'" << did_you_mean(name, names)
         << "\nRun 'assay --help' for the list of commands.\n";
  return exit_bad_input;
}

}  // namespace assay::cli
