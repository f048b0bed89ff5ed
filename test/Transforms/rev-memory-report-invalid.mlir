// RUN: rev-opt %s --rev-memory-report -split-input-file -verify-diagnostics
// A tensor whose byte size does not fit in 64 bits is reported, not counted
// as 0 (or wrapped).

func.func @f() -> tensor<4294967296x4294967296xf32> {
  // expected-error @+1 {{a result of type 'tensor<4294967296x4294967296xf32>' has more bytes than fit in 64 bits}}
  %t = "tosa.const"() {values = dense<1.0> : tensor<4294967296x4294967296xf32>} : () -> tensor<4294967296x4294967296xf32>
  return %t : tensor<4294967296x4294967296xf32>
}

// -----

// expected-error @+1 {{an argument of type 'tensor<4294967296x4294967296xf32>' has more bytes than fit in 64 bits}}
func.func @g(%x: tensor<4294967296x4294967296xf32>) -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  return %c : tensor<4xf32>
}
