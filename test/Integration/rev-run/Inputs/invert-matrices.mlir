// A square 1x1 convolution by a learned matrix (Glow's invertible 1x1
// convolution): y = W x + b over 16 channels (invert-matrices.test).
module {
  func.func @f(%x: tensor<2x2x2x16xf32> {rev.name = "x"}, %w: tensor<16x1x1x16xf32> {rev.name = "w", rev.param}, %b: tensor<16xf32> {rev.name = "b", rev.param}) -> (tensor<2x2x2x16xf32> {rev.name = "y"}) {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<2x2x2x16xf32>, tensor<16x1x1x16xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x2x2x16xf32>
    return %y : tensor<2x2x2x16xf32>
  }
}
