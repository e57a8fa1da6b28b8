# Cross-compiling for 64-bit ARM Linux boards (Raspberry Pi 3/4/5 with a 64-bit OS,
# Jetson, Rock Pi, ...) with the Debian cross toolchain:
#
#   apt-get install g++-aarch64-linux-gnu qemu-user     (or: scripts/install-deps cross)
#   cmake --workflow --preset aarch64                   (configure, build, test under qemu)
#
# NEON is part of armv8-a, so no FPU flag is needed; the preset passes -march=armv8-a.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

# The SIMD architecture of statnn binaries built with this file (statnn_add_model), unless
# -DSTATNN_ARCH_FLAGS=... says otherwise: NEON is part of armv8-a.
set(STATNN_ARCH_FLAGS "-march=armv8-a" CACHE STRING "Compiler flags that pick the SIMD architecture of statnn binaries")

set(_statnn_triplet aarch64-linux-gnu)
set(_statnn_qemu qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
