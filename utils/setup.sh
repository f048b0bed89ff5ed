#!/usr/bin/env bash
# Installs the Debian packages rev-opt builds and tests with (see docs/ and
# ../shared/TOOLCHAIN.md). Idempotent: installs only what is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ make ccache
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools libomp-22-dev
  libonnx-dev protobuf-compiler libprotobuf-dev libonnx-testdata
  libdnnl-dev
  python3-numpy python3-onnx python3-torch
  # examples/train_revnet.py and its test: Fashion-MNIST (gzipped IDX files).
  dataset-fashion-mnist
)
# `--sanitize`: clang and its sanitizer/libFuzzer runtimes, for the sanitized
# build and the fuzz targets only (make check-sanitize, make fuzz).
if [ "${1:-}" = "--sanitize" ]; then
  packages+=(clang-22 lld-22 libclang-rt-22-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
