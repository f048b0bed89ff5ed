// VJP rules of reductions, data movement, products and gather against
// central finite differences in float64.
//
// RUN: rev-run %s --entry reduce_sum --check-gradients | FileCheck %s
// RUN: rev-run %s --entry reduce_max --check-gradients | FileCheck %s
// RUN: rev-run %s --entry reshape_transpose --check-gradients | FileCheck %s
// RUN: rev-run %s --entry slice_concat --check-gradients | FileCheck %s
// RUN: rev-run %s --entry pad_tile --check-gradients | FileCheck %s
// RUN: rev-run %s --entry reverse --check-gradients | FileCheck %s
// RUN: rev-run %s --entry matmul --check-gradients | FileCheck %s
// RUN: rev-run %s --entry gather --check-gradients | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: gradient check passed

func.func @reduce_sum(%a: tensor<2x3x4xf64>) -> tensor<2x1x1xf64> {
  %s = tosa.reduce_sum %a {axis = 1 : i32} : (tensor<2x3x4xf64>) -> tensor<2x1x4xf64>
  %t = tosa.tanh %s : (tensor<2x1x4xf64>) -> tensor<2x1x4xf64>
  %r = tosa.reduce_sum %t {axis = 2 : i32} : (tensor<2x1x4xf64>) -> tensor<2x1x1xf64>
  return %r : tensor<2x1x1xf64>
}

func.func @reduce_max(%a: tensor<2x3x4xf64>) -> tensor<2x3x1xf64> {
  %m = tosa.reduce_max %a {axis = 2 : i32} : (tensor<2x3x4xf64>) -> tensor<2x3x1xf64>
  return %m : tensor<2x3x1xf64>
}

func.func @reshape_transpose(%a: tensor<2x3x4xf64>) -> tensor<4x6xf64> {
  %t = tosa.transpose %a {perms = array<i32: 2, 0, 1>} : (tensor<2x3x4xf64>) -> tensor<4x2x3xf64>
  %s = tosa.const_shape {values = dense<[4, 6]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %t, %s : (tensor<4x2x3xf64>, !tosa.shape<2>) -> tensor<4x6xf64>
  %e = tosa.sigmoid %r : (tensor<4x6xf64>) -> tensor<4x6xf64>
  return %e : tensor<4x6xf64>
}

func.func @slice_concat(%a: tensor<4x6xf64>, %b: tensor<4x2xf64>) -> tensor<4x5xf64> {
  %st = tosa.const_shape {values = dense<[0, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %sz = tosa.const_shape {values = dense<[4, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %s = tosa.slice %a, %st, %sz : (tensor<4x6xf64>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<4x3xf64>
  %c = tosa.concat %s, %b {axis = 1 : i32} : (tensor<4x3xf64>, tensor<4x2xf64>) -> tensor<4x5xf64>
  %t = tosa.tanh %c : (tensor<4x5xf64>) -> tensor<4x5xf64>
  return %t : tensor<4x5xf64>
}

func.func @pad_tile(%a: tensor<2x3xf64>) -> tensor<8x5xf64> {
  %p = tosa.const_shape {values = dense<[1, 1, 0, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %v = "tosa.const"() {values = dense<0.5> : tensor<1xf64>} : () -> tensor<1xf64>
  %padded = tosa.pad %a, %p, %v : (tensor<2x3xf64>, !tosa.shape<4>, tensor<1xf64>) -> tensor<4x5xf64>
  %m = tosa.const_shape {values = dense<[2, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %t = tosa.tile %padded, %m : (tensor<4x5xf64>, !tosa.shape<2>) -> tensor<8x5xf64>
  %e = tosa.tanh %t : (tensor<8x5xf64>) -> tensor<8x5xf64>
  return %e : tensor<8x5xf64>
}

func.func @reverse(%a: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %r = tosa.reverse %a {axis = 1 : i32} : (tensor<3x4xf64>) -> tensor<3x4xf64>
  %t = tosa.tanh %r : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %t : tensor<3x4xf64>
}

func.func @matmul(%a: tensor<2x3x4xf64>, %b: tensor<2x4x5xf64>) -> tensor<2x3x5xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<2x3x4xf64>, tensor<2x4x5xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<2x3x5xf64>
  return %m : tensor<2x3x5xf64>
}

// Repeated indices: the cotangents of one row add up.
func.func @gather(%v: tensor<2x5x3xf64>) -> tensor<2x4x3xf64> {
  %i = "tosa.const"() {values = dense<[[0, 3, 3, 1], [4, 0, 2, 4]]> : tensor<2x4xi32>} : () -> tensor<2x4xi32>
  %g = tosa.gather %v, %i : (tensor<2x5x3xf64>, tensor<2x4xi32>) -> tensor<2x4x3xf64>
  %t = tosa.tanh %g : (tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  return %t : tensor<2x4x3xf64>
}
