// RUN: rev-opt %s --rev-gpu-device-arguments | FileCheck %s

// `a` reaches only a kernel (through a call and a view), `o` is written
// only by a kernel: both may stay in device memory. The host reads `b`, and
// `c` goes to an external function: they stay as they are.
// A private function has no rev.abi to mark.
// CHECK-LABEL: func.func private @g(
// CHECK-NOT: device
// CHECK-LABEL: func.func @f(
// CHECK-SAME: rev.abi = {args = [{device = true, name = "a", type = tensor<8xf32>}, {name = "b", type = tensor<4xf32>}, {name = "c", type = tensor<4xf32>}], results = [{device = true, name = "o", type = tensor<4xf32>}]}

func.func private @ext(memref<4xf32>)

func.func private @g(%a: memref<8xf32>, %o: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %v = memref.subview %a[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %c0 = arith.constant 0 : index
    %x = memref.load %v[%c0] : memref<4xf32, strided<[1], offset: 4>>
    memref.store %x, %o[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}

func.func @f(%a: memref<8xf32>, %b: memref<4xf32>, %c: memref<4xf32>,
             %o: memref<4xf32>)
    attributes {rev.abi = {args = [{name = "a", type = tensor<8xf32>},
                                   {name = "b", type = tensor<4xf32>},
                                   {name = "c", type = tensor<4xf32>}],
                           results = [{name = "o", type = tensor<4xf32>}]}} {
  call @g(%a, %o) : (memref<8xf32>, memref<4xf32>) -> ()
  %c0 = arith.constant 0 : index
  %x = memref.load %b[%c0] : memref<4xf32>
  call @ext(%c) : (memref<4xf32>) -> ()
  return
}
