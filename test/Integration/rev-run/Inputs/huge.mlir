// A 4 TiB intermediate (tile, then ops that keep it materialized): the
// compiled code's allocation fails.
func.func @huge(%a: tensor<1xf32> {rev.name = "a"}) -> (tensor<1xf32> {rev.name = "s"}) {
  %m = tosa.const_shape {values = dense<1099511627776> : tensor<1xindex>} : () -> !tosa.shape<1>
  %t = tosa.tile %a, %m : (tensor<1xf32>, !tosa.shape<1>) -> tensor<1099511627776xf32>
  %e = tosa.exp %t : (tensor<1099511627776xf32>) -> tensor<1099511627776xf32>
  %r = tosa.reverse %e {axis = 0 : i32} : (tensor<1099511627776xf32>) -> tensor<1099511627776xf32>
  %s = tosa.reduce_sum %r {axis = 0 : i32} : (tensor<1099511627776xf32>) -> tensor<1xf32>
  return %s : tensor<1xf32>
}

// A 4 TiB argument.
func.func @huge_arg(%a: tensor<1099511627776xf32> {rev.name = "a"}) -> (tensor<1xf32> {rev.name = "s"}) {
  %s = tosa.reduce_sum %a {axis = 0 : i32} : (tensor<1099511627776xf32>) -> tensor<1xf32>
  return %s : tensor<1xf32>
}
