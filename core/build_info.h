#pragma once
#include <string>

namespace assay {

/// What binary this is: recorded in every bundle so a figure can be traced to its build.
struct BuildInfo {
  std::string version;      ///< project version, e.g. "0.1.0"
  std::string git;          ///< `git describe --always --dirty` of the source tree
  std::string build_type;   ///< CMake build type (Release, Debug, ...)
  std::string compiler;     ///< compiler id and version
  std::string flags;        ///< C++ flags of the build type
  bool mpi = false;         ///< built with the MPI communicator
  bool cuda = false;        ///< built with the CUDA probes
};

/// The build information generated at build time (cmake/write_build_info.cmake).
const BuildInfo& build_info();

}  // namespace assay
