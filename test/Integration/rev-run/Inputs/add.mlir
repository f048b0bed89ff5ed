func.func @add(%a: tensor<2x3xf32> {rev.name = "a"}, %b: tensor<2x3xf32> {rev.name = "b"})
    -> (tensor<2x3xf32> {rev.name = "sum"}) {
  %s = tosa.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}
