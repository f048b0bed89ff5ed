// Every elementwise VJP rule against central finite differences in float64
// (rev-run --check-gradients: reverse-mode directional derivatives <grad, v>
// vs (<u, f(a + h v)> - <u, f(a - h v)>) / 2h, random a, u, v).
//
// RUN: rev-run %s --entry add_broadcast --check-gradients | FileCheck %s
// RUN: rev-run %s --entry sub_broadcast --check-gradients | FileCheck %s
// RUN: rev-run %s --entry mul_broadcast --check-gradients | FileCheck %s
// RUN: rev-run %s --entry reciprocal --check-gradients | FileCheck %s
// RUN: rev-run %s --entry rsqrt --check-gradients | FileCheck %s
// RUN: rev-run %s --entry exp_log --check-gradients | FileCheck %s
// RUN: rev-run %s --entry power --check-gradients | FileCheck %s
// RUN: rev-run %s --entry abs_negate --check-gradients | FileCheck %s
// RUN: rev-run %s --entry clamp --check-gradients | FileCheck %s
// RUN: rev-run %s --entry relu --check-gradients | FileCheck %s
// RUN: rev-run %s --entry sigmoid_tanh_erf --check-gradients | FileCheck %s
// RUN: rev-run %s --entry select_max_min --check-gradients | FileCheck %s
// RUN: rev-run %s --entry cast --check-gradients | FileCheck %s
// RUN: rev-run %s --entry dropout --check-gradients | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: gradient check passed

// Broadcasting: the cotangent of b [1x4] and c [3x1] is summed back.
func.func @add_broadcast(%a: tensor<2x3x4xf64>, %b: tensor<1x1x4xf64>, %c: tensor<1x3x1xf64>) -> tensor<2x3x4xf64> {
  %s = tosa.add %a, %b : (tensor<2x3x4xf64>, tensor<1x1x4xf64>) -> tensor<2x3x4xf64>
  %t = tosa.add %c, %s : (tensor<1x3x1xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  return %t : tensor<2x3x4xf64>
}

func.func @sub_broadcast(%a: tensor<2x3x4xf64>, %b: tensor<1x1x4xf64>) -> tensor<2x3x4xf64> {
  %s = tosa.sub %a, %b : (tensor<2x3x4xf64>, tensor<1x1x4xf64>) -> tensor<2x3x4xf64>
  %t = tosa.sub %b, %s : (tensor<1x1x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  return %t : tensor<2x3x4xf64>
}

// a is used twice: the cotangents accumulate.
func.func @mul_broadcast(%a: tensor<2x3x4xf64>, %b: tensor<1x3x1xf64>) -> tensor<2x3x4xf64> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %a, %b, %shift : (tensor<2x3x4xf64>, tensor<1x3x1xf64>, tensor<1xi8>) -> tensor<2x3x4xf64>
  %n = tosa.mul %m, %a, %shift : (tensor<2x3x4xf64>, tensor<2x3x4xf64>, tensor<1xi8>) -> tensor<2x3x4xf64>
  return %n : tensor<2x3x4xf64>
}

func.func @reciprocal(%a: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x1xf64>} : () -> tensor<1x1xf64>
  %sq = tosa.mul %a, %a, %shift : (tensor<3x4xf64>, tensor<3x4xf64>, tensor<1xi8>) -> tensor<3x4xf64>
  %p = tosa.add %sq, %one : (tensor<3x4xf64>, tensor<1x1xf64>) -> tensor<3x4xf64>
  %r = tosa.reciprocal %p : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %r : tensor<3x4xf64>
}

func.func @rsqrt(%a: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x1xf64>} : () -> tensor<1x1xf64>
  %sq = tosa.mul %a, %a, %shift : (tensor<3x4xf64>, tensor<3x4xf64>, tensor<1xi8>) -> tensor<3x4xf64>
  %p = tosa.add %sq, %one : (tensor<3x4xf64>, tensor<1x1xf64>) -> tensor<3x4xf64>
  %r = tosa.rsqrt %p : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %r : tensor<3x4xf64>
}

