#pragma once
// Shared by the power tests: fixture trees in a temporary directory, and a helper
// process that advances an energy counter file at a known rate, as the hardware would.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace assay::testing {

/// A fresh directory under /dev/shm (else /tmp), removed with its contents at the end.
class FixtureTree {
 public:
  explicit FixtureTree(const std::string& tag);
  ~FixtureTree();
  FixtureTree(const FixtureTree&) = delete;
  FixtureTree& operator=(const FixtureTree&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to `relative` (directories created), replacing it atomically.
  void write(const std::filesystem::path& relative, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

/// Writes `text` to `file` through a temporary file and rename(), so a reader never
/// sees a half-written value.
void replace_file(const std::filesystem::path& file, const std::string& text);

/// A child process that rewrites `file` every millisecond with a microjoule counter
/// advancing at `watts` from `start_uj`, wrapping to 0 after `range_uj` as RAPL's does.
/// Killed and reaped on destruction.
class CounterWriter {
 public:
  CounterWriter(std::filesystem::path file, double watts, std::uint64_t start_uj, std::uint64_t range_uj);
  ~CounterWriter();
  CounterWriter(const CounterWriter&) = delete;
  CounterWriter& operator=(const CounterWriter&) = delete;

 private:
  pid_t pid_ = -1;
};

}  // namespace assay::testing
