// assay: a thin main over the command table, so everything it does is testable
// without spawning it.
#include <unistd.h>

#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  assay::cli::CommandIo io{std::cout, std::cerr, isatty(STDERR_FILENO) == 1};
  try {
    return assay::cli::dispatch(args, io);
  } catch (const std::exception& e) {
    std::cerr << "assay: internal error: " << e.what() << "\n";
    return assay::cli::exit_incomplete;
  }
}
