// RUN: rev-opt %s --split-input-file --rev-library-calls | FileCheck %s

// A float32 convolution and both of its gradients become calls of the CPU
// runtime's kernels, with pad top, bottom, left, right, stride, dilation.
// CHECK-LABEL: func.func @conv
// CHECK: rev.library_call "conv2d_forward_f32" ins(%arg0, %arg1, %arg2 : tensor<2x8x8x5xf32>, tensor<6x3x3x5xf32>, tensor<6xf32>) {params = array<i64: 1, 0, 1, 0, 2, 2, 1, 1>} -> tensor<2x4x4x6xf32>
// CHECK: rev.library_call "conv2d_backward_data_f32" ins(%arg3, %arg1 : tensor<2x4x4x6xf32>, tensor<6x3x3x5xf32>) {params = array<i64: 1, 0, 1, 0, 2, 2, 1, 1>} -> tensor<2x8x8x5xf32>
// CHECK: rev.library_call "conv2d_backward_filter_f32" ins(%arg0, %arg3 : tensor<2x8x8x5xf32>, tensor<2x4x4x6xf32>) {params = array<i64: 1, 0, 1, 0, 2, 2, 1, 1>} -> tensor<6x3x3x5xf32>
// CHECK-NOT: tosa.conv2d
// CHECK-NOT: rev.conv2d_backward
func.func @conv(%x: tensor<2x8x8x5xf32>, %w: tensor<6x3x3x5xf32>, %b: tensor<6xf32>, %g: tensor<2x4x4x6xf32>) -> (tensor<2x4x4x6xf32>, tensor<2x8x8x5xf32>, tensor<6x3x3x5xf32>) {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x8x8x5xf32>, tensor<6x3x3x5xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x4x6xf32>
  %dx = rev.conv2d_backward_data %g, %w {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x4x4x6xf32>, tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32>
  %dw = rev.conv2d_backward_filter %x, %g {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x8x8x5xf32>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>
  return %y, %dx, %dw : tensor<2x4x4x6xf32>, tensor<2x8x8x5xf32>, tensor<6x3x3x5xf32>
}

// -----

// Matrix products: no parameters.
// CHECK-LABEL: func.func @matmul
// CHECK: rev.library_call "matmul_f32" ins(%arg0, %arg1 : tensor<3x5x7xf32>, tensor<3x7x6xf32>) -> tensor<3x5x6xf32>
func.func @matmul(%a: tensor<3x5x7xf32>, %b: tensor<3x7x6xf32>) -> tensor<3x5x6xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.matmul %a, %b, %zp, %zp : (tensor<3x5x7xf32>, tensor<3x7x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x5x6xf32>
  return %c : tensor<3x5x6xf32>
}

// -----

// What the kernels do not take stays: float64, a bias broadcast from one
// value, dynamic shapes.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: rev.library_call
// CHECK-COUNT-2: tosa.conv2d
// CHECK: tosa.matmul
// CHECK-NOT: rev.library_call
func.func @kept(%x: tensor<1x4x4x2xf64>, %w: tensor<3x3x3x2xf64>, %b: tensor<3xf64>, %x32: tensor<1x4x4x2xf32>, %w32: tensor<3x3x3x2xf32>, %b1: tensor<1xf32>, %a: tensor<?x5x7xf32>, %m: tensor<?x7x6xf32>) -> (tensor<1x4x4x3xf64>, tensor<1x4x4x3xf32>, tensor<?x5x6xf32>) {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %zp32 = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf64>, tensor<3x3x3x2xf64>, tensor<3xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<1x4x4x3xf64>
  %y1 = tosa.conv2d %x32, %w32, %b1, %zp32, %zp32 {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x3x3x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  %c = tosa.matmul %a, %m, %zp32, %zp32 : (tensor<?x5x7xf32>, tensor<?x7x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x5x6xf32>
  return %y, %y1, %c : tensor<1x4x4x3xf64>, tensor<1x4x4x3xf32>, tensor<?x5x6xf32>
}

// -----

// library=cuda (cuDNN): padding the same on both sides. A convolution padded
// less after than before (the importer's form of PyTorch's stride-2
// convolutions: pad 1, 0) is computed with the larger padding on both sides
// when the output size is the same; one padded more after than before, or
// whose output would change, keeps the generated code. (oneDNN takes any.)
// RUN: rev-opt %s --split-input-file --rev-library-calls=library=cuda | FileCheck %s --check-prefix=CUDA
// CHECK-LABEL: func.func @cudnn_padding
// CHECK-COUNT-6: rev.library_call
// CHECK-NOT: tosa.conv2d
// CUDA-LABEL: func.func @cudnn_padding
// CUDA: rev.library_call "conv2d_forward_f32" {{.*}} {params = array<i64: 1, 1, 1, 1, 1, 1, 1, 1>} -> tensor<1x8x8x4xf32>
// CUDA: rev.library_call "conv2d_forward_f32" {{.*}} {params = array<i64: 1, 1, 1, 1, 2, 2, 1, 1>} -> tensor<1x4x4x4xf32>
// CUDA: rev.library_call "conv2d_backward_data_f32" {{.*}} {params = array<i64: 1, 1, 1, 1, 2, 2, 1, 1>} -> tensor<1x8x8x2xf32>
// CUDA: rev.library_call "conv2d_backward_filter_f32" {{.*}} {params = array<i64: 1, 1, 1, 1, 2, 2, 1, 1>} -> tensor<4x3x3x2xf32>
// CUDA: tosa.conv2d {{.*}} pad = array<i64: 0, 1, 0, 1>
// CUDA: tosa.conv2d {{.*}} pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 1, 1>
// CUDA-NOT: rev.library_call
func.func @cudnn_padding(%x: tensor<1x8x8x2xf32>, %w: tensor<4x3x3x2xf32>, %b: tensor<4xf32>, %g: tensor<1x4x4x4xf32>) -> (tensor<1x8x8x4xf32>, tensor<1x4x4x4xf32>, tensor<1x8x8x2xf32>, tensor<4x3x3x2xf32>, tensor<1x4x4x4xf32>, tensor<1x7x7x4xf32>) {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %same = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x2xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
  %half = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x2xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  %dx = rev.conv2d_backward_data %g, %w {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x3x3x2xf32>) -> tensor<1x8x8x2xf32>
  %dw = rev.conv2d_backward_filter %x, %g {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<1x8x8x2xf32>, tensor<1x4x4x4xf32>) -> tensor<4x3x3x2xf32>
  %after = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : (tensor<1x8x8x2xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  %grows = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 1, 1>} : (tensor<1x8x8x2xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x7x7x4xf32>
  return %same, %half, %dx, %dw, %after, %grows : tensor<1x8x8x4xf32>, tensor<1x4x4x4xf32>, tensor<1x8x8x2xf32>, tensor<4x3x3x2xf32>, tensor<1x4x4x4xf32>, tensor<1x7x7x4xf32>
}
