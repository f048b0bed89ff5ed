// Losses: cross-entropy (int64 labels, log-softmax, a one-hot mask, mean
// over the batch) and vjp (output cotangents are arguments).
//
// RUN: rev-opt %s --rev-differentiate="loss=cross-entropy function=classifier" | FileCheck %s --check-prefix=CE
// RUN: rev-opt %s --rev-differentiate="loss=vjp function=twice" | FileCheck %s --check-prefix=VJP

// CE-LABEL: func.func @classifier_forward(%{{.+}}: tensor<4x10xf32> {rev.name = "x", rev.param}, %{{[^:]+}}: tensor<4xi64> {rev.name = "labels"})
// CE: tosa.reduce_max
// CE: tosa.exp
// CE: tosa.log
// CE: tosa.equal {{.+}} : (tensor<4x1xi64>, tensor<1x10xi64>) -> tensor<4x10xi1>
// CE: "tosa.const"() <{values = dense<-2.500000e-01> : tensor<1xf32>}>
func.func @classifier(%x: tensor<4x10xf32> {rev.name = "x", rev.param}) -> (tensor<4x10xf32> {rev.name = "logits"}) {
  %y = tosa.tanh %x : (tensor<4x10xf32>) -> tensor<4x10xf32>
  return %y : tensor<4x10xf32>
}

// VJP-LABEL: func.func @train_step(%{{[^:]+}}: tensor<3xf32> {rev.name = "x"}, %{{[^:]+}}: tensor<3xf32> {rev.name = "grad.y"}) -> (tensor<3xf32> {rev.name = "y"}, tensor<3xf32> {rev.name = "grad.x"})
func.func @twice(%x: tensor<3xf32> {rev.name = "x"}) -> (tensor<3xf32> {rev.name = "y"}) {
  %y = tosa.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
