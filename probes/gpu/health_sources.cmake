# gpu.health: plain C++ (no CUDA), NVML through the power layer's dlopen loader
# (probes/power/nvml_library.h), so it is built everywhere and skips without a driver.
# Paths are relative to probes/; included from probes/CMakeLists.txt.
set(ASSAY_GPU_HEALTH_SOURCES
  gpu/gpu_clock_events.cpp
  gpu/gpu_health_snapshot.cpp
  gpu/gpu_health_judgement.cpp
  gpu/gpu_health_baseline.cpp
  gpu/gpu_health_json.cpp
  gpu/gpu_health_probe.cpp
)
