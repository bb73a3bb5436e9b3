# build_info.cpp is regenerated on every build (content only changes when the commit
# or the configuration does), so inventory.json names the exact source a binary came from.
set(ASSAY_BUILD_INFO_CPP ${CMAKE_BINARY_DIR}/generated/build_info.cpp)
add_custom_target(assay_build_info_gen
  COMMAND ${CMAKE_COMMAND}
    -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
    -DOUTPUT=${ASSAY_BUILD_INFO_CPP}
    -DVERSION=${PROJECT_VERSION}
    -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
    "-DCOMPILER=${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}"
    "-DFLAGS=${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${CMAKE_BUILD_TYPE}}"
    -DMPI=${ASSAY_HAVE_MPI}
    -DCUDA=${ASSAY_HAVE_CUDA}
    -P ${CMAKE_SOURCE_DIR}/cmake/write_build_info.cmake
  BYPRODUCTS ${ASSAY_BUILD_INFO_CPP}
  COMMENT "Recording build information"
  VERBATIM)
