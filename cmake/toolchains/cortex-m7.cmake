# Building for a Cortex-M7 with its double-precision FPU and no operating system: the
# board of statnn's bare-metal tests (ARM MPS2 AN500, emulated by qemu-system-arm), with
# arm-none-eabi-gcc and newlib (rdimon: printf and exit through semihosting):
#
#   apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
#                                                       (or: scripts/install-deps baremetal)
#   cmake -B build/board -DCMAKE_TOOLCHAIN_FILE=<this file>
#
# find_package(statnn) then gives statnn_add_board_program() (cmake/statnnBoard.cmake).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m7)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# No operating system to link a test program against while CMake probes the compiler.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_statnn_board_flags "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard")
set(CMAKE_C_FLAGS_INIT "${_statnn_board_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_statnn_board_flags} -fno-exceptions -fno-rtti")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=rdimon.specs")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

include(${CMAKE_CURRENT_LIST_DIR}/statnn-package.cmake)
