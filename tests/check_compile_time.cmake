# Fails when a target's translation unit took more CPU time to compile than LIMIT_TENTHS
# tenths of what the runtime's files took together in the same build, as the build
# recorded them (cmake/compile_seconds.sh): RECORD the target's seconds, RUNTIME_RECORDS the
# folder of the runtime's. A ratio, not seconds, so that a slower machine moves both.
function(read_seconds_tenths file out)
  file(STRINGS "${file}" seconds LIMIT_COUNT 1)
  if(NOT seconds MATCHES "^([0-9]+)\\.([0-9])$")
    message(FATAL_ERROR "${file}: '${seconds}' is not a number of seconds with one decimal")
  endif()
  math(EXPR tenths "${CMAKE_MATCH_1} * 10 + ${CMAKE_MATCH_2}")
  set(${out} ${tenths} PARENT_SCOPE)
endfunction()

if(NOT EXISTS "${RECORD}")
  message(FATAL_ERROR "${RECORD}: no compile time recorded (the target was not built with cmake/compile_seconds.sh)")
endif()
file(GLOB runtime_files "${RUNTIME_RECORDS}/*.txt")
if(NOT runtime_files)
  message(FATAL_ERROR "${RUNTIME_RECORDS}: no compile time of the runtime recorded")
endif()
read_seconds_tenths("${RECORD}" target)
set(runtime 0)
foreach(f IN LISTS runtime_files)
  read_seconds_tenths("${f}" t)
  math(EXPR runtime "${runtime} + ${t}")
endforeach()
math(EXPR limit "${runtime} * ${LIMIT_TENTHS} / 10")
math(EXPR ratio_hundredths "${target} * 100 / ${runtime}")
if(target GREATER limit)
  message(FATAL_ERROR "${NAME}: its translation unit took ${target} tenths of a second of CPU time to compile, "
                      "${ratio_hundredths}/100 of the runtime's ${runtime}; more than ${LIMIT_TENTHS}/10 of it, "
                      "twice what docs/testing.md#compile-time gives")
endif()
message(STATUS "${NAME}: ${target} tenths of a second of CPU time to compile, ${ratio_hundredths}/100 of the "
               "runtime's ${runtime} (limit ${LIMIT_TENTHS}/10)")
