// RUN: rev-opt %s --split-input-file --rev-forward-out-params | FileCheck %s

// A result that is a reshape of an allocation: the allocation becomes the
// inverse reshape of the out-parameter, and the copy goes.
// CHECK-LABEL: func.func @reshaped
// CHECK-SAME: (%[[X:.+]]: memref<2x3xf32>, %[[OUT:.+]]: memref<6xf32>)
// CHECK-NOT: memref.alloc
// CHECK: %[[V:.+]] = memref.expand_shape %[[OUT]] {{\[}}[0, 1]] output_shape [2, 3] : memref<6xf32> into memref<2x3xf32>
// CHECK: linalg.exp ins(%[[X]] : memref<2x3xf32>) outs(%[[V]] : memref<2x3xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @reshaped(%x: memref<2x3xf32>, %out: memref<6xf32>) {
  %a = memref.alloc() : memref<2x3xf32>
  linalg.exp ins(%x : memref<2x3xf32>) outs(%a : memref<2x3xf32>)
  %r = memref.collapse_shape %a [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  memref.copy %r, %out : memref<6xf32> to memref<6xf32>
  return
}

// -----

// An allocation that a call fills, copied into the out-parameter: the call
// writes the out-parameter.
// CHECK-LABEL: func.func @filled_by_call
// CHECK-SAME: (%[[OUT:.+]]: memref<4xf32>)
// CHECK-NEXT: call @produce(%[[OUT]])
// CHECK-NEXT: return
func.func private @produce(memref<4xf32>)
func.func @filled_by_call(%out: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  call @produce(%a) : (memref<4xf32>) -> ()
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Left alone: the out-parameter has another use; an op other than a copy
// follows the copy (it could write the allocation). A copy from an
// argument into a fresh buffer that is then copied out becomes one copy.
// CHECK-LABEL: func.func @kept
// CHECK-SAME: (%[[X:.+]]: memref<4xf32>, %[[OUT:.+]]: memref<4xf32>, %[[OUT2:.+]]: memref<4xf32>, %[[OUT3:.+]]: memref<4xf32>)
// CHECK: memref.copy %{{.+}}, %[[OUT]]
// CHECK: memref.copy %{{.+}}, %[[OUT2]]
// CHECK: linalg.exp
// CHECK: memref.copy %[[X]], %[[OUT3]]
// CHECK-NEXT: return
func.func @kept(%x: memref<4xf32>, %out: memref<4xf32>, %out2: memref<4xf32>,
                %out3: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.exp ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  linalg.exp ins(%out : memref<4xf32>) outs(%a : memref<4xf32>)
  %c = memref.alloc() : memref<4xf32>
  linalg.exp ins(%x : memref<4xf32>) outs(%c : memref<4xf32>)
  memref.copy %c, %out2 : memref<4xf32> to memref<4xf32>
  linalg.exp ins(%x : memref<4xf32>) outs(%c : memref<4xf32>)
  %b = memref.alloc() : memref<4xf32>
  memref.copy %x, %b : memref<4xf32> to memref<4xf32>
  memref.copy %b, %out3 : memref<4xf32> to memref<4xf32>
  return
}
