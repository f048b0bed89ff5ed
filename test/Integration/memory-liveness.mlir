// Every buffer is freed right after its last use, not at the end of the
// function: a chain of five 64x64 matrix products has four intermediates of
// 16 KiB, but at most two are live at once (the one being read and the one
// being written), so the measured peak is 2 x 16384 bytes. Freeing at the end
// of the function (upstream's deallocation pipeline alone) would keep all
// four: 65536 bytes. (--kernel-library=none: oneDNN's matrix product would
// add its own scratch buffer, 1,152 bytes per call, to the counts.)
//
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: %python -c "import numpy as n; n.save('%t/in/x.npy', n.eye(64, dtype=n.float32).reshape(1,64,64)); n.save('%t/in/w.npy', n.full((1,64,64), 1.0/64, n.float32))"
// RUN: rev-run %s --kernel-library=none --inputs %t/in --report %t/report.json | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON < %t/report.json
// CHECK: @chain: 1 call(s), {{.*}}; peak heap 32768 bytes, 4 allocations, 65536 bytes allocated per call
// JSON: "allocated_bytes": 65536
// JSON: "peak_bytes": 32768

func.func @chain(%x: tensor<1x64x64xf32> {rev.name = "x"}, %w: tensor<1x64x64xf32> {rev.name = "w"})
    -> (tensor<1x64x64xf32> {rev.name = "y"}) {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y1 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x64x64xf32>, tensor<1x64x64xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64xf32>
  %y2 = tosa.matmul %y1, %w, %zp, %zp : (tensor<1x64x64xf32>, tensor<1x64x64xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64xf32>
  %y3 = tosa.matmul %y2, %w, %zp, %zp : (tensor<1x64x64xf32>, tensor<1x64x64xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64xf32>
  %y4 = tosa.matmul %y3, %w, %zp, %zp : (tensor<1x64x64xf32>, tensor<1x64x64xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64xf32>
  %y5 = tosa.matmul %y4, %w, %zp, %zp : (tensor<1x64x64xf32>, tensor<1x64x64xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64xf32>
  return %y5 : tensor<1x64x64xf32>
}
