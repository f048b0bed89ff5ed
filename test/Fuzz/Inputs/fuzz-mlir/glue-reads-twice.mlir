func.func @chain(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) {
  %f = tosa.tanh %x1 : (tensor<4xf32>) -> tensor<4xf32>
  %y1 = tosa.add %x1, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %mean = tosa.reduce_sum %y1 {axis = 0 : i32} : (tensor<4xf32>) -> tensor<1xf32>
  %g = tosa.sub %y1, %mean : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %y2 = tosa.add %x2, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %f2 = tosa.sigmoid %y2 : (tensor<4xf32>) -> tensor<4xf32>
  %z1 = tosa.add %y1, %f2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g2 = tosa.exp %z1 : (tensor<4xf32>) -> tensor<4xf32>
  %z2 = tosa.add %y1, %g2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %z1, %z2, %mean : tensor<4xf32>, tensor<4xf32>, tensor<1xf32>
}
