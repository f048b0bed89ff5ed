#!/usr/bin/env bash
# The demo (`make demo`): builds the inverse of a small reversible network
# and checks numerically that it inverts the network.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/$build/bin
llvm=/usr/lib/llvm-22

echo "== rev-opt: the reversible network (two couplings, 3x3 convolutions) =="
echo "== rev-build-inverse + rev-lower-couplings, upstream lowering, mlir-runner =="
"$bin/rev-opt" "$root/test/Integration/inverse-roundtrip.mlir" \
    --rev-build-inverse="functions=net" --rev-lower-couplings \
  | "$llvm/bin/mlir-opt" --pass-pipeline="builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},buffer-deallocation-pipeline,convert-bufferization-to-memref,convert-linalg-to-loops,expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-vector-to-llvm,finalize-memref-to-llvm,convert-arith-to-llvm,convert-math-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,convert-index-to-llvm,reconcile-unrealized-casts)" \
  | "$llvm/bin/mlir-runner" -e main -entry-point-result=void \
      --shared-libs="$llvm/lib/libmlir_c_runner_utils.so,$llvm/lib/libmlir_runner_utils.so"
