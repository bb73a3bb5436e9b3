// Writes a generated scale bundle (tests/reports/scale_bundle.h) for timing
// `assay report DIR --format X` end to end (docs/scale.md):
//   write_scale_bundle DIR [NODES [METRICS_PER_NODE [SEED]]]     (default 10000 50 1)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "reports/scale_bundle.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 5) {
    std::fprintf(stderr, "usage: %s DIR [NODES [METRICS_PER_NODE [SEED]]]\n", argv[0]);
    return 2;
  }
  const auto arg = [&](int i, unsigned long fallback) {
    return argc > i ? std::strtoul(argv[i], nullptr, 10) : fallback;
  };
  const auto summary = assay::testing::make_scale_summary(arg(2, 10'000), arg(3, 50), static_cast<unsigned>(arg(4, 1)));
  if (auto w = assay::testing::write_scale_bundle(argv[1], summary); !w) {
    std::fprintf(stderr, "%s\n", w.error().message.c_str());
    return 2;
  }
  std::printf("%s: %zu nodes, %zu results, %zu measurements, %zu verdicts\n", argv[1], summary.nodes.size(),
              summary.results.size(), assay::testing::count_measurements(summary), summary.verdicts.size());
  return 0;
}
