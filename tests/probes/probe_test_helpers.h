#pragma once
// Shared by the probe tests: a probe's parameters resolved as the runner would.

#include <filesystem>
#include <string>
#include <vector>

#include "core/params.h"
#include "probes/probe.h"

namespace assay::testing {

/// The probe's defaults with `overrides` applied; a failure to resolve fails the test.
ParamList resolved(const Probe& probe, std::vector<ParamOverride> overrides);

/// A fresh directory for a storage probe to test in, removed with its contents at the
/// end. Under /var/tmp, which is disk-backed on the development and CI machines (so
/// O_DIRECT is exercised), where /tmp may be tmpfs.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const std::string& tag);
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string string() const { return path_.string(); }
  /// Entries directly inside it: 0 once a probe has cleaned up after itself.
  std::size_t entries() const;

 private:
  std::filesystem::path path_;
};

}  // namespace assay::testing
