// The MPI world around a command: rank 0 runs the command, the others serve it.
#include <cstdlib>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "probes/common/communicator.h"
#include "suites/fleet_coordinator.h"
#include "suites/fleet_worker.h"
#include "suites/probe_registry.h"

namespace assay::cli {

int run_across_nodes(const Command& command, const std::vector<std::string>& args, CommandIo& io) {
  const LaunchInfo launch = detect_launch([](const char* name) -> const char* { return std::getenv(name); });
  if (!launch.under_launcher || io.fleet) return command.run(args, io);

  auto world = open_world(launch);
  if (!world) {
    report_error(io, command.name, world.error());
    close_world(WorldEnd::leave, exit_incomplete);
    return exit_incomplete;
  }
  int code = exit_accepted;
  WorldEnd end = WorldEnd::finalize;
  if ((*world)->rank() != 0) {
    // SIGTERM from the launcher cancels this node's probe; its result still goes to rank 0.
    install_interrupt_handlers();
    const WorkerOutcome served = serve_fleet_worker(**world, ProbeRegistry::builtin());
    code = served.exit_code;
    if (code != exit_accepted) {
      end = WorldEnd::abort;  // rank 0 is gone or this node was stopped: end the job
    } else if (!served.all_nodes_answered) {
      end = WorldEnd::leave;
    }
  } else {
    // The coordinator's groups must be freed before MPI ends.
    FleetCoordinator fleet(**world);
    io.fleet = &fleet;
    code = command.run(args, io);
    io.fleet = nullptr;
    fleet.finish();
    if (fleet.any_missing()) end = WorldEnd::abort;
  }
  world->reset();
  close_world(end, code);
  return code;
}

}  // namespace assay::cli
