#include "e2e/run_assay.h"

#include <fcntl.h>
#include <gtest/gtest.h>
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

std::string small_quick_plan(const std::string& system_name) {
  return "[system]\nname = \"" + system_name + "\"\n\n"
         "[run]\nsuite = \"quick\"\n\n"
         "[probes]\nthreads = 1\n\n"
         "[probes.cpu.fma]\nrepetitions = 3\nseconds = 0.02\n\n"
         "[probes.cpu.gemm]\nn = 128\nrepetitions = 3\n\n"
         "[probes.memory.stream]\nelements = 200000\nrepetitions = 3\n";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::string only_bundle(const std::string& out_root) {
  std::vector<std::string> entries;
  std::error_code error;
  for (const auto& e : fs::directory_iterator(out_root, error)) entries.push_back(e.path().string());
  if (entries.size() == 1 && fs::is_directory(entries.front())) return entries.front();
  std::string found;
  for (const auto& e : entries) found += "\n  " + e;
  ADD_FAILURE() << "expected one bundle directory in " << out_root << ", found "
                << (error ? error.message() : std::to_string(entries.size()) + " entries") << found;
  return {};
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
