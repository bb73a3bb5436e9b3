#include "probes/gpu/gpu_health_baseline.h"

#include <mutex>

namespace assay {
namespace {

struct Store {
  std::mutex mutex;
  std::optional<GpuHealthBaseline> baseline;
};

Store& store() {
  static Store s;
  return s;
}

}  // namespace

void record_gpu_health_baseline(NodeGpuHealth health, std::string origin) {
  Store& s = store();
  const std::lock_guard lock(s.mutex);
  if (!s.baseline) s.baseline = GpuHealthBaseline{std::move(health), std::move(origin)};
}

std::optional<GpuHealthBaseline> gpu_health_baseline() {
  Store& s = store();
  const std::lock_guard lock(s.mutex);
  return s.baseline;
}

void clear_gpu_health_baseline() {
  Store& s = store();
  const std::lock_guard lock(s.mutex);
  s.baseline.reset();
}

}  // namespace assay
