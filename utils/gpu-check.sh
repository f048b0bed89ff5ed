#!/usr/bin/env bash
# The GPU check, in two halves.
#
#   utils/gpu-check.sh prepare [build-dir]   here (needs the build and the CUDA
#                                            toolkit, not a GPU)
#   utils/gpu-check.sh run                   on a machine with an NVIDIA GPU and
#                                            driver (needs nothing of ours but
#                                            gpu-check/; python3 with numpy)
#
# prepare: AOT-compiles the bundled RevNet's training step in store and
# reversible modes into self-contained GPU programs (utils/aot-compile.py
# --target=gpu: PTX for sm_90 embedded, runtime linked in, only libcuda.so.1
# needed at run time), writes the inputs and every weight as .npy, and the
# CPU results of the same steps (rev-run) as the reference. Everything goes to
# gpu-check/ (git-ignored, about 21 MB).
#
# GPU_MEMORY=device utils/gpu-check.sh prepare: buffers that only kernels
# touch are device memory instead of managed memory (rev-lower-gpu
# memory=device).
#
# run: runs both programs, compares their loss and gradients with the CPU's
# (relative error per tensor, and the angle between all gradients), and
# prints time and peak device memory for both modes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/gpu-check
model=$root/models/revnet
modes="store reversible"

prepare() {
  local build=${1:-$root/build}
  rm -rf "$out" && mkdir -p "$out/inputs"
  for mode in $modes; do
    /usr/bin/python3 "$root/utils/aot-compile.py" "$model/model.onnx" \
        --target=gpu --build "$build" --gpu-memory="${GPU_MEMORY:-managed}" \
        --pass-pipeline="rev-train=mode=$mode loss=cross-entropy" \
        -o "$out/revnet-$mode"
    "$build/bin/rev-opt" "$model/model.onnx" \
        --rev-train="mode=$mode loss=cross-entropy" -o "$out/$mode.mlir"
    "$build/bin/rev-run" "$out/$mode.mlir" --weights "$model/model.onnx" \
        --inputs "$model/inputs" --outputs "$out/cpu-$mode" > /dev/null
    rm "$out/$mode.mlir"
  done
  cp "$model"/inputs/*.npy "$out/inputs/"
  /usr/bin/python3 - "$model/model.onnx" "$out/inputs" <<'EOF'
import os, sys
import numpy as np, onnx, onnx.numpy_helper
m = onnx.load(sys.argv[1])
for init in m.graph.initializer:
    np.save(os.path.join(sys.argv[2], init.name.replace("/", "_") + ".npy"),
            onnx.numpy_helper.to_array(init))
EOF
  du -sh "$out"
  echo "gpu-check: prepared $out; on the GPU machine: utils/gpu-check.sh run"
}

run() {
  [ -d "$out" ] || { echo "gpu-check: $out is missing: run 'prepare' first" >&2; exit 1; }
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
  # Each program runs under a time limit; a failing mode is reported and
  # the other one still runs.
  local ran=""
  for mode in $modes; do
    rm -rf "$out/gpu-$mode" && mkdir -p "$out/gpu-$mode"
    echo "== $mode"
    if timeout 120 "$out/revnet-$mode" --inputs "$out/inputs" \
        --outputs "$out/gpu-$mode" --repeat 20 --report "$out/gpu-$mode.json"; then
      ran="$ran $mode"
    else
      echo "gpu-check: the $mode program failed (status $?)" >&2
    fi
  done
  [ -n "$ran" ] || { echo "gpu-check: no mode ran" >&2; exit 1; }
  python3 - "$out" $ran <<'EOF'
import json, math, os, sys
import numpy as np
out, modes = sys.argv[1], sys.argv[2:]
ok = True
rows = []
for mode in modes:
    cpu, gpu = os.path.join(out, "cpu-" + mode), os.path.join(out, "gpu-" + mode)
    worst, dot, n1, n2 = (0.0, ""), 0.0, 0.0, 0.0
    for f in sorted(os.listdir(cpu)):
        a = np.load(os.path.join(cpu, f)).astype(np.float64)
        b = np.load(os.path.join(gpu, f)).astype(np.float64)
        rel = np.abs(a - b).max() / max(np.abs(a).max(), 1e-30)
        if f.startswith("grad."):
            dot += (a * b).sum(); n1 += (a * a).sum(); n2 += (b * b).sum()
            if np.abs(a).max() > 1e-6:
                worst = max(worst, (rel, f))
    loss_cpu = float(np.load(os.path.join(cpu, "loss.npy")))
    loss_gpu = float(np.load(os.path.join(gpu, "loss.npy")))
    angle = math.degrees(math.acos(max(-1.0, min(1.0, dot / math.sqrt(n1 * n2)))))
    r = json.load(open(os.path.join(out, "gpu-%s.json" % mode)))
    rows.append((mode, r["time_ms"]["median"], r["peak_device_bytes"],
                 loss_cpu, loss_gpu, worst[0], worst[1], angle))
    ok &= abs(loss_cpu - loss_gpu) <= 1e-4 * abs(loss_cpu) and angle < 0.1
print("%-11s %10s %14s %12s %12s %10s %8s" % ("mode", "step ms", "peak dev B",
      "loss (cpu)", "loss (gpu)", "max rel", "angle"))
for m, t, p, lc, lg, w, wf, a in rows:
    print("%-11s %10.3f %14d %12.6f %12.6f %10.2g %8.4f  (worst: %s)" %
          (m, t, p, lc, lg, w, a, wf))
s = dict((r[0], r) for r in rows)
if "store" in s and "reversible" in s:
    print("reversible / store: time %.2fx, peak device memory %.2fx" % (
        s["reversible"][1] / s["store"][1], s["reversible"][2] / s["store"][2]))
print("gpu-check: " + ("agrees with the CPU" if ok else "DISAGREES with the CPU"))
sys.exit(0 if ok else 1)
EOF
  [ "$ran" = " $(echo $modes)" ] || { echo "gpu-check: not every mode ran" >&2; exit 1; }
}

case ${1:-} in
  prepare) shift; prepare "$@" ;;
  run) run ;;
  *) echo "usage: $0 prepare [build-dir] | run" >&2; exit 2 ;;
esac
