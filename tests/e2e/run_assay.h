#pragma once
// Runs the built assay binary as a user would, capturing its output and exit code.

#include <string>
#include <vector>

namespace assay::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs ASSAY_BINARY with `args` in `working_dir` (default: the current directory).
CommandResult run_assay(const std::vector<std::string>& args, const std::string& working_dir = {});

/// Like run_assay(), but sends `signal_number` to assay after `delay_ms` milliseconds.
CommandResult run_assay_signalled(const std::vector<std::string>& args, const std::string& working_dir,
                                  int delay_ms, int signal_number);

/// Runs `program` (an absolute path, e.g. mpirun) with `args` in `working_dir`.
CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::string& working_dir = {});

/// A fresh empty directory under the system temp dir, removed by the caller.
std::string make_temp_dir(const std::string& tag);

}  // namespace assay::testing
