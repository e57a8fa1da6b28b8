# Compiles SOURCE twice with -fsyntax-only:
#  - as written: it must compile (the case is otherwise valid);
#  - with -DSTATNN_WRONG: it must fail, and the output must contain the text of the
#    file's "// expect: <message>" line.
file(STRINGS ${SOURCE} expect_line REGEX "^// expect: ")
string(REGEX REPLACE "^// expect: " "" expected "${expect_line}")
if(expected STREQUAL "")
  message(FATAL_ERROR "${SOURCE}: no '// expect: <message>' line")
endif()
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
set(cmd ${CXX} -std=c++17 -fsyntax-only ${flags} -I${INCLUDE} ${SOURCE})

execute_process(COMMAND ${cmd} RESULT_VARIABLE ok_rc OUTPUT_VARIABLE ok_out ERROR_VARIABLE ok_out)
if(NOT ok_rc EQUAL 0)
  message(FATAL_ERROR "the valid variant of ${SOURCE} does not compile:\n${ok_out}")
endif()

execute_process(COMMAND ${cmd} -DSTATNN_WRONG RESULT_VARIABLE bad_rc OUTPUT_VARIABLE bad_out ERROR_VARIABLE bad_out)
if(bad_rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} with STATNN_WRONG compiled, but it must not")
endif()
string(FIND "${bad_out}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE}: the compiler did not say \"${expected}\". It said:\n${bad_out}")
endif()
message(STATUS "rejected as expected: ${expected}")
