// RUN: rev-opt %s --rev-reconstruct-activations -split-input-file -verify-diagnostics

// expected-error @below {{rev.backward names no function: @missing}}
func.func @f_forward(%x: tensor<4xf32>) -> tensor<4xf32> attributes {rev.backward = @missing} {
  return %x : tensor<4xf32>
}

// -----

func.func @f_forward(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.name = "tape.0"}) attributes {rev.backward = @f_backward} {
  %t = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  return %t : tensor<4xf32>
}
// expected-error @below {{rev-reconstruct-activations: @f_backward is called more than once}}
func.func @f_backward(%t: tensor<4xf32> {rev.name = "tape.0"}) -> tensor<4xf32> {
  return %t : tensor<4xf32>
}
func.func @twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %t = call @f_forward(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %a = call @f_backward(%t) : (tensor<4xf32>) -> tensor<4xf32>
  %b = call @f_backward(%t) : (tensor<4xf32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @f_forward(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.name = "tape.0"}) attributes {rev.backward = @f_backward} {
  %t = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  return %t : tensor<4xf32>
}
// Without a caller, the backward's arguments are matched by name.
// expected-error @below {{cannot tell where argument #0 of @f_backward comes from (no call and no matching rev.name)}}
func.func @f_backward(%t: tensor<4xf32> {rev.name = "something"}) -> tensor<4xf32> {
  return %t : tensor<4xf32>
}
