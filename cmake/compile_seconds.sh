#!/usr/bin/env bash
# The compiler launcher of the in-tree targets: runs the compile command given after the
# record file and writes its CPU seconds (user + system; a shared machine stretches the
# wall clock far more) into that file, for the compile_time.<target> tests.
record=$1
shift
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
