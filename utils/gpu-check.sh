#!/usr/bin/env bash
# The GPU check, in two halves.
#
#   utils/gpu-check.sh prepare [build-dir]   here (needs the build and the CUDA
#                                            toolkit, not a GPU)
#   utils/gpu-check.sh run                   on a machine with an NVIDIA GPU and
#                                            driver (needs nothing of ours but
#                                            gpu-check/; python3 with numpy)
#   utils/gpu-check.sh prepare-all [build-dir] / run-all
#                                            the whole device check of the GPU
#                                            issue: the bundled RevNet
#                                            (gpu-check/), the depth model
#                                            revnet-d8 at batch 16
#                                            (gpu-check-d8/) and the paper's
#                                            RevNet-38 at batch 128
#                                            (gpu-check-38/), device memory
#                                            only (the bundled RevNet also
#                                            without block reductions:
#                                            GPU_MEMORY=serial), so that the
#                                            three folders fit one
#                                            device-tool call's carry
#
# prepare: AOT-compiles the bundled RevNet's training step in store and
# reversible modes into self-contained GPU programs (utils/aot-compile.py
# --target=gpu: PTX and sm_90 code embedded, runtime linked in, only
# libcuda.so.1 needed at run time), once with managed memory and once with
# device memory (rev-lower-gpu memory=device: what only kernels touch,
# arguments and results included, is device memory with explicit copies);
# writes the inputs and every weight as .npy, and the CPU results of the
# same steps (rev-run) as the reference; and the zoo's RevViT with dropout in
# training mode (reversible, device memory) with its CPU reference.
# Everything goes to gpu-check/
# (git-ignored, about 55 MB: the device tool carries at most 64 MiB with the
# tree; GPU_CHECK_DIR overrides). GPU_MEMORY=device (or
# managed) builds one variant only; GPU_MEMORY=serial is device memory with
# reductions lowered as before block reductions (one thread per result:
# rev-lower-gpu block-reductions=false), to compare.
#
# run: runs every program (GPU_REPEAT calls each, default 50, after a
# warm-up call), compares loss and gradients with the CPU's (relative error
# per tensor, and the angle between all gradients), prints time and peak
# device memory, then times PyTorch on the same GPU with the same weights
# (bench/torch_gpu.py: autograd, and the hand-written reversible backward).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${GPU_CHECK_DIR:-$root/gpu-check}
# GPU_MODEL: another RevNet of utils/models/generate.py (a folder with
# model.onnx and inputs/), e.g. models/depth/revnet-d2 (batch 16, 32x32,
# width 8); GPU_TORCH_ARGS: its shape for bench/torch_gpu.py, e.g.
# "--blocks 2 --width 8" (kept in the folder for the run). The paper's
# RevNets: GPU_MODEL=<bench/paper_models.py's folder for revnet38, e.g.
# exported with --batch 128> GPU_TORCH_ARGS="--paper revnet38".
model=$(cd "${GPU_MODEL:-$root/models/revnet}" && pwd)
modes="store reversible"
memories=${GPU_MEMORY:-managed device}

