#!/usr/bin/env bash
# NetGen's GPU check, on a CUDA machine with PyTorch (torch 2.x with CUDA, torchvision) and no .NET. In the bundle
# that make-bundle.sh builds:
#   bash gpu-bundle/run.sh            the real run: ref.py, then the GPU check one process a network, the training
#                                     runs, and docs/benchmarks.md's GPU section (printed; also out/gpu-section.md)
#   bash gpu-bundle/run.sh --cpu      the whole pipeline on the CPU, small (to test the bundle before GPU time)
#   bash gpu-bundle/run.sh --dry-run  checks only: unpack .NET, find torch, link check, start the program
# Training runs: TinyResNet on the embedded Fashion-MNIST set in each of PRECISIONS for seeds 1 to SEEDS. Seed 1's runs
# go one at a time, so their images/s compare; the other seeds' runs share the device, JOBS at a time, and give
# accuracies only.
# Environment: PYTHON (the first of python3, /usr/bin/python3 that imports torch), TORCH_LIB (torch's lib folder; with
# --cpu and a torch older than 2.x, NuGet's libtorch-cpu-linux-x64 folder if this machine has one), WORK
# (/tmp/netgen-gpu), NETWORKS (all six), BATCH (64; --cpu 2), SIZE (224; --cpu 64), WARMUP (5; --cpu 1),
# ITERATIONS (20; --cpu 2), THREADS (libtorch's CPU threads for the .NET side; --cpu 1, as Debian's torch uses),
# PRECISIONS (fp32,bf16,fp16), SEEDS (30: with single runs scattering by 1.2-1.3 points, a 95 % interval of about
# +-0.47 points; --cpu 2), JOBS (the cores; --cpu 1), TRAIN_ARGS (more train options; --cpu: --epochs 1 --limit 500).
# Output in OUT (out/ beside this script): run.log, gpu-section.md, and results.tar.gz (every result file and
# training log; the weights and inputs stay in WORK).
#
# TorchSharp 0.107's libLibTorchSharp.so was built for libtorch 2.10 and is shipped as is: it loaded and ran on torch
# 2.11's libraries. `ldd -r` reports any symbol it cannot resolve against this torch; rebuilding it for another torch
# needs TorchSharp's native sources, which this repository does not carry, so the script then stops and says so.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE/out}
WORK=${WORK:-/tmp/netgen-gpu}
MODE=cuda DRY=0
for a in "$@"; do
  case "$a" in
    --cpu) MODE=cpu ;;
    --dry-run) DRY=1 ;;
    -h|--help) sed -n '2,/^set -u/{/^#/p}' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$a' (--cpu, --dry-run)" >&2; exit 2 ;;
  esac
done
if [ "$MODE" = cpu ]; then
  BATCH=${BATCH:-2} SIZE=${SIZE:-64} WARMUP=${WARMUP:-1} ITERATIONS=${ITERATIONS:-2} THREADS=${THREADS:-1}
  SEEDS=${SEEDS:-2} JOBS=${JOBS:-1} TRAIN_ARGS=${TRAIN_ARGS:---epochs 1 --limit 500}
