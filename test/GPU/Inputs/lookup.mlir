// A table lookup with ids known only at run time (i32): rev.check_range
// checks them (tests of run-time checks on the GPU).
func.func @lookup(%table: tensor<1x5x3xf32> {rev.name = "table"},
                  %ids: tensor<1x3xi32> {rev.name = "ids"})
    -> (tensor<1x3x3xf32> {rev.name = "rows"}) {
  %c = rev.check_range %ids in [0, 5) "ids of the lookup" : tensor<1x3xi32>
  %r = tosa.gather %table, %c : (tensor<1x5x3xf32>, tensor<1x3xi32>) -> tensor<1x3x3xf32>
  return %r : tensor<1x3x3xf32>
}
