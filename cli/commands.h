#pragma once
// The subcommand table (ninja style): one entry per command, one file per command.
// Commands parse arguments and call suites/ and reports/; they measure nothing.

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace CLI {
class App;
}
namespace assay {
class FleetCoordinator;
}

namespace assay::cli {

/// DESIGN.md "CLI": 0 accepted, 1 not accepted, 2 bad usage or input, 3 incomplete run.
enum ExitCode : int {
  exit_accepted = 0,
  exit_not_accepted = 1,
  exit_bad_input = 2,
  exit_incomplete = 3,
};

/// Where a command writes; tests pass string streams.
struct CommandIo {
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;  ///< progress lines may redraw in place
  /// The nodes of an mpirun/srun launch, for commands that run across nodes (set on
  /// rank 0 by run_across_nodes()); nullptr: this node alone.
  FleetCoordinator* fleet = nullptr;
};

using CommandFn = int (*)(const std::vector<std::string>& args, CommandIo& io);

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFn run;
  /// Under mpirun/srun, runs on rank 0 while the other ranks serve it.
  bool across_nodes = false;
};

/// Every command, in the order `assay --help` lists them.
std::span<const Command> commands();

/// Runs `assay ARGS...` (without the program name) and returns the exit code.
int dispatch(const std::vector<std::string>& args, CommandIo& io);

/// Runs `command` in the launch's MPI world when there is one: rank 0 runs it with
/// io.fleet set, the other ranks serve rank 0 until it is done. Without a launcher it
/// just runs `command`.
int run_across_nodes(const Command& command, const std::vector<std::string>& args, CommandIo& io);

/// Prints `error` as "assay <command>: <message>" and returns its exit code.
int report_error(CommandIo& io, std::string_view command, const Error& error);

/// Parses `args` with a CLI11 app. Returns an exit code when the command should end
/// now (help printed: 0; bad arguments: 2, with the message and a hint), else nullopt.
std::optional<int> parse_arguments(CLI::App& app, std::string_view command,
                                   const std::vector<std::string>& args, CommandIo& io);

int run_command(const std::vector<std::string>& args, CommandIo& io);
int probe_command(const std::vector<std::string>& args, CommandIo& io);
int list_command(const std::vector<std::string>& args, CommandIo& io);
int plan_command(const std::vector<std::string>& args, CommandIo& io);
int specs_command(const std::vector<std::string>& args, CommandIo& io);
int report_command(const std::vector<std::string>& args, CommandIo& io);
int verify_command(const std::vector<std::string>& args, CommandIo& io);
int diff_command(const std::vector<std::string>& args, CommandIo& io);
int keygen_command(const std::vector<std::string>& args, CommandIo& io);
int sign_command(const std::vector<std::string>& args, CommandIo& io);

}  // namespace assay::cli
