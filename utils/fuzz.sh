#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for a set time (make fuzz).
#
#   utils/fuzz.sh BUILD_DIR SECONDS [TARGET...]
#
# Seed corpora come from the repository (bundled models, the tests' ONNX
# text and MLIR, .npy inputs) and from ONNX's own node tests
# (libonnx-testdata); what libFuzzer adds is kept in BUILD_DIR/fuzz-corpus/
# between runs. A crash leaves its input in BUILD_DIR/fuzz-crashes/ and makes
# the script exit non-zero: turn it into a regression test (docs/reliability.md).
set -euo pipefail

build=${1:?usage: fuzz.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:-60}
shift 2 || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz-onnx-import fuzz-npy fuzz-tensor-proto fuzz-mlir)
fi
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=$build/fuzz-corpus
crashes=$build/fuzz-crashes
mkdir -p "$crashes"
splitfile=/usr/lib/llvm-22/bin/split-file
testdata=/usr/share/libonnx-testdata/data/node

seed() { # seed TARGET: fills $corpus/TARGET/seed-* once
  [ -d "$corpus/$1" ] && return 0
  local dir=$corpus/$1.seeding
  rm -rf "$dir"
  mkdir -p "$dir"
  local tmp
  tmp=$(mktemp -d)
  case $1 in
  fuzz-onnx-import)
    find "$src/models" "$src/test" -name '*.onnx' -size -64k |
      while read -r f; do cp "$f" "$dir/seed-$(basename "$(dirname "$f")")-$(basename "$f")"; done
    # The tests' textual models (split-file sections).
    grep -rl -e '^#--- .*\.onnxtxt' "$src/test" | while read -r t; do
      "$splitfile" --no-leading-lines "$t" "$tmp/$(basename "$t")" 2>/dev/null || true
    done
    find "$tmp" -name '*.onnxtxt' | while read -r f; do
      cp "$f" "$dir/seed-txt-$(basename "$(dirname "$f")")-$(basename "$f")"; done
    if [ -d "$testdata" ]; then
      for d in "$testdata"/*/; do
        cp "$d/model.onnx" "$dir/seed-node-$(basename "$d").onnx" 2>/dev/null || true
      done
    fi
    ;;
  fuzz-npy)
    find "$src/models" -name '*.npy' -size -64k |
      while read -r f; do cp "$f" "$dir/seed-$(echo "$f" | md5sum | cut -c1-8).npy"; done
    ;;
  fuzz-tensor-proto)
    if [ -d "$testdata" ]; then
      # (not `find | head`: find's SIGPIPE would fail the pipeline under
      # pipefail and end the script)
      local pbs
      mapfile -t pbs < <(find "$testdata" -name '*.pb' -size -16k)
      for f in "${pbs[@]:0:400}"; do
        cp "$f" "$dir/seed-$(echo "$f" | md5sum | cut -c1-8).pb"
      done
    fi
    ;;
  fuzz-mlir)
    # The first byte picks the pipeline (fuzz-mlir.cpp): one seed per
    # pipeline for each of the tests' MLIR files.
    find "$src/test" -name '*.mlir' -size -32k | while read -r f; do
      for p in 0 1 2 3 4 5 6; do
        { printf "\\x$(printf %02x $p)"; cat "$f"; } > "$dir/seed-$p-$(basename "$f")"
      done
    done
    ;;
  esac
  rm -rf "$tmp"
  mv "$dir" "$corpus/$1"
}

# Stack traces for UndefinedBehaviorSanitizer's reports too.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
status=0
for t in "${targets[@]}"; do
  bin=$build/bin/$t
  [ -x "$bin" ] || { echo "fuzz.sh: $bin is not built (make fuzz-build)" >&2; exit 1; }
  seed "$t"
  echo "== $t: $seconds s, corpus $corpus/$t ($(ls "$corpus/$t" | wc -l) inputs)"
  log=$build/fuzz-$t.log
  if ! "$bin" "$corpus/$t" -max_total_time="$seconds" -rss_limit_mb=4096 \
      -timeout=30 -artifact_prefix="$crashes/$t-" -print_final_stats=1 \
      >"$log" 2>&1; then
    echo "fuzz.sh: $t FAILED; the input is in $crashes, the log in $log" >&2
    grep -m5 -E 'ERROR|SUMMARY|==[0-9]+==' "$log" >&2 || true
    status=1
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed "s/^/  /"
done
exit $status
