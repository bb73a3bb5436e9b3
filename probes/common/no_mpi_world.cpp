// The communicator of a build without MPI: every run is a world of one, and a launch
// by mpirun or srun is refused rather than turned into N separate runs.
#include <fmt/format.h>

#include "probes/common/communicator.h"

namespace assay {

bool mpi_built_in() { return false; }

Expected<std::unique_ptr<Communicator>> open_world(const LaunchInfo& launch) {
  if (launch.under_launcher && launch.expected_size != 1) {
    return environment_error(fmt::format(
        "started by {} as one of several ranks, but this assay was built without MPI, so each "
        "rank would measure alone and write its own bundle; install an MPI (scripts/install-deps "
        "installs Open MPI) and rebuild",
        launch.launcher));
  }
  return single_process_world();
}

void close_world(WorldEnd, int) {}

}  // namespace assay
