// A 3x3 convolution (1x32x32x16 -> 16 channels) and a ReLU: enough work per
// loop for rev-lower-cpu to share rows between threads.
func.func @conv(%x: tensor<1x32x32x16xf32> {rev.name = "x"},
                %w: tensor<16x3x3x16xf32> {rev.name = "w"},
                %b: tensor<16xf32> {rev.name = "b"})
    -> (tensor<1x32x32x16xf32> {rev.name = "y"}) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x32x32x16xf32>, tensor<16x3x3x16xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x32x32x16xf32>
  %y = tosa.clamp %c {max_val = 3.40282347E+38 : f32, min_val = 0.0 : f32} : (tensor<1x32x32x16xf32>) -> tensor<1x32x32x16xf32>
  return %y : tensor<1x32x32x16xf32>
}
