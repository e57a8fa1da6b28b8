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

# The SIMD architecture of statnn binaries built with this file (statnn_add_model), unless
# -DSTATNN_ARCH_FLAGS=... says otherwise: NEON + VFPv4; -mfpu=vfpv3-d16 and STATNN_SIMD=OFF for boards without NEON.
set(STATNN_ARCH_FLAGS "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard" CACHE STRING "Compiler flags that pick the SIMD architecture of statnn binaries")

set(_statnn_triplet arm-linux-gnueabihf)
set(_statnn_qemu qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
