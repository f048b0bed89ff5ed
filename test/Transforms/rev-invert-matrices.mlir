// RUN: rev-opt %s --rev-invert-matrices --rev-build-inverse="functions=f" -split-input-file -verify-diagnostics
// RUN: rev-opt %s --rev-invert-matrices -split-input-file | FileCheck %s --check-prefix=ATTR

// rev-invert-matrices sets the module attribute; with it only a square 1x1
// convolution by a matrix computed from parameters and constants inverts:
// not a 3x3 kernel, a stride, padding, a change in the number of
// channels, or a weight computed from the data (the numerics of the one
// that inverts: test/Integration/rev-run/invert-matrices.test).

// ATTR: module attributes {rev.invert_matrices}

// A square 1x1 convolution whose weight is a parameter seen through a
// transpose (as the ONNX importer writes it) inverts.
module {
  func.func @f(%x: tensor<1x2x2x4xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x2x2x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %b = "tosa.const"() <{values = dense<0.5> : tensor<4xf32>}> : () -> tensor<4xf32>
    %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<4x4x1x1xf32>) -> tensor<4x1x1x4xf32>
    %y = tosa.conv2d %x, %wt, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32>
    return %y : tensor<1x2x2x4xf32>
  }
}

// -----

module {
  func.func @f(%x: tensor<1x4x4x4xf32>, %w: tensor<4x3x3x4xf32>) -> tensor<1x4x4x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    // expected-error @+1 {{cannot invert @f: 'tosa.conv2d' is not invertible here}}
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
    return %y : tensor<1x4x4x4xf32>
  }
}

// -----

module {
  func.func @f(%x: tensor<1x5x5x4xf32>, %w: tensor<4x1x1x4xf32>) -> tensor<1x3x3x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    // expected-error @+1 {{cannot invert @f: 'tosa.conv2d' is not invertible here}}
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x5x5x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x4xf32>
    return %y : tensor<1x3x3x4xf32>
  }
}

// -----

module {
  func.func @f(%x: tensor<1x2x2x4xf32>, %w: tensor<8x1x1x4xf32>) -> tensor<1x2x2x8xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
    // expected-error @+1 {{cannot invert @f: 'tosa.conv2d' is not invertible here}}
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x4xf32>, tensor<8x1x1x4xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x8xf32>
    return %y : tensor<1x2x2x8xf32>
  }
}

// -----

// The weight is computed from the data: the inverse would need the x it
// recovers.
module {
  func.func @f(%x: tensor<1x2x2x4xf32>, %w: tensor<4x1x1x4xf32>) -> tensor<1x2x2x4xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
    %shape = tosa.const_shape {values = dense<[4, 1, 1, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %s = tosa.reshape %x, %shape : (tensor<1x2x2x4xf32>, !tosa.shape<4>) -> tensor<4x1x1x4xf32>
    // expected-error @+1 {{cannot invert @f: 'tosa.conv2d' recovers operand #0, which an inverse also reads as context (it depends on the data it would recover)}}
    %y = tosa.conv2d %x, %s, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x4xf32>, tensor<4x1x1x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32>
    return %y : tensor<1x2x2x4xf32>
  }
}
