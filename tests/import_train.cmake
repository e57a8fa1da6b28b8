# The import command end to end, through a binary as a user runs it: a generated folder
# of 32x32 PNGs of 3 classes (MAKE_FOLDER) is refused by `train` with the command that
# imports it; `import` writes its records at the binary's input shape (SHAPE, with
# IMPORT_FLAGS such as --resize) and one summary line; `train` then runs one short epoch
# on them and prints an accuracy, with the class folders' names in its confusion matrix.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${MAKE_FOLDER} ${WORK}/images RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "make_image_folder exited with ${rc}: ${out}${err}")
endif()

execute_process(COMMAND ${BINARY} train --data ${WORK}/images --out ${WORK}/refused
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${err}")
if(NOT rc EQUAL 1 OR NOT err MATCHES "run `[^`]* import ${WORK}/images --out DIR` first")
  message(FATAL_ERROR "train on a folder of images exited with ${rc}, without telling to import it first")
endif()

execute_process(COMMAND ${BINARY} import ${WORK}/images --out ${WORK}/records ${IMPORT_FLAGS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "import exited with ${rc}")
endif()
if(NOT out MATCHES "train.statnn \\(108 records\\) and .*test.statnn \\(12 records\\).*: 3 classes, images of ${SHAPE} ")
  message(FATAL_ERROR "import did not say it wrote 108 and 12 records of 3 classes at ${SHAPE}")
endif()

execute_process(COMMAND ${BINARY} train --data ${WORK}/records --epochs 1 --limit 96 --threads 2 --verbose 2
                        --out ${WORK}/run
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "train on the imported records exited with ${rc}")
endif()
if(NOT out MATCHES "statnn records, ${SHAPE}, 3 classes" OR NOT out MATCHES "Accuracy: [0-9]+\\.[0-9][0-9]%")
  message(FATAL_ERROR "train did not read the imported records or printed no accuracy")
endif()
file(READ ${WORK}/run/confusion.csv confusion)
if(NOT confusion MATCHES "^true.predicted,blue,green,red,")
  message(FATAL_ERROR "the confusion matrix does not name the class folders: ${confusion}")
endif()
