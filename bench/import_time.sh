#!/usr/bin/env bash
# Import-time benchmark: times rev-translate on the depth sweep's deepest
# RevNet (models/depth/revnet-d32: 32 blocks per stage, about 1,500 ONNX
# nodes, exported by Debian's PyTorch).
# Usage: bench/import_time.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
model=$root/models/depth/revnet-d32/model.onnx
nodes=$(/usr/bin/python3 -c "import onnx,sys; print(len(onnx.load(sys.argv[1]).graph.node))" "$model")
best=999
for i in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$build/bin/rev-translate" --import-onnx "$model" >/dev/null
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  best=$(echo "if ($t < $best) $t else $best" | bc)
done
echo "import of a $nodes-node ONNX model (revnet-d32): best of 5 = ${best}s"
