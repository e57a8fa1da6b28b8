# Runs the cross-built trainer under the emulator: one epoch on 128 training images of the
# tests' CIFAR-10 fixture (written into DATA by the cross-built MAKE_FIXTURE, also under
# the emulator), validated on 64 test images. It must finish, print an accuracy and leave
# its reports. The flags it trained with go to OUT/flags.txt, so that .ci/cross can train
# the native binary the same way and compare the two runs without training twice under
# the emulator.
file(REMOVE_RECURSE ${OUT} ${DATA})
execute_process(COMMAND ${EMULATOR} ${MAKE_FIXTURE} ${DATA} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "make_cifar_fixture exited with ${rc}")
endif()
set(flags --data ${DATA} --limit 128 --val-limit 64 --epochs 1 --seed 1 --threads 2 --verbose 2)
execute_process(
  COMMAND ${EMULATOR} ${BINARY} train ${flags} --out ${OUT}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the trainer exited with ${rc}")
endif()
if(NOT out MATCHES "Accuracy: [0-9]+\\.[0-9][0-9]%")
  message(FATAL_ERROR "no accuracy in the trainer's output")
endif()
foreach(f history.csv accuracy.svg loss.svg confusion.svg samples.png summary.txt checkpoint.bin weights.bin)
  if(NOT EXISTS ${OUT}/${f})
    message(FATAL_ERROR "the run left no ${f}")
  endif()
endforeach()
list(JOIN flags " " flags_line)
file(WRITE ${OUT}/flags.txt "${flags_line}\n")
