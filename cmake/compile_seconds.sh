#!/usr/bin/env bash
# The compiler launcher of the in-tree targets and the runtime: runs the compile command
# given after the record path and writes its CPU seconds (user + system; a shared machine
# stretches the wall clock far more) into the record, for the compile_time.<target> tests.
# A record path ending in / is a folder: each object's seconds go to <folder>/<object>.txt.
record=$1
shift
if [[ $record == */ ]]; then
  object=unknown
  previous=
  for arg in "$@"; do
    [[ $previous == -o ]] && object=$(basename "$arg")
    previous=$arg
  done
  mkdir -p "$record"
  record=$record$object.txt
fi
"$@"
status=$?
if (( status == 0 )); then
  # The second line of `times`: the children's user and system time, e.g. "0m21.450s 0m0.840s"
  # (redirected, not piped: a pipeline's subshell has no children of its own).
  times >"$record.times"
  awk 'NR == 2 { split($0, t, /[ms ]+/); printf "%.1f\n", t[1] * 60 + t[2] + t[3] * 60 + t[4] }' "$record.times" >"$record"
  rm -f "$record.times"
fi
exit $status
