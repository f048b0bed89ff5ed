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

// -----

// The backward is called, but no call of the forward comes before it.
func.func @f_forward(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.name = "tape.0"}) attributes {rev.backward = @f_backward} {
  %t = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  return %t : tensor<4xf32>
}
func.func @f_backward(%t: tensor<4xf32> {rev.name = "tape.0"}) -> tensor<4xf32> {
  return %t : tensor<4xf32>
}
func.func @alone(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{rev-reconstruct-activations: the call to @f_backward does not read a call to @f_forward}}
  %a = call @f_backward(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// The backward is called in another block than the forward.
func.func @f_forward(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.name = "tape.0"}) attributes {rev.backward = @f_backward} {
  %t = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  return %t : tensor<4xf32>
}
func.func @f_backward(%t: tensor<4xf32> {rev.name = "tape.0"}) -> tensor<4xf32> {
  return %t : tensor<4xf32>
}
func.func @nested(%x: tensor<4xf32>) -> tensor<4xf32> {
  %t = call @f_forward(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %a = scf.execute_region -> tensor<4xf32> {
    // expected-error @below {{rev-reconstruct-activations: the forward call must precede the backward call}}
    %b = func.call @f_backward(%t) : (tensor<4xf32>) -> tensor<4xf32>
    scf.yield %b : tensor<4xf32>
  }
  return %a : tensor<4xf32>
}

// -----

// No call: a backward argument must name a forward result or argument.
func.func @f_forward(%x: tensor<4xf32> {rev.name = "x"}) -> (tensor<4xf32> {rev.name = "tape.0"}) attributes {rev.backward = @f_backward} {
  %t = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  return %t : tensor<4xf32>
}
// expected-error @below {{rev-reconstruct-activations: cannot tell where argument #1 of @f_backward comes from (no call and no matching rev.name)}}
func.func @f_backward(%t: tensor<4xf32> {rev.name = "tape.0"}, %u: tensor<4xf32> {rev.name = "mystery"}) -> tensor<4xf32> {
  %s = tosa.add %t, %u : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}