fi
THREADS=${THREADS:-} BATCH=${BATCH:-64} SIZE=${SIZE:-224} WARMUP=${WARMUP:-5} ITERATIONS=${ITERATIONS:-20} TRAIN_ARGS=${TRAIN_ARGS:-}
PRECISIONS=${PRECISIONS:-fp32,bf16,fp16} SEEDS=${SEEDS:-30} JOBS=${JOBS:-$(nproc)}
NETWORKS=${NETWORKS:-resnet50,efficientnet_b0,densenet121,convnext_tiny,mobilenet_v3_large,regnet_y_1_6gf}
DATA=$WORK/data DOTNET=$WORK/dotnet/dotnet PROGRAMS=$WORK/programs
T0=$(date +%s)
say() { printf '[%s +%4ss] [run.sh] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*"; }
mkdir -p "$OUT" "$WORK"

find_python() {
  local p
  for p in ${PYTHON:-python3 /usr/bin/python3}; do
    "$p" -c 'import torch, torchvision' 2>/dev/null && { echo "$p"; return 0; }
  done
  return 1
}

find_torch_lib() {  # torch's lib folder; for --cpu with torch 1.x (TorchSharp needs 2.x), NuGet's libtorch if present
  local dir major nuget
  dir=$("$PYTHON" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
  major=$("$PYTHON" -c 'import torch; print(torch.__version__.split(".")[0])')
  if [ "$MODE" = cpu ] && [ "$major" -lt 2 ]; then
    nuget=$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native 2>/dev/null | sort -V | tail -1)
    [ -n "$nuget" ] && dir=$nuget
  fi
  echo "$dir"
}

main() {
  say "mode $MODE, networks $NETWORKS, batch $BATCH, ${SIZE}x$SIZE, warm-up $WARMUP, $ITERATIONS timed; bundle at commit $(cat "$HERE/commit.txt" 2>/dev/null || echo ?)"
  say "host $(hostname), $(nproc) cores, $(uname -r)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/    /'

  say "unpacking the .NET runtime and the programs"
  rm -rf "$WORK/dotnet" "$PROGRAMS" "$DATA" "$WORK/train"; mkdir -p "$WORK/dotnet" "$PROGRAMS" "$DATA" "$WORK/train"
  tar -xJf "$HERE/dotnet-runtime.tar.xz" -C "$WORK/dotnet" || { say "cannot unpack dotnet-runtime.tar.xz"; return 1; }
  tar -xJf "$HERE/programs.tar.xz" -C "$PROGRAMS" || { say "cannot unpack programs.tar.xz"; return 1; }
  export DOTNET_ROOT=$WORK/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

  PYTHON=$(find_python) || { say "no python3 here imports torch and torchvision"; return 1; }
  TORCH_LIB=${TORCH_LIB:-$(find_torch_lib)}
  say "$PYTHON: $("$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())')"
  say "torch libraries for TorchSharp: $TORCH_LIB"
  # The wheel's CUDA libraries (site-packages/nvidia/*/lib) too, for what libtorch_cuda loads by name.
  local nvidia
  nvidia=$(find "$TORCH_LIB/../../nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | sort | paste -sd: -)
  export LD_LIBRARY_PATH="$TORCH_LIB${nvidia:+:$nvidia}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" TORCH_LIB_DIR=$TORCH_LIB
  # TorchSharp asks for CUDA by a name the wheel does not use: load libtorch_cuda.so first (its initialisers register CUDA).
  local preload=""
  [ "$MODE" = cuda ] && preload=$TORCH_LIB/libtorch_cuda.so

  local undefined
  undefined=$(ldd -r "$PROGRAMS/gpucheck/libLibTorchSharp.so" 2>&1 | grep -c 'undefined symbol')
  say "libLibTorchSharp.so against these libraries: $undefined undefined symbols"
  if [ "$undefined" != 0 ]; then
    ldd -r "$PROGRAMS/gpucheck/libLibTorchSharp.so" 2>&1 | grep 'undefined symbol' | head -5 | sed 's/^/    /'
    say "TorchSharp 0.107's native library does not fit this torch; rebuilding it needs TorchSharp's native sources (not in this repository). Use a torch 2.10 or 2.11."
    return 1
  fi
  gpucheck() { LD_PRELOAD=$preload "$DOTNET" "$PROGRAMS/gpucheck/NetGen.GpuCheck.dll" "$@"; }
  gpucheck --bogus >/dev/null 2>&1; [ $? -eq 2 ] && say "NetGen.GpuCheck starts" || { say "NetGen.GpuCheck does not start"; gpucheck --help; return 1; }
  [ "$DRY" = 1 ] && { say "dry run: done"; return 0; }

  say "=== ref.py (PyTorch eager) ==="
  "$PYTHON" "$HERE/ref.py" --out "$DATA" --device "$MODE" --networks "$NETWORKS" --batch "$BATCH" --size "$SIZE" \
    --warmup "$WARMUP" --iterations "$ITERATIONS" || say "ref.py failed (exit $?)"

  say "=== NetGen.GpuCheck (generated and TorchVision) ==="
  local network common rc failed=0
  for network in ${NETWORKS//,/ }; do
    common=(--data "$DATA" --network "$network" --batch "$BATCH" --size "$SIZE" --warmup "$WARMUP" --iterations "$ITERATIONS")
    gpucheck measure --device "$MODE" ${THREADS:+--threads "$THREADS"} "${common[@]}" || { rc=$?; failed=1; say "measure $network: exit $rc"; }
    if [ "$MODE" = cuda ]; then
      gpucheck memory --implementation generated "${common[@]}" || say "memory $network generated: exit $?"
      grep -q '"has_torch_vision": true' "$DATA/netgen-$network.json" 2>/dev/null &&
        { gpucheck memory --implementation torchvision "${common[@]}" || say "memory $network torchvision: exit $?"; }
    fi
  done

  say "=== training runs: TinyResNet, $PRECISIONS, seeds 1 to $SEEDS ==="
  local precision seed
  for precision in ${PRECISIONS//,/ }; do
    train "$precision" 1 false && grep '^test accuracy' "$WORK/train/$precision-1.log" | sed "s/^/    $precision: /"
  done
  for seed in $(seq 2 "$SEEDS"); do
    for precision in ${PRECISIONS//,/ }; do
      while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
      OMP_NUM_THREADS=1 train "$precision" "$seed" true &
    done
  done
  wait
  say "training: $(ls "$DATA"/training-*.csv 2>/dev/null | wc -l) of $(( $(tr ',' '\n' <<< "$PRECISIONS" | wc -l) * SEEDS )) runs wrote their metrics"

  say "=== docs/benchmarks.md's GPU section (also in $OUT/gpu-section.md) ==="
  gpucheck report --data "$DATA" --commit "$(cat "$HERE/commit.txt" 2>/dev/null)" > "$OUT/gpu-section.md" || return 1
  cat "$OUT/gpu-section.md"
  say "done in $(( $(date +%s) - T0 )) s"
  return $failed
}

# One training run (precision, seed, whether it shares the device): the trainer's log and metrics.csv, and what run.sh
# saw (training-PRECISION-SEED.json) for `report`.
train() {
  local precision=$1 seed=$2 concurrent=$3 name="$1-$2" start rc
  local args="--device $MODE --data embedded --precision $precision --seed $seed${TRAIN_ARGS:+ $TRAIN_ARGS}"
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  LD_PRELOAD=$preload "$DOTNET" "$PROGRAMS/examples/NetGen.Examples.dll" train $args --output "$WORK/train/$name" \
    > "$WORK/train/$name.log" 2>&1
  rc=$?
  printf '{"command": "NetGen.Examples train %s", "precision": "%s", "seed": %d, "concurrent": %s, "wall_seconds": %s, "exit_code": %d}\n' \
    "$args" "$precision" "$seed" "$concurrent" "$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')" "$rc" \
    > "$DATA/training-$name.json"
  cp "$WORK/train/$name/metrics.csv" "$DATA/training-$name.csv" 2>/dev/null
  [ "$rc" = 0 ] || say "training $name: exit $rc (log: train/$name.log in results.tar.gz)"
  return "$rc"
}

# Every result file and training log, as one file (a copy back from a remote machine may take few files).
pack() {
  local files
  files=$(cd "$WORK" && ls data/*.json data/*.csv train/*.log 2>/dev/null)
  [ -n "$files" ] && tar -C "$WORK" -czf "$OUT/results.tar.gz" $files
}

main 2>&1 | tee "$OUT/run.log"
rc=${PIPESTATUS[0]}
pack
exit "$rc"
