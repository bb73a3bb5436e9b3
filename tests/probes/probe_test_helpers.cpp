#include "probe_test_helpers.h"

#include <gtest/gtest.h>

namespace assay::testing {

ParamList resolved(const Probe& probe, std::vector<ParamOverride> overrides) {
  const auto specs = probe.params();
  auto params = resolve_params(probe.name(), specs, overrides);
  EXPECT_TRUE(params.ok()) << (params.ok() ? "" : params.error().message);
  return params.ok() ? *params : ParamList{};
}

}  // namespace assay::testing
