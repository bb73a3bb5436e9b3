#include "probe_test_helpers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <iterator>

namespace assay::testing {

ParamList resolved(const Probe& probe, std::vector<ParamOverride> overrides) {
  const auto specs = probe.params();
  auto params = resolve_params(probe.name(), specs, overrides);
  EXPECT_TRUE(params.ok()) << (params.ok() ? "" : params.error().message);
  return params.ok() ? *params : ParamList{};
}

ScratchDirectory::ScratchDirectory(const std::string& tag)
    : path_(std::filesystem::path("/var/tmp") / ("assay-" + tag + "-test-" + std::to_string(::getpid()))) {
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::size_t ScratchDirectory::entries() const {
  return static_cast<std::size_t>(
      std::distance(std::filesystem::directory_iterator(path_), std::filesystem::directory_iterator{}));
}

}  // namespace assay::testing
