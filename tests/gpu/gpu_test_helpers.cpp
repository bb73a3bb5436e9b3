// Linked into every GPU test: points the loader at the module this build made (tests do
// not run from the binary's directory, where assay looks for it).
#include <cstdlib>

namespace {

[[maybe_unused]] const bool module_path_set = [] {
#if defined(ASSAY_GPU_MODULE_PATH)
  ::setenv("ASSAY_GPU_MODULE", ASSAY_GPU_MODULE_PATH, 0);
#endif
  return true;
}();

}  // namespace
