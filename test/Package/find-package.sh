#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then configures, builds and
# runs test/Package/consumer against it with find_package(RevMLIR).
# Usage: find-package.sh <build-dir> <source-dir> <scratch-dir>
set -euo pipefail
build=$1 src=$2 scratch=$3
rm -rf "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$src/test/Package/consumer" -B "$scratch/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/build" >/dev/null
out=$("$scratch/build/rev-consumer")
echo "$out"
grep -q "func.func @block_inverse" <<<"$out"
test -x "$scratch/prefix/bin/rev-opt"
test -f "$scratch/prefix/lib/RevPlugin.so"
test -f "$scratch/prefix/include/rev/Dialect/Rev/IR/RevOps.h.inc"
echo "find_package(RevMLIR): OK"
