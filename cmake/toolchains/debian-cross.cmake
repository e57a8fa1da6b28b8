# The part of a Debian cross toolchain file that is the same for every target. The
# including file sets CMAKE_SYSTEM_PROCESSOR, _statnn_triplet (the GNU triplet of the
# cross compiler) and _statnn_qemu (the qemu-user program that runs its executables).
set(CMAKE_C_COMPILER ${_statnn_triplet}-gcc)
set(CMAKE_CXX_COMPILER ${_statnn_triplet}-g++)

# Libraries and headers come from the target's sysroot only; programs from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${_statnn_triplet})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Tests (and Catch2's test discovery) run the ARM executables through qemu-user;
# -L points its dynamic loader at the target's libc and libstdc++.
set(CMAKE_CROSSCOMPILING_EMULATOR ${_statnn_qemu};-L;/usr/${_statnn_triplet})

# xtl, xsimd, xtensor and Catch2 are header-only, so the host's packages serve any
# target. Their CMake configs sit outside the sysroot: point at them directly.
# These are cache entries; pass -D<pkg>_DIR=... to use other copies.
set(_statnn_host_multiarch ${CMAKE_HOST_SYSTEM_PROCESSOR}-linux-gnu)
set(xtl_DIR /usr/share/cmake/xtl CACHE PATH "xtl's CMake config (header-only, host copy)")
set(xsimd_DIR /usr/lib/${_statnn_host_multiarch}/cmake/xsimd CACHE PATH "xsimd's CMake config (header-only, host copy)")
set(xtensor_DIR /usr/lib/${_statnn_host_multiarch}/cmake/xtensor CACHE PATH "xtensor's CMake config (header-only, host copy)")
set(Catch2_DIR /usr/lib/cmake/Catch2 CACHE PATH "Catch2's CMake config (header-only, host copy)")

include(${CMAKE_CURRENT_LIST_DIR}/statnn-package.cmake)
