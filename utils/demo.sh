#!/usr/bin/env bash
# The demo (`make demo`): the bundled PyTorch-exported RevNet, trained one
# step in store mode (every activation stored, as PyTorch autograd does) and
# in reversible mode (activations reconstructed by inverting the couplings
# rev-opt found), side by side: gradient agreement, memory and time; then
# a RevNet trained inside a PyTorch loop with revopt.torch.compile.
#
# Usage: utils/demo.sh [build-dir] [model-dir]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
model=${2:-$root/models/revnet}
bin=$root/$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "rev-opt finds the reversible blocks in $(basename "$model")/model.onnx (an ordinary PyTorch export)"
"$bin/rev-opt" "$model/model.onnx" \
    --pass-pipeline='builtin.module(func.func(rev-form-couplings{explain=true}))' \
    -o /dev/null 2>&1 | grep -o 'rev-form-couplings: .*'

for mode in store reversible; do
  step "rev-opt --rev-train=\"mode=$mode loss=cross-entropy\" (tape and estimated peak)"
  "$bin/rev-opt" "$model/model.onnx" \
      --rev-train="mode=$mode loss=cross-entropy" \
      --rev-memory-report="json=$work/$mode.memory.json" \
      -o "$work/$mode.mlir" 2>&1 | grep -v 'remark:' | sed -n '1,6p'
done

for mode in store reversible; do
  step "rev-run: $mode-mode training step, JIT-compiled for this CPU, 100 calls (median)"
  expect=()
  [ "$mode" = reversible ] && expect=(--expect "$work/store.out" --rtol 1e-4)
  "$bin/rev-run" "$work/$mode.mlir" --weights "$model/model.onnx" \
      --inputs "$model/inputs" --repeat 100 --timing \
      --report "$work/$mode.run.json" --outputs "$work/$mode.out" \
      "${expect[@]}" > "$work/$mode.log" 2>&1 || { cat "$work/$mode.log"; exit 1; }
  grep -E "took|call\(s\)|compared" "$work/$mode.log" | sed 's/^/  /'
done
if [ -d "$model/ref/cross-entropy" ]; then
  step "Both against PyTorch 1.13 autograd (float64 references)"
  for mode in store reversible; do
    "$bin/rev-run" "$work/$mode.mlir" -O 0 --weights "$model/model.onnx" \
        --inputs "$model/inputs" --expect "$model/ref/cross-entropy" \
        --rtol 1e-4 | tail -1 | sed "s/^/  $mode: /"
  done
fi

step "Side by side"
/usr/bin/python3 - "$work" <<'EOF'
import json, os, sys
work = sys.argv[1]
def load(name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)
rows = []
for mode in ["store", "reversible"]:
    run = load(mode + ".run.json")
    mem = load(mode + ".memory.json")
    fwd = [f for f in mem["functions"] if "tape_bytes" in f][0]
    rows.append((mode, run["time_ms"]["median"], run["peak_bytes"],
                 fwd["tape_entries"], fwd["tape_bytes"]))
print("  %-11s %12s %16s %13s %12s" % ("mode", "step (ms)", "peak heap (B)",
                                       "tape entries", "tape (B)"))
for r in rows:
    print("  %-11s %12.2f %16d %13d %12d" % r)
s, r = rows
print("  reversible / store: time %.2fx, peak memory %.2fx, tape %.2fx"
      % (r[1] / s[1], r[2] / s[2], r[4] / s[4]))
EOF
echo
echo "  (the gradients agree: see 'compared ... all within tolerance' above;"
echo "   deeper models: models/depth and bench/train_modes.py)"

# The same inside a PyTorch training loop (python/revopt, docs/pytorch.md):
# a few steps of Fashion-MNIST with plain autograd and with the module
# compiled by revopt.torch.compile; the whole epoch: examples/train_revnet.py.
if [ -d /usr/share/datasets/fashion-mnist ]; then
  step "From PyTorch: revopt.torch.compile in a training loop (40 steps of Fashion-MNIST)"
  REV_BUILD_DIR="$root/$build" PYTHONPATH="$root/python" /usr/bin/python3 \
      "$root/examples/train_revnet.py" --steps 40 --test-size 1000 --log \
      --print-every 20 | sed 's/^/  /'
fi
