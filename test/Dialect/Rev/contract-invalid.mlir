// RUN: rev-opt %s -split-input-file -verify-diagnostics
// The IR contract's attributes (rev/Dialect/Rev/IR/RevContract.h), verified
// by the rev dialect wherever they appear.

// Valid: every attribute of the contract, well formed.
module attributes {rev.checks = ["indices in range"]} {
  func.func @f(%x: tensor<4xf32> {rev.name = "x"},
               %w: tensor<4xf32> {rev.name = "w", rev.param},
               %m: tensor<4xf32> {rev.name = "m", rev.param, rev.trainable = false})
      -> (tensor<4xf32> {rev.name = "y", rev.kept_because = "read by tosa.conv2d, which is not invertible"})
      attributes {rev.backward = @g,
                  rev.abi = {args = [{name = "x", type = tensor<4xf32>, device = true}],
                             results = [{name = "y", type = tensor<4xf32>}]}} {
    return %x : tensor<4xf32>
  }
  func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> attributes {rev.forward = @f} {
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{'rev.name' of argument #0 must be a non-empty string}}
func.func @f(%x: tensor<4xf32> {rev.name = 3 : i32}) {
  return
}

// -----

// expected-error @+1 {{'rev.name' of result #0 must be a non-empty string}}
func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.name = ""}) {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{'rev.param' of argument #0 takes no value (a unit attribute)}}
func.func @f(%x: tensor<4xf32> {rev.param = true}) {
  return
}

// -----

// expected-error @+1 {{'rev.trainable' of argument #0 must be true or false}}
func.func @f(%x: tensor<4xf32> {rev.trainable = "no"}) {
  return
}

// -----

// expected-error @+1 {{'rev.param' belongs on arguments, not on result #0}}
func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.param}) {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{'rev.backward' must name a function (@symbol)}}
func.func @f() attributes {rev.backward = "g"} {
  return
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.forward' belongs on a function}}
  %y = tosa.exp %x {rev.forward = @f} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{'rev.abi' needs an array 'results'}}
func.func @f() attributes {rev.abi = {args = []}} {
  return
}

// -----

// expected-error @+1 {{'rev.abi' args #0 must be {name = string, type = type[, device = bool]}}}
func.func @f() attributes {rev.abi = {args = [{name = "x"}], results = []}} {
  return
}

// -----

// expected-error @+1 {{'rev.checks' must be an array of strings on a module}}
module attributes {rev.checks = [1 : i32]} {
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.name' belongs on a function's arguments or results, not on an operation}}
  %y = tosa.exp %x {rev.name = "y"} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.store' is a unit attribute of a coupling}}
  %y = tosa.exp %x {rev.store} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{'rev.memory_plan' must be a dictionary of integers on a function}}
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> attributes {rev.memory_plan = {budget = "1MB"}} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{'rev.abi' must be a dictionary on a function}}
module attributes {rev.abi = {args = [], results = []}} {
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.check_id' must be an integer}}
  %y = tosa.exp %x {rev.check_id = "first"} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{'rev.kept_because' of result #0 must be a non-empty string}}
func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.kept_because = ""}) {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{'rev.kept_because' belongs on results, not on argument #0}}
func.func @f(%x: tensor<4xf32> {rev.kept_because = "read by tosa.conv2d"}) {
  return
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.kept_because' belongs on a function's arguments or results, not on an operation}}
  %y = tosa.abs %x {rev.kept_because = "no"} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
