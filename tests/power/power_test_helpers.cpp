#include "power_test_helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace assay::testing {

FixtureTree::FixtureTree(const std::string& tag) {
  // In memory where there is /dev/shm: a counter file renamed every millisecond on a
  // disk that other tests are loading can stall for tens of milliseconds, which would
  // show as power the fixture did not draw.
  const std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  std::string pattern = base + "/assay-" + tag + "-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

FixtureTree::~FixtureTree() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void FixtureTree::write(const std::filesystem::path& relative, const std::string& text) const {
  const auto file = path_ / relative;
  std::filesystem::create_directories(file.parent_path());
  replace_file(file, text);
}

void replace_file(const std::filesystem::path& file, const std::string& text) {
  const auto temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, file);
}

namespace {

double monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

CounterWriter::CounterWriter(std::filesystem::path file, double watts, std::uint64_t start_uj,
                             std::uint64_t range_uj) {
  replace_file(file, std::to_string(start_uj) + "\n");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ > 0) return;
  // The child: only file writes until it is killed.
  const double t0 = monotonic_seconds();
  const std::string temporary = file.string() + ".tmp";
  for (;;) {
    const double uj = static_cast<double>(start_uj) + watts * 1e6 * (monotonic_seconds() - t0);
    const auto value = static_cast<std::uint64_t>(uj) % (range_uj + 1);
    const std::string text = std::to_string(value) + "\n";
    std::FILE* out = std::fopen(temporary.c_str(), "w");
    if (out) {
      std::fputs(text.c_str(), out);
      std::fclose(out);
      std::rename(temporary.c_str(), file.c_str());
    }
    ::usleep(1000);
  }
}

CounterWriter::~CounterWriter() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace assay::testing