func.func @exp_log(%a: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x1xf64>} : () -> tensor<1x1xf64>
  %e = tosa.exp %a : (tensor<3x4xf64>) -> tensor<3x4xf64>
  %p = tosa.add %e, %one : (tensor<3x4xf64>, tensor<1x1xf64>) -> tensor<3x4xf64>
  %l = tosa.log %p : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %l : tensor<3x4xf64>
}

// Both operands get gradients: a^w (a > 0).
func.func @power(%a: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x1xf64>} : () -> tensor<1x1xf64>
  %sq = tosa.mul %a, %a, %shift : (tensor<3x4xf64>, tensor<3x4xf64>, tensor<1xi8>) -> tensor<3x4xf64>
  %p = tosa.add %sq, %one : (tensor<3x4xf64>, tensor<1x1xf64>) -> tensor<3x4xf64>
  %r = tosa.pow %p, %w : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  return %r : tensor<3x4xf64>
}

func.func @abs_negate(%a: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %n = tosa.negate %a, %zp, %zp : (tensor<3x4xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<3x4xf64>
  %r = tosa.abs %n : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %r : tensor<3x4xf64>
}

func.func @clamp(%a: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %r = tosa.clamp %a {min_val = -0.5 : f64, max_val = 0.5 : f64} : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %r : tensor<3x4xf64>
}

func.func @relu(%a: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %r = tosa.clamp %a {min_val = 0.0 : f64, max_val = 1.7976931348623157E+308 : f64} : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %r : tensor<3x4xf64>
}

func.func @sigmoid_tanh_erf(%a: tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>) {
  %s = tosa.sigmoid %a : (tensor<3x4xf64>) -> tensor<3x4xf64>
  %t = tosa.tanh %s : (tensor<3x4xf64>) -> tensor<3x4xf64>
  %e = tosa.erf %a : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %t, %e : tensor<3x4xf64>, tensor<3x4xf64>
}

func.func @select_max_min(%a: tensor<3x4xf64>, %b: tensor<3x4xf64>, %c: tensor<1x4xf64>) -> tensor<3x4xf64> {
  %zero = "tosa.const"() {values = dense<0.0> : tensor<1x1xf64>} : () -> tensor<1x1xf64>
  %p = tosa.greater %a, %zero : (tensor<3x4xf64>, tensor<1x1xf64>) -> tensor<3x4xi1>
  %s = tosa.select %p, %b, %c : (tensor<3x4xi1>, tensor<3x4xf64>, tensor<1x4xf64>) -> tensor<3x4xf64>
  %m = tosa.maximum %s, %a : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %n = tosa.minimum %m, %b : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  return %n : tensor<3x4xf64>
}

// A float32 argument widened to float64 (checked in float32 precision).
func.func @cast(%a: tensor<3x4xf32>) -> tensor<3x4xf64> {
  %c = tosa.cast %a : (tensor<3x4xf32>) -> tensor<3x4xf64>
  %t = tosa.tanh %c : (tensor<3x4xf64>) -> tensor<3x4xf64>
  return %t : tensor<3x4xf64>
}

// Training-mode dropout: the derivative is the same mask (a random seed,
// fixed for the check) applied to the cotangent; the mask does not move
// with the input, so finite differences see a linear map.
func.func @dropout(%a: tensor<6x5xf64>, %seed: tensor<i64> {rev.name = "dropout_seed"}) -> tensor<6x5xf64> {
  %s = rev.random_stream %seed[2] : tensor<i64> -> tensor<2xi64>
  %t = tosa.tanh %a : (tensor<6x5xf64>) -> tensor<6x5xf64>
  %d = rev.dropout %t, %s {ratio = 0.4 : f64} : tensor<6x5xf64>, tensor<2xi64>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %d, %a, %shift : (tensor<6x5xf64>, tensor<6x5xf64>, tensor<1xi8>) -> tensor<6x5xf64>
  return %y : tensor<6x5xf64>
}

