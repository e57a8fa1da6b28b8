# Fails when a target's translation unit took more than LIMIT CPU seconds to compile, as
# the build recorded them in RECORD (cmake/compile_seconds.sh).
if(NOT EXISTS "${RECORD}")
  message(FATAL_ERROR "${RECORD}: no compile time recorded (the target was not built with cmake/compile_seconds.sh)")
endif()
file(STRINGS "${RECORD}" seconds LIMIT_COUNT 1)
if(NOT seconds MATCHES "^[0-9]+(\\.[0-9]+)?$")
  message(FATAL_ERROR "${RECORD}: '${seconds}' is not a number of seconds")
endif()
if(seconds GREATER LIMIT)
  message(FATAL_ERROR "${NAME}: its translation unit took ${seconds} s of CPU time to compile, more than ${LIMIT} s, "
                      "twice what docs/testing.md#compile-time gives")
endif()
message(STATUS "${NAME}: ${seconds} s of CPU time to compile (limit ${LIMIT} s)")
