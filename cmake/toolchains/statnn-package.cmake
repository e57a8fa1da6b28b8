# Installed with statnn (<prefix>/share/statnn/toolchains), these toolchain files point
# find_package(statnn) at the package they came with: their CMAKE_FIND_ROOT_PATH_MODE_PACKAGE
# ONLY would otherwise hide it, as it lies outside the target's sysroot. Pass -Dstatnn_DIR=...
# to use another copy.
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../cmake/statnnConfig.cmake")
  get_filename_component(_statnn_package_dir "${CMAKE_CURRENT_LIST_DIR}/../cmake" ABSOLUTE)
  set(statnn_DIR "${_statnn_package_dir}" CACHE PATH "statnn's CMake package (the one these toolchain files came with)")
endif()
