#!/usr/bin/env bash
# Import-time benchmark: generates a deep RevNet (32 blocks per stage, about
# 1,500 ONNX nodes) with Debian's PyTorch and times rev-translate on it.
# Usage: bench/import_time.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 "$root/utils/models/generate.py" --out "$out" --only revnet-d32 >/dev/null
nodes=$(/usr/bin/python3 -c "import onnx,sys; print(len(onnx.load(sys.argv[1]).graph.node))" "$out/revnet-d32/model.onnx")
best=999
for i in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$build/bin/rev-translate" --import-onnx "$out/revnet-d32/model.onnx" >/dev/null
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  best=$(echo "if ($t < $best) $t else $best" | bc)
done
echo "import of a $nodes-node ONNX model (revnet-d32): best of 5 = ${best}s"
