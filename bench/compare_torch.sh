#!/usr/bin/env bash
# statnn against PyTorch, side by side on this machine: the same models, batch 32, the
# same thread count, the same real CIFAR-10 images, alternating runs (so a noisy
# neighbour hits both alike), medians.
#
#   bench/compare_torch.sh [ROUNDS] [THREADS]        (default 3 rounds, 2 threads)
#   MODELS=fastcifar bench/compare_torch.sh 3 1       (the third target: batch 1024, against
#                                                      bench/torch_fastcifar.py)
#   MODELS=fashion bench/compare_torch.sh 3 1         (the fourth: batch 1024, Fashion-MNIST
#                                                      ($FASHION_MNIST_DIR, default Debian's),
#                                                      against bench/torch_fashion.py)
#   PRESET=avx2 bench/compare_torch.sh 3 1            (statnn's AVX2 build, build/avx2, against
#                                                      PyTorch held to AVX2: oneDNN and ATen)
#
# Real images, not synthetic ones: PyTorch's training steps on uniform-noise images ran
# at a third to a half of its speed on CIFAR-10 here, and erratically, which would
# flatter statnn. CIFAR10_DIR names the data (default ../shared/cifar-10/...).
#
# Needs the native build (scripts/test or cmake --build --preset native) and
# PyTorch from Debian: scripts/install-deps peers.
# The PyTorch side is bench/torch_cifar.py (fastcifar: bench/torch_fastcifar.py, fashion:
# bench/torch_fashion.py); TORCH_PEER names another script with the same command line. A
# peer that takes --bf16 also runs channels-last under bf16 autocast when this CPU has
# AVX512_BF16, and the ratio is against the fastest of PyTorch's layouts and precisions.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${2:-2}
models=${MODELS:-cnn6 cnn4}
preset=${PRESET:-native}
case "$preset" in
  native) ;;
  avx2) export ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 ;;
  *) echo "compare_torch: PRESET must be native or avx2, not '$preset'" >&2; exit 2 ;;
esac
python=/usr/bin/python3
cifar=${CIFAR10_DIR:-../shared/cifar-10/cifar-10-batches-bin}
fashion=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
# The PyTorch script, batch, timed steps and data of a model.
peer_of() {
  if [ -n "${TORCH_PEER:-}" ]; then echo "$TORCH_PEER"
  else case "$1" in fastcifar|fashion) echo "bench/torch_$1.py" ;; *) echo bench/torch_cifar.py ;; esac; fi
}
batch_of() { case "$1" in fastcifar|fashion) echo 1024 ;; *) echo 32 ;; esac; }
steps_of() { case "$1" in fastcifar|fashion) echo "--steps 3 --warmup 1" ;; esac; }
data_of() { if [ "$1" = fashion ]; then echo "$fashion"; else echo "$cifar"; fi; }
with_bf16() { grep -q avx512_bf16 /proc/cpuinfo && grep -q -- '"--bf16"' "$(peer_of "$1")"; }
for m in $models; do
  if [ "$m" = fashion ]; then
    ls "$fashion"/train-images-idx3-ubyte* >/dev/null 2>&1 || { echo "compare_torch: no Fashion-MNIST in $fashion (set FASHION_MNIST_DIR)" >&2; exit 1; }
  else
    [ -f "$cifar/data_batch_1.bin" ] || { echo "compare_torch: no CIFAR-10 in $cifar (set CIFAR10_DIR)" >&2; exit 1; }
  fi
done
for m in $models; do
  [ -f "$(peer_of "$m")" ] || { echo "compare_torch: $(peer_of "$m") not found (set TORCH_PEER)" >&2; exit 1; }
  [ -x "build/$preset/$m" ] || { echo "compare_torch: build/$preset/$m missing; run: cmake --workflow --preset $preset" >&2; exit 1; }
done
"$python" -c "import torch" 2>/dev/null || { echo "compare_torch: PyTorch missing; run: scripts/install-deps peers" >&2; exit 1; }

value() { grep -o "\"images_per_s\": *[0-9.]*" | grep -o '[0-9.]*$'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq "$rounds"); do
  for m in $models; do
    peer=$(peer_of "$m")
    batch=$(batch_of "$m")
    data=$(data_of "$m")
    read -r -a steps <<<"$(steps_of "$m")"
    for mode in train infer; do
      "build/$preset/$m" bench "$mode" --seconds 10 --threads "$threads" --data "$data" | value >>"$tmp/statnn-$m-$mode"
      "$python" "$peer" --model "$m" --mode "$mode-throughput" --batch "$batch" --threads "$threads" --data "$data" \
        "${steps[@]}" | value >>"$tmp/torch-$m-$mode"
      "$python" "$peer" --model "$m" --mode "$mode-throughput" --batch "$batch" --threads "$threads" --data "$data" \
        "${steps[@]}" --channels-last | value >>"$tmp/torchcl-$m-$mode"
      if with_bf16 "$m"; then
        "$python" "$peer" --model "$m" --mode "$mode-throughput" --batch "$batch" --threads "$threads" --data "$data" \
          "${steps[@]}" --channels-last --bf16 | value >>"$tmp/torchbf-$m-$mode"
      fi
    done
  done
  echo "round $r/$rounds done" >&2
done
printf '%-9s %-6s %14s %14s %18s %18s %10s\n' model mode "statnn img/s" "torch img/s" "torch NHWC img/s" "torch bf16 img/s" "ratio"
for m in $models; do
  for mode in train infer; do
    s=$(median <"$tmp/statnn-$m-$mode")
    t=$(median <"$tmp/torch-$m-$mode")
    c=$(median <"$tmp/torchcl-$m-$mode")
    b=-
    [ -s "$tmp/torchbf-$m-$mode" ] && b=$(median <"$tmp/torchbf-$m-$mode" | xargs printf "%.0f")
    best=$(printf '%s\n%s\n%s\n' "$t" "$c" "${b/-/0}" | sort -g | tail -1)
    printf '%-9s %-6s %14.0f %14.0f %18.0f %18s %9.2fx\n' "$m" "$mode" "$s" "$t" "$c" "$b" "$(awk -v a="$s" -v b="$best" 'BEGIN {print a / b}')"
  done
done
echo "(medians of $rounds alternating runs, batch 32 (fastcifar, fashion 1024), $threads threads, their data's images, statnn's $preset build${ONEDNN_MAX_CPU_ISA:+, PyTorch held to $ONEDNN_MAX_CPU_ISA}; ratio = statnn / the fastest PyTorch column)"
