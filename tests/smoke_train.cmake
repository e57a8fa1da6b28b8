# Runs the cross-built trainer under the emulator: one epoch on 64 training images,
# validated on 64 test images. It must finish, print an accuracy and leave its reports.
file(REMOVE_RECURSE ${OUT})
execute_process(
  COMMAND ${EMULATOR} ${BINARY} train --data ${DATA} --limit 64 --val-limit 64 --epochs 1 --threads 2 --verbose 2 --out ${OUT}
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
