#include "probes/gpu/gpu_module_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace assay::gpu {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModuleFile = "libassay_gpu.so";

std::string dl_error_text() {
  const char* text = ::dlerror();
  return text != nullptr ? text : "unknown dlopen error";
}

// Candidates in the order they are tried: an explicit path, the environment, then the
// places a build or an install puts the module relative to the binary.
std::vector<std::string> module_candidates(const ModuleLoadOptions& options) {
  if (!options.module_path.empty()) return {options.module_path};
  if (const char* env = std::getenv("ASSAY_GPU_MODULE"); env != nullptr && *env != '\0') return {env};
  std::vector<std::string> paths;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    paths.push_back((exe.parent_path() / kModuleFile).string());
    paths.push_back((exe.parent_path() / ".." / "lib" / "assay" / kModuleFile).lexically_normal().string());
  }
  return paths;
}

#if defined(ASSAY_GPU_MODULE_BUILT)
constexpr bool kModuleBuilt = true;
#else
constexpr bool kModuleBuilt = false;
#endif

}  // namespace

ModuleAccess::~ModuleAccess() { delete module; }

ModuleAccess::ModuleAccess(ModuleAccess&& other) noexcept
    : module(other.module), unavailable(std::move(other.unavailable)), path(std::move(other.path)) {
  other.module = nullptr;
}

ModuleAccess load_gpu_module(const ModuleLoadOptions& options) {
  ModuleAccess access;
  const std::vector<std::string> candidates = module_candidates(options);
  const bool explicit_path = !options.module_path.empty() || std::getenv("ASSAY_GPU_MODULE") != nullptr;
  if (!kModuleBuilt && !explicit_path) {
    access.unavailable = "this assay was built without CUDA (nvcc was not found when it was built)";
    return access;
  }
  if (options.require_driver) {
    // Kept open: the module's CUDA runtime loads the same library again.
    if (::dlopen(options.driver_library.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
      access.unavailable = fmt::format("no CUDA device: driver not loaded ({})", dl_error_text());
      return access;
    }
  }
  std::string tried;
  for (const std::string& candidate : candidates) {
    std::error_code ec;
    if (!explicit_path && !fs::exists(candidate, ec)) {
      tried += (tried.empty() ? "" : ", ") + candidate;
      continue;
    }
    access.path = candidate;
    // RTLD_LOCAL: the CUDA libraries' symbols stay the module's own.
    void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      access.unavailable = fmt::format("assay's GPU module could not be loaded: {}", dl_error_text());
      return access;
    }
    ::dlerror();
    void* symbol = ::dlsym(handle, "assay_gpu_module_create");
    if (symbol == nullptr) {
      access.unavailable = fmt::format("{} is not assay's GPU module (no assay_gpu_module_create: {})", candidate,
                                       dl_error_text());
      return access;
    }
    using Create = Module* (*)(int, char*, unsigned long);
    std::array<char, 512> error{};
    access.module = reinterpret_cast<Create>(symbol)(kModuleAbi, error.data(), error.size());
    if (access.module == nullptr) {
      access.unavailable = fmt::format("{}: {}", candidate, error.data());
    }
    return access;
  }
  access.unavailable = fmt::format("assay's GPU module {} was not found (looked at {}); set ASSAY_GPU_MODULE to its path",
                                   kModuleFile, tried.empty() ? "nothing" : tried);
  return access;
}

std::optional<std::string> kernel_gap(const std::vector<Device>& devices, const std::vector<int>& architectures) {
  if (architectures.empty() || devices.empty()) return std::nullopt;
  // Each architecture is built with its PTX too, so any GPU at or above the lowest one
  // runs the kernels (compiled at load where no binary matches).
  const int lowest = *std::min_element(architectures.begin(), architectures.end());
  for (const Device& d : devices) {
    if (d.cc_major * 10 + d.cc_minor >= lowest) return std::nullopt;
  }
  std::string built;
  for (int cc : architectures) built += fmt::format("{}sm_{}", built.empty() ? "" : " ", cc);
  const Device& d = devices.front();
  return fmt::format("the GPUs here ({}, compute capability {}.{}) are older than the kernels this assay's GPU module "
                     "was built for ({}); rebuild with -DASSAY_CUDA_ARCHITECTURES=\"{}{};{}\"",
                     d.name, d.cc_major, d.cc_minor, built, d.cc_major, d.cc_minor,
                     fmt::format("{}", fmt::join(architectures, ";")));
}

GpuSetup gpu_setup_from(const ModuleAccess& access) {
  GpuSetup setup;
  if (access.module == nullptr) {
    setup.unavailable = access.unavailable;
    return setup;
  }
  setup.module = access.module;
  setup.versions = access.module->versions();
  DeviceList list = access.module->devices();
  if (!list.error.empty()) {
    setup.unavailable = fmt::format("no CUDA device: {}", list.error);
  } else if (list.devices.empty()) {
    setup.unavailable = "no CUDA device: the driver reports none (check CUDA_VISIBLE_DEVICES)";
  } else if (auto gap = kernel_gap(list.devices, access.module->kernel_architectures())) {
    setup.unavailable = *gap;
  }
  setup.devices = std::move(list.devices);
  return setup;
}

const GpuSetup& gpu_setup() {
  // Leaked on purpose: the module must outlive every probe, including those running in
  // threads at exit, and the CUDA runtime does its own teardown.
  static const ModuleAccess* access = new ModuleAccess(load_gpu_module({}));
  static const GpuSetup setup = gpu_setup_from(*access);
  return setup;
}

std::string gpu_subject(int index) { return fmt::format("gpu{}", index); }

}  // namespace assay::gpu
