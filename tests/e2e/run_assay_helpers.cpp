#include "e2e/run_assay.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace assay::testing {
namespace fs = std::filesystem;

std::string make_temp_dir(const std::string& tag) {
  std::string pattern = (fs::temp_directory_path() / ("assay-e2e-" + tag + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) std::abort();
  return pattern;
}

namespace {

CommandResult run(const std::string& program, const std::vector<std::string>& args,
                  const std::string& working_dir, int delay_ms, int signal_number) {
  const std::string scratch = make_temp_dir("io");
  const std::string out_path = scratch + "/out", err_path = scratch + "/err";
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    if (!working_dir.empty() && chdir(working_dir.c_str()) != 0) _exit(127);
    std::vector<char*> argv;
    std::string binary = program;
    argv.push_back(binary.data());
    std::vector<std::string> copies(args);
    for (auto& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  if (signal_number != 0) {
    usleep(static_cast<useconds_t>(delay_ms) * 1000);
    kill(pid, signal_number);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::stringstream out, err;
  out << std::ifstream(out_path).rdbuf();
  err << std::ifstream(err_path).rdbuf();
  result.out = out.str();
  result.err = err.str();
  fs::remove_all(scratch);
  return result;
}

}  // namespace

CommandResult run_assay(const std::vector<std::string>& args, const std::string& working_dir) {
  return run(ASSAY_BINARY, args, working_dir, 0, 0);
}

CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::string& working_dir) {
  return run(program, args, working_dir, 0, 0);
}

CommandResult run_assay_signalled(const std::vector<std::string>& args, const std::string& working_dir,
                                  int delay_ms, int signal_number) {
  return run(ASSAY_BINARY, args, working_dir, delay_ms, signal_number);
}

}  // namespace assay::testing
