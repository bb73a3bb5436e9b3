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

/// A plan of the quick suite at its smallest, named `system_name`: it runs in seconds,
/// even under the sanitizers, and still gives every quick probe samples to judge.
std::string small_quick_plan(const std::string& system_name);

/// The whole file at `path`, byte for byte ("" when it cannot be read).
std::string read_text(const std::string& path);

/// Replaces the file at `path` with `content`, byte for byte.
void write_text(const std::string& path, const std::string& content);

/// The one bundle directory `assay run --out out_root` made; "" (and a test failure
/// naming what was there) when out_root does not hold exactly one directory.
std::string only_bundle(const std::string& out_root);

}  // namespace assay::testing
