#!/usr/bin/env bash
# Copies the small text results of a run folder into bench/results/<name>/, so `compare`
# can redraw them from the repository: run.json, history.csv, summary.txt, confusion.csv
# and the kept epochs' confusion.csv (epoch-NNN/). Weights, checkpoints and charts are
# not copied (compare draws the charts again).
#
#   bench/keep_results.sh RUN_DIR [NAME]      (NAME defaults to the folder's name)
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/keep_results.sh RUN_DIR [NAME]" >&2; exit 2; }
run=${1%/}
name=${2:-$(basename "$run")}
for f in run.json history.csv; do
  [ -f "$run/$f" ] || { echo "keep_results: $run/$f: missing (not a statnn run folder?)" >&2; exit 1; }
done
dest="$(dirname "$0")/results/$name"
tmp=$(mktemp -d "$(dirname "$0")/results/.$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for f in run.json history.csv summary.txt confusion.csv; do
  [ -f "$run/$f" ] && cp "$run/$f" "$tmp/"
done
for d in "$run"/epoch-[0-9][0-9][0-9]; do
  [ -f "$d/confusion.csv" ] || continue
  mkdir "$tmp/$(basename "$d")"
  cp "$d/confusion.csv" "$tmp/$(basename "$d")/"
done
rm -rf "$dest"
chmod 755 "$tmp"
mv "$tmp" "$dest"
trap - EXIT
echo "kept $(find "$dest" -type f | wc -l) files of $run in $dest"
