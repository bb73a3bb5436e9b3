# Every dependency comes from Debian's packages (scripts/install-deps installs them).
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(OpenBLAS REQUIRED)
# libsodium (Debian libsodium-dev): SHA-256 of a bundle's files and Ed25519 signatures
# over its MANIFEST (reports/manifest*.cpp). Debian ships no CMake config for it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

# OpenBLAS' CMake config only sets variables; wrap them in a target.
add_library(assay_openblas INTERFACE)
target_include_directories(assay_openblas SYSTEM INTERFACE ${OpenBLAS_INCLUDE_DIRS})
target_link_libraries(assay_openblas INTERFACE ${OpenBLAS_LIBRARIES})

if(ASSAY_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(ASSAY_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Optional: later probe families use these when present; the build never needs them.
set(ASSAY_HAVE_MPI OFF)
if(ASSAY_WITH_MPI)
  find_package(MPI COMPONENTS C QUIET)
  if(MPI_C_FOUND)
    set(ASSAY_HAVE_MPI ON)
  endif()
endif()
# liburing (Debian liburing-dev): the storage probes' io_uring engine; without it they
# use their thread-pool engine only.
set(ASSAY_HAVE_LIBURING OFF)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(LIBURING QUIET IMPORTED_TARGET liburing)
  if(LIBURING_FOUND)
    set(ASSAY_HAVE_LIBURING ON)
  endif()
endif()
# libcurl (Debian libcurl4-openssl-dev): the Redfish power source's HTTPS client;
# without it that source reports that it was built without libcurl.
set(ASSAY_HAVE_CURL OFF)
find_package(CURL QUIET)
if(CURL_FOUND AND TARGET CURL::libcurl)
  set(ASSAY_HAVE_CURL ON)
endif()
message(STATUS "assay: libcurl ${ASSAY_HAVE_CURL}")
set(ASSAY_HAVE_CUDA OFF)
if(ASSAY_WITH_CUDA)
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(ASSAY_HAVE_CUDA ON)
    # sm_80 (A100), sm_90 (H100/H200) and sm_100 (B200), each with PTX so newer GPUs
    # JIT-compile; override with -DASSAY_CUDA_ARCHITECTURES="90;100" etc.
    set(ASSAY_CUDA_ARCHITECTURES "80;90;100" CACHE STRING "CUDA architectures of the GPU module's kernels")
    set(CMAKE_CUDA_ARCHITECTURES ${ASSAY_CUDA_ARCHITECTURES})
    enable_language(CUDA)
  endif()
endif()
message(STATUS "assay: MPI ${ASSAY_HAVE_MPI}, liburing ${ASSAY_HAVE_LIBURING}, CUDA ${ASSAY_HAVE_CUDA}")