prepare() {
  local build=${1:-$root/build}
  rm -rf "$out" && mkdir -p "$out/inputs"
  for mode in $modes; do
    for memory in $memories; do
      # ("serial": device memory, reductions as one thread per result, as
      # before block reductions: rev-lower-gpu block-reductions=false)
      local options=
      [ "$memory" = serial ] && options="block-reductions=false"
      /usr/bin/python3 "$root/utils/aot-compile.py" "$model/model.onnx" \
          --target=gpu --build "$build" --gpu-memory="${memory/serial/device}" \
          --gpu-options="$options" \
          --pass-pipeline="rev-train=mode=$mode loss=cross-entropy" \
          -o "$out/revnet-$mode-$memory"
    done
    "$build/bin/rev-opt" "$model/model.onnx" \
        --rev-train="mode=$mode loss=cross-entropy" -o "$out/$mode.mlir"
    "$build/bin/rev-run" "$out/$mode.mlir" --weights "$model/model.onnx" \
        --inputs "$model/inputs" --outputs "$out/cpu-$mode" > /dev/null
    rm "$out/$mode.mlir"
  done
  cp "$model"/inputs/*.npy "$out/inputs/"
  echo "${GPU_TORCH_ARGS:-}" > "$out/torch-args"
  save_weights "$model/model.onnx" "$out/inputs"
  # The zoo's RevViT with dropout in training mode (Philox kernels; its
  # reversible step in device memory), against the CPU for the same seed
  # (GPU_ZOO=0 leaves it out).
  [ "${GPU_ZOO:-1}" = 1 ] && prepare_zoo "$build"
  du -sh "$out"
  echo "gpu-check: prepared $out; on the GPU machine: utils/gpu-check.sh run"
}

prepare_zoo() {
  local build=$1
  local vit=$root/models/zoo/revvit
  /usr/bin/python3 "$root/utils/aot-compile.py" "$vit/model.onnx" \
      --target=gpu --build "$build" --gpu-memory=device \
      --pass-pipeline="rev-train=mode=reversible loss=cross-entropy" \
      -o "$out/zoo-revvit"
  "$build/bin/rev-opt" "$vit/model.onnx" \
      --rev-train="mode=reversible loss=cross-entropy" -o "$out/zoo-revvit.mlir"
  "$build/bin/rev-run" "$out/zoo-revvit.mlir" --weights "$vit/model.onnx" \
      --inputs "$vit/inputs" --outputs "$out/cpu-zoo-revvit" > /dev/null
  rm "$out/zoo-revvit.mlir"
  mkdir -p "$out/inputs-zoo-revvit"
  cp "$vit"/inputs/*.npy "$out/inputs-zoo-revvit/"
  save_weights "$vit/model.onnx" "$out/inputs-zoo-revvit"
}

# The three folders of the whole check (see the top).
all_dirs="gpu-check gpu-check-d8 gpu-check-38"

prepare_all() {
  local build=${1:-$root/build}
  GPU_MEMORY="device serial" GPU_CHECK_DIR=$root/gpu-check \
      GPU_MODEL=$root/models/revnet GPU_TORCH_ARGS= "$0" prepare "$build"
  GPU_MEMORY=device GPU_ZOO=0 GPU_CHECK_DIR=$root/gpu-check-d8 \
      GPU_MODEL=$root/models/depth/revnet-d8 GPU_TORCH_ARGS="--blocks 8 --width 8" \
      "$0" prepare "$build"
  local tmp
  tmp=$(mktemp -d)
  /usr/bin/python3 "$root/bench/paper_models.py" "$tmp" --batch 128 --only revnet38 > /dev/null
  GPU_MEMORY=device GPU_ZOO=0 GPU_CHECK_DIR=$root/gpu-check-38 \
      GPU_MODEL=$tmp/revnet38 GPU_TORCH_ARGS="--paper revnet38" "$0" prepare "$build"
  rm -rf "$tmp"
  (cd "$root" && du -shc $all_dirs)
  echo "gpu-check: prepared $all_dirs; on the GPU machine: utils/gpu-check.sh run-all"
}

run_all() {
  # (compute-sanitizer, slow on the large steps, checks the first folder's
  # programs only unless GPU_SANITIZE says otherwise)
  local status=0 d sanitize=${GPU_SANITIZE:-1}
  for d in $all_dirs; do
    [ -d "$root/$d" ] || { echo "gpu-check: $root/$d is missing: run 'prepare-all' first" >&2; status=1; continue; }
    echo "######## $d"
    GPU_SANITIZE=$sanitize GPU_CHECK_DIR=$root/$d "$0" run || status=1
    sanitize=${GPU_SANITIZE:-0}
  done
  return $status
}

# Every initializer of ONNX model $1 as <name>.npy in folder $2.
save_weights() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import os, sys
import numpy as np, onnx, onnx.numpy_helper
m = onnx.load(sys.argv[1])
for init in m.graph.initializer:
    np.save(os.path.join(sys.argv[2], init.name.replace("/", "_") + ".npy"),
            onnx.numpy_helper.to_array(init))
EOF
}

run() {
  [ -d "$out" ] || { echo "gpu-check: $out is missing: run 'prepare' first" >&2; exit 1; }
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
  # The GPU machine's Python (with PyTorch) lives in a virtual environment.
  # Elsewhere, Debian's python3 (with numpy, and torch for the baseline).
  local py=${PYTHON:-python3}
  for p in /opt/torch/.venv/bin/python3 /usr/bin/python3; do
    [ -z "${PYTHON:-}" ] && [ -x $p ] && { py=$p; break; }
  done
  # cuDNN and cuBLAS (the programs' convolutions and matrix products) come
  # from PyTorch's bundled NVIDIA packages unless REV_CUDA_LIBRARY_PATH says
  # otherwise.
  if [ -z "${REV_CUDA_LIBRARY_PATH:-}" ]; then
    REV_CUDA_LIBRARY_PATH=$("$py" -c 'import glob, os, site
dirs = []
for s in site.getsitepackages():
    dirs += glob.glob(os.path.join(s, "nvidia", "*", "lib"))
print(":".join(sorted(dirs)))' 2>/dev/null || true)
  fi
  export REV_CUDA_LIBRARY_PATH
  echo "REV_CUDA_LIBRARY_PATH=$REV_CUDA_LIBRARY_PATH"
  # (none found: the programs say so at their first library call)
  if [ -n "$REV_CUDA_LIBRARY_PATH" ]; then
    ls $(echo "$REV_CUDA_LIBRARY_PATH" | tr ':' ' ') 2>/dev/null |
      grep -E "^lib(cudnn|cublas)[^_]*\.so" | sort -u | tr '\n' ' ' || true
  fi
  echo
  # Each program runs under a time limit; a failing one is reported and the
  # others still run. Each runs twice: replaying a CUDA graph (the default,
  # where the entry allows it) and calling the entry every time
  # (--no-graph, variant <mode>-<memory>-nograph).
  local ran="" want=""
  # The zoo's dropout RevViT first (the last program that ran is the one
  # compute-sanitizer checks): the GPU must draw the CPU's masks for the
  # same seed, so its loss and gradients agree like the others'.
  if [ -x "$out/zoo-revvit" ]; then
    want="zoo-revvit"
    rm -rf "$out/gpu-zoo-revvit" && mkdir -p "$out/gpu-zoo-revvit"
    echo "== zoo-revvit (dropout, reversible, device memory)"
    if timeout 120 "$out/zoo-revvit" --inputs "$out/inputs-zoo-revvit" \
        --outputs "$out/gpu-zoo-revvit" --repeat "${GPU_REPEAT:-50}" \
        --report "$out/gpu-zoo-revvit.json"; then
      ran="zoo-revvit"
    else
      echo "gpu-check: the zoo-revvit program failed (status $?)" >&2
    fi
  fi
  for mode in $modes; do
    for memory in managed device serial; do  # (those prepared)
      [ -x "$out/revnet-$mode-$memory" ] || continue
      for graph in "" -nograph; do
        local v=$mode-$memory$graph
        want="$want $v"
        rm -rf "$out/gpu-$v" && mkdir -p "$out/gpu-$v"
        echo "== $v"
        if timeout 120 "$out/revnet-$mode-$memory" --inputs "$out/inputs" \
            --outputs "$out/gpu-$v" --repeat "${GPU_REPEAT:-50}" --report "$out/gpu-$v.json" \
            ${graph:+--no-graph}; then
          ran="$ran $v"
        else
          echo "gpu-check: the $v program failed (status $?)" >&2
        fi
      done
    done
  done
  [ -n "$ran" ] || { echo "gpu-check: no program ran" >&2; exit 1; }
  local status=0
  "$py" - "$out" "$root/bench" $ran <<'EOF' || status=1
import json, os, sys
import numpy as np
out, bench, variants = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, bench)
import gradients
ok = True
rows = []
for v in variants:
    mode = v.split("-")[0]
    # (the CPU's results: of the RevNet step in that mode, or of the zoo model)
    cpu = os.path.join(out, "cpu-" + (v if v.startswith("zoo-") else mode))
    gpu = os.path.join(out, "gpu-" + v)
    ref, got = gradients.load_dir(cpu), gradients.load_dir(gpu)
    worst = gradients.worst_relative(ref, got)
    loss_cpu = float(np.load(os.path.join(cpu, "loss.npy")))
    loss_gpu = float(np.load(os.path.join(gpu, "loss.npy")))
    angle = gradients.angle(ref, got)
    r = json.load(open(os.path.join(out, "gpu-%s.json" % v)))
    rows.append((v + (" (graph)" if r.get("graph") else ""), r["time_ms"]["median"],
                 r["time_ms"]["min"], r["peak_device_bytes"],
                 loss_cpu, loss_gpu, worst[0], worst[1], angle, r.get("launches", 0)))
    ok &= abs(loss_cpu - loss_gpu) <= 1e-4 * abs(loss_cpu) and angle < 0.1
    if r.get("leaked_device_bytes", 0):
        print("gpu-check: %s left %d device bytes allocated" % (v, r["leaked_device_bytes"]))
        ok = False
print("%-28s %9s %9s %12s %8s %10s %10s %9s %8s" % ("program", "median ms", "min ms",
      "peak dev B", "launches", "loss cpu", "loss gpu", "max rel", "angle"))
for v, t, tmin, p, lc, lg, w, wf, a, n in rows:
    print("%-28s %9.3f %9.3f %12d %8d %10.6f %10.6f %9.2g %8.4f  (worst: %s)" %
          (v, t, tmin, p, n, lc, lg, w, a, wf))
s = dict((r[0].split(" ")[0], r) for r in rows)
for memory in ("managed", "device", "serial"):
    st, rv = s.get("store-" + memory), s.get("reversible-" + memory)
    if st and rv:
        print("%s memory: reversible / store: time %.2fx, peak device memory %.2fx" % (
            memory, rv[1] / st[1], rv[3] / st[3]))
print("gpu-check: " + ("agrees with the CPU" if ok else "DISAGREES with the CPU"))
sys.exit(0 if ok else 1)
EOF
  # Run-time checks: a label out of range ends the program with status 1
  # and the check's message (the step copies the labels' smallest and
  # largest values to the host; the runtime compares them after the call).
  local checked=""
  for p in revnet-reversible-device revnet-store-device; do
    [ -x "$out/$p" ] && { checked=$p; break; }
  done
  if [ -n "$checked" ] && [ -f "$out/inputs/labels.npy" ]; then
    echo "== run-time check: $checked with a label out of range"
    rm -rf "$out/bad-labels" && cp -r "$out/inputs" "$out/bad-labels"
    "$py" -c 'import numpy as n, sys; a = n.load(sys.argv[1]); a.flat[0] = 1000; n.save(sys.argv[1], a)' \
      "$out/bad-labels/labels.npy"
    if timeout 60 "$out/$checked" --inputs "$out/bad-labels" --repeat 1 > "$out/bad-labels.log" 2>&1; then
      echo "gpu-check: a label out of range was not reported" >&2
      status=1
    elif grep -q "run-time check failed in @train_step: .*got 1000" "$out/bad-labels.log"; then
      tail -1 "$out/bad-labels.log"
    else
      echo "gpu-check: a label out of range failed without the check's message:" >&2
      tail -5 "$out/bad-labels.log" >&2
      status=1
    fi
  fi
  # PyTorch on the same GPU, the same weights and inputs: the baseline.
  echo "== PyTorch (autograd, and the hand-written reversible backward)"
  timeout 120 "$py" "$root/bench/torch_gpu.py" --inputs "$out/inputs" \
      $(cat "$out/torch-args" 2>/dev/null) \
      --repeat "${GPU_REPEAT:-50}" --reference "$out/cpu-store" \
      --report "$out/torch-gpu.json" ||
    echo "gpu-check: the PyTorch baseline did not run (status $?)" >&2
  # NVIDIA's compute-sanitizer, where the machine has it: memory errors and
  # leaks of one call of the reversible step in device memory.
  local cs=""
  for c in compute-sanitizer /usr/local/cuda/bin/compute-sanitizer; do
    command -v $c > /dev/null && { cs=$c; break; }
  done
  local last=${ran##* }
  if [ -n "$cs" ] && [ "${GPU_SANITIZE:-1}" = 1 ]; then
    echo "== compute-sanitizer --leak-check full: $last"
    rm -rf "$out/sanitize" && mkdir -p "$out/sanitize"
    timeout 150 "$cs" --leak-check full --error-exitcode 3 "$out/revnet-$last" \
        --inputs "$out/inputs" --outputs "$out/sanitize" --repeat 1 2>&1 | tail -15 ||
      { echo "gpu-check: compute-sanitizer found errors or failed" >&2; status=1; }
  fi
  [ "$ran" = "$want" ] || { echo "gpu-check: not every program ran" >&2; exit 1; }
  return $status
}

case ${1:-} in
  prepare) shift; prepare "$@" ;;
  run) run ;;
  prepare-all) shift; prepare_all "$@" ;;
  run-all) run_all ;;
  *) echo "usage: $0 prepare [build-dir] | run | prepare-all [build-dir] | run-all" >&2; exit 2 ;;
esac
