# The function_lengths checker on its fixtures: it must fail and list exactly the long
# functions of expected.txt, no class body, raw string, comment or table among them.
#   cmake -DCHECKER=<function_lengths binary> -DDIR=<tests/tools> -P function_lengths_selftest.cmake
execute_process(COMMAND ${CHECKER} --root ${DIR} function_lengths_fixtures
                OUTPUT_VARIABLE output RESULT_VARIABLE result)
file(READ ${DIR}/function_lengths_fixtures/expected.txt expected)
if(NOT result EQUAL 1 OR NOT output STREQUAL expected)
  message(FATAL_ERROR "function_lengths on its fixtures exited with ${result} and printed:\n${output}\n"
                      "expected exit code 1 and:\n${expected}")
endif()
