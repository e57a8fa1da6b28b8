# statnn_add_board_program(<name> <source>...)
#
# A program for the Cortex-M7 board of statnn's bare-metal tests (ARM MPS2 AN500, which
# qemu-system-arm emulates), built with cmake/toolchains/cortex-m7.cmake: the sources (a
# C export of a trained network, `<binary> export --format c [--int8]`, and a main that
# calls it), the board's reset vector and its memory map. printf and exit reach the host
# by semihosting:
#   qemu-system-arm -M mps2-an500 -nographic -semihosting -kernel <name>.elf
# statnn::statnn gives C++ programs the headers, with the scalar kernels, for the trainer
# core (layers, arena, optimizers; no files or threads on the board).
include_guard(GLOBAL)

# Installed: share/statnn/board; in a checkout: tests/baremetal.
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../board/startup.c")
  set(_statnn_board_dir "${CMAKE_CURRENT_LIST_DIR}/../board")
else()
  set(_statnn_board_dir "${CMAKE_CURRENT_LIST_DIR}/../tests/baremetal")
endif()
get_filename_component(_statnn_board_dir "${_statnn_board_dir}" ABSOLUTE)

if(NOT TARGET statnn::statnn AND DEFINED STATNN_INCLUDE_DIR)
  add_library(statnn::statnn INTERFACE IMPORTED)
  set_target_properties(statnn::statnn PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${STATNN_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS STATNN_NO_SIMD=1
    INTERFACE_COMPILE_FEATURES cxx_std_17)
endif()

function(statnn_add_board_program name)
  if(NOT ARGN)
    message(FATAL_ERROR "statnn_add_board_program(${name}): no source file")
  endif()
  add_executable(${name} ${ARGN} "${_statnn_board_dir}/startup.c")
  target_link_options(${name} PRIVATE "-T${_statnn_board_dir}/mps2-an500.ld")
  target_link_libraries(${name} PRIVATE m)
  set_target_properties(${name} PROPERTIES SUFFIX .elf)
endfunction()
