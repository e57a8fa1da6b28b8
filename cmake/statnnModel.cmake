# statnn_add_model(<name> <source>... [ARCH_FLAGS <flag>...] [MEMORY_BUDGET <bytes>])
#
# One executable per architecture: <source> defines the network and its recipe and calls
# statnn::run_app (see targets/cnn4.cpp), and the binary gets every command of the in-tree
# targets (summary, train, evaluate, predict, bench, compare, export, import).
#
#   ARCH_FLAGS     the compiler flags that pick the SIMD architecture of this binary; by
#                  default the cache variable STATNN_ARCH_FLAGS (-march=native natively,
#                  the board's flags in cross builds with statnn's toolchain files).
#   MEMORY_BUDGET  bytes the network's arena (at the batch run_app is given) must fit in:
#                  the build stops, naming the arena's size and the budget, when it does not.
#
# MPI is linked when the statnn build or package has it and this is not a cross build.
include_guard(GLOBAL)

if(NOT DEFINED STATNN_ARCH_FLAGS)
  set(STATNN_ARCH_FLAGS "-march=native" CACHE STRING
      "Compiler flags that pick the SIMD architecture of statnn binaries (e.g. -march=native, -mavx2 -mfma, -march=armv8-a)")
endif()

function(statnn_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MEMORY_BUDGET" "ARCH_FLAGS")
  if(NOT arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "statnn_add_model(${name}): no source file")
  endif()
  add_executable(${name} ${arg_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE statnn::runtime)
  if(DEFINED arg_ARCH_FLAGS)
    set(flags ${arg_ARCH_FLAGS})
  else()
    separate_arguments(flags UNIX_COMMAND "${STATNN_ARCH_FLAGS}")
  endif()
  target_compile_options(${name} PRIVATE ${flags})
  if(DEFINED arg_MEMORY_BUDGET)
    if(NOT arg_MEMORY_BUDGET MATCHES "^[0-9]+$")
      message(FATAL_ERROR "statnn_add_model(${name}): MEMORY_BUDGET '${arg_MEMORY_BUDGET}' is not a number of bytes")
    endif()
    target_compile_definitions(${name} PRIVATE STATNN_MEMORY_BUDGET=${arg_MEMORY_BUDGET})
  endif()
  get_property(with_mpi GLOBAL PROPERTY STATNN_WITH_MPI)  # a statnn checkout added to this project
  if((STATNN_WITH_MPI OR with_mpi) AND NOT CMAKE_CROSSCOMPILING)
    target_compile_definitions(${name} PRIVATE STATNN_WITH_MPI=1)
    target_link_libraries(${name} PRIVATE MPI::MPI_CXX)
  endif()
endfunction()
