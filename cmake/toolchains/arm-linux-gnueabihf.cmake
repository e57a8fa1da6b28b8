# Cross-compiling for 32-bit ARM Linux boards with a hard-float ABI (Raspberry Pi 2/3/4
# with a 32-bit OS, BeagleBone, i.MX6, Cortex-A7/A9/A15 boards) with the Debian cross
# toolchain:
#
#   apt-get install g++-arm-linux-gnueabihf qemu-user   (or: scripts/install-deps cross)
#   cmake --workflow --preset armv7                     (NEON, -mfpu=neon-vfpv4)
#   cmake --workflow --preset armv7-scalar              (no NEON: scalar kernels)
#
# The compiler's default FPU (VFPv3-D16) has no NEON: the preset's STATNN_ARCH_FLAGS
# choose the FPU, and with it whether the SIMD kernels exist.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)

set(_statnn_triplet arm-linux-gnueabihf)
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
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm;-L;/usr/${_statnn_triplet})

# xtl, xsimd, xtensor and Catch2 are header-only, so the host's packages serve any
# target. Their CMake configs sit outside the sysroot: point at them directly.
# These are cache entries; pass -D<pkg>_DIR=... to use other copies.
set(_statnn_host_multiarch ${CMAKE_HOST_SYSTEM_PROCESSOR}-linux-gnu)
set(xtl_DIR /usr/share/cmake/xtl CACHE PATH "xtl's CMake config (header-only, host copy)")
set(xsimd_DIR /usr/lib/${_statnn_host_multiarch}/cmake/xsimd CACHE PATH "xsimd's CMake config (header-only, host copy)")
set(xtensor_DIR /usr/lib/${_statnn_host_multiarch}/cmake/xtensor CACHE PATH "xtensor's CMake config (header-only, host copy)")
set(Catch2_DIR /usr/lib/cmake/Catch2 CACHE PATH "Catch2's CMake config (header-only, host copy)")
