#!/usr/bin/env bash
# Test accuracy of statnn and PyTorch, trained with the same recipe on the same data over
# several seeds: per-seed validation accuracy after every epoch, and the medians.
#
#   bench/compare_accuracy.sh [MODEL] [SEEDS] [JOBS]     (default: cnn4 "1 2 3" 2)
#   e.g. bench/compare_accuracy.sh cnn4 "$(seq 1 9)" 2
#
# Each run trains for COMPARE_EPOCHS epochs (default 10, the tutorial's) with one thread; JOBS runs go side by side
# (one per core). Runs whose results are already in the output folder are not repeated,
# so an interrupted comparison continues where it stopped. Set COMPARE_FRAMEWORKS to
# "statnn" or "torch" to run one side only, CIFAR10_DIR for the data and
# COMPARE_OUT for the folder (default runs/accuracy-MODEL).
# The PyTorch runs use bench/torch_cifar.py (TORCH_PEER names another script).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-cnn4}
seeds=${2:-1 2 3}
jobs=${3:-2}
epochs=${COMPARE_EPOCHS:-10}
frameworks=${COMPARE_FRAMEWORKS:-statnn torch}
data=${CIFAR10_DIR:-../shared/cifar-10/cifar-10-batches-bin}
out=${COMPARE_OUT:-runs/accuracy-$model}
peer=${TORCH_PEER:-bench/torch_cifar.py}
python=/usr/bin/python3

[ -f "$data/test_batch.bin" ] || { echo "compare_accuracy: no CIFAR-10 in $data (set CIFAR10_DIR)" >&2; exit 1; }
case " $frameworks " in *" statnn "*)
  [ -x "build/native/$model" ] || { echo "compare_accuracy: build/native/$model missing; run: cmake --workflow --preset native" >&2; exit 1; } ;;
esac
case " $frameworks " in *" torch "*)
  [ -f "$peer" ] || { echo "compare_accuracy: $peer not found (set TORCH_PEER)" >&2; exit 1; }
  "$python" -c "import torch" 2>/dev/null || { echo "compare_accuracy: PyTorch missing; run: scripts/install-deps peers" >&2; exit 1; } ;;
esac
mkdir -p "$out"

# One line per run still to do: FRAMEWORK SEED.
todo=()
for s in $seeds; do
  for f in $frameworks; do
    case $f in
      statnn) [ -s "$out/statnn-seed$s/weights.bin" ] || todo+=("statnn $s") ;;
      torch) [ -s "$out/torch-seed$s.json" ] || todo+=("torch $s") ;;
      *) echo "compare_accuracy: unknown framework '$f' (statnn, torch)" >&2; exit 2 ;;
    esac
  done
done

run_one() {  # FRAMEWORK SEED
  local f=$1 s=$2
  if [ "$f" = statnn ]; then
    rm -rf "$out/statnn-seed$s"
    "build/native/$model" train --data "$data" --epochs "$epochs" --seed "$s" --threads 1 --verbose 2 --out "$out/statnn-seed$s" \
      >"$out/statnn-seed$s.log" 2>&1
  else
    "$python" "$peer" --model "$model" --mode train --threads 1 --epochs "$epochs" --seed "$s" --data "$data" \
      >"$out/torch-seed$s.json.tmp" 2>"$out/torch-seed$s.log" && mv "$out/torch-seed$s.json.tmp" "$out/torch-seed$s.json"
  fi
  echo "compare_accuracy: $f seed $s done" >&2
}
export -f run_one
export model data out peer python epochs
if [ ${#todo[@]} -gt 0 ]; then
  printf '%s\n' "${todo[@]}" | xargs -P "$jobs" -L 1 bash -c 'run_one "$0" "$1"'
fi

# Validation accuracy (%) after every epoch, one line per run: FRAMEWORK SEED ACC1 ACC2 ...
table=$(
  for s in $seeds; do
    for f in $frameworks; do
      if [ "$f" = statnn ]; then
        awk -F, -v s="$s" 'NR == 1 { next } { a = a sprintf(" %.2f", 100 * $5) } END { print "statnn", s a }' \
          "$out/statnn-seed$s/history.csv"
      else
        "$python" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("torch", sys.argv[2], " ".join("%.2f" % (100 * e["val_acc"]) for e in r["epochs"]))' "$out/torch-seed$s.json" "$s"
      fi
    done
  done
)
echo "$table" | awk '{ printf "%-7s seed %-3s", $1, $2; for (i = 3; i <= NF; ++i) printf " %6s", $i; printf "\n" }'
for f in $frameworks; do
  echo "$table" | awk -v f="$f" '$1 == f { print $NF }' | sort -g |
    awk -v f="$f" -v m="$model" '{ a[NR] = $1 } END {
      med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
      printf "%s %s: median of %d seeds after the last epoch %.2f%% (min %.2f, max %.2f)\n", f, m, NR, med, a[1], a[NR] }'
done
