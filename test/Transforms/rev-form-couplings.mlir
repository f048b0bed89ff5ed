// RUN: rev-opt %s --pass-pipeline='builtin.module(func.func(rev-form-couplings{explain=true}))' --verify-each -split-input-file -verify-diagnostics | FileCheck %s

// RevNet's block as torch exports it: chunk, y1 = x1 + F(x2),
// y2 = x2 + G(y1), cat. F and G read weights (arguments marked rev.param).

// CHECK-LABEL: func.func @additive(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x8xf32>
// CHECK: %[[X1:.+]] = tosa.slice %[[X]]
// CHECK: %[[X2:.+]] = tosa.slice %[[X]]
// CHECK: %[[Y1:.+]], %[[Y2:.+]] = rev.coupling %[[X1]], %[[X2]] : tensor<2x4xf32>, tensor<2x4xf32> f {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<2x4xf32>):
// CHECK-NEXT: %[[FM:.+]] = tosa.mul %[[A]], %[[WF:[^,]+]],
// CHECK-NEXT: %[[FT:.+]] = tosa.tanh %[[FM]]
// CHECK-NEXT: rev.yield %[[FT]] : tensor<2x4xf32>
// CHECK-NEXT: } g {
// CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<2x4xf32>):
// CHECK-NEXT: %[[GM:.+]] = tosa.mul %[[B]], %[[WG:[^,]+]],
// CHECK-NEXT: %[[GS:.+]] = tosa.sigmoid %[[GM]]
// CHECK-NEXT: rev.yield %[[GS]] : tensor<2x4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[Y:.+]] = tosa.concat %[[Y1]], %[[Y2]] {axis = 1 : i32}
// CHECK-NEXT: return %[[Y]]
// The adds are gone (inside the coupling's semantics).
// CHECK-NOT: tosa.add
// expected-remark @below {{invertible glue: before the couplings (splits, reshapes): 2 tosa.slice; between couplings: none; after them (joins): 1 tosa.concat}}
// expected-remark @below {{formed 1 additive and 0 affine coupling(s); 0 candidate(s) rejected}}
func.func @additive(%x: tensor<2x8xf32>, %wf: tensor<2x4xf32> {rev.param}, %wg: tensor<2x4xf32> {rev.param}) -> tensor<2x8xf32> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %start1 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %start2 = tosa.const_shape {values = dense<[0, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %size = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %x1 = tosa.slice %x, %start1, %size : (tensor<2x8xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf32>
  %x2 = tosa.slice %x, %start2, %size : (tensor<2x8xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf32>
  %fm = tosa.mul %x2, %wf, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %f = tosa.tanh %fm : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %y1 = tosa.add %x1, %f : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %gm = tosa.mul %y1, %wg, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %g = tosa.sigmoid %gm : (tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-remark @below {{formed an additive coupling: F has 2 ops, G has 2 ops}}
  %y2 = tosa.add %g, %x2 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = tosa.concat %y1, %y2 {axis = 1 : i32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Two blocks in a row with a swap: the second block's inputs are the first's
// outputs (y2, y1). Values of G used outside the block (a BatchNorm's batch
// mean feeding its running mean) stay computed outside as well.

// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[X1:[^:]+]]: tensor<4xf32>, %[[X2:[^:]+]]: tensor<4xf32>
// CHECK-NOT: tosa.add
// CHECK: %[[A1:.+]], %[[A2:.+]] = rev.coupling %[[X1]], %[[X2]]
// CHECK: } g {
// CHECK: rev.yield
// CHECK-NEXT: }
// The running statistic is computed from the coupling's y1 (F is not
// computed twice).
// CHECK-NEXT: %[[MEAN:.+]] = tosa.reduce_sum %[[A1]] {axis = 0 : i32}
// CHECK: %[[B1:.+]], %[[B2:.+]] = rev.coupling %[[A2]], %[[A1]]
// CHECK: return %[[B1]], %[[B2]], %[[MEAN]]
// expected-remark @below {{between couplings: none}}
// expected-remark @below {{formed 2 additive and 0 affine coupling(s); 0 candidate(s) rejected}}
func.func @chain(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) {
  %f = tosa.tanh %x2 : (tensor<4xf32>) -> tensor<4xf32>
  %y1 = tosa.add %x1, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %mean = tosa.reduce_sum %y1 {axis = 0 : i32} : (tensor<4xf32>) -> tensor<1xf32>
  %g = tosa.sub %y1, %mean : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  // expected-remark @below {{formed an additive coupling: F has 1 ops, G has 2 ops}}
  %y2 = tosa.add %x2, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %f2 = tosa.sigmoid %y1 : (tensor<4xf32>) -> tensor<4xf32>
  %z1 = tosa.add %y2, %f2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g2 = tosa.exp %z1 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{formed an additive coupling: F has 1 ops, G has 1 ops}}
  %z2 = tosa.add %y1, %g2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %z1, %z2, %mean : tensor<4xf32>, tensor<4xf32>, tensor<1xf32>
}

// -----

// Glow's affine coupling: y2 = x2 * sigmoid(h(x1) + 2) + t(x1), y1 = x1.

// CHECK-LABEL: func.func @affine(
// CHECK-SAME: %[[X1:[^:]+]]: tensor<4xf32>, %[[X2:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y1:.+]], %[[Y2:.+]] = rev.affine_coupling %[[X1]], %[[X2]] : tensor<4xf32>, tensor<4xf32> st {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<4xf32>):
// CHECK: %[[S:.+]] = tosa.sigmoid
// CHECK: %[[T:.+]] = tosa.tanh %[[A]]
// CHECK-NEXT: rev.yield %[[S]], %[[T]] : tensor<4xf32>, tensor<4xf32>
// CHECK: return %[[Y2]], %[[Y1]]
// expected-remark @below {{invertible glue: before the couplings (splits, reshapes): none; between couplings: none; after them (joins): none}}
// expected-remark @below {{formed 0 additive and 1 affine coupling(s); 0 candidate(s) rejected}}
func.func @affine(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %two = "tosa.const"() {values = dense<2.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %h = tosa.add %x1, %two : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %s = tosa.sigmoid %h : (tensor<4xf32>) -> tensor<4xf32>
  %t = tosa.tanh %x1 : (tensor<4xf32>) -> tensor<4xf32>
  %m = tosa.mul %x2, %s, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  // expected-remark @below {{formed an affine coupling: S/T has 3 ops, S is a sigmoid}}
  %y2 = tosa.add %m, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y2, %x1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Rejections, each with its reason; the function is left unchanged.

// CHECK-LABEL: func.func @f_reads_x1(
// CHECK-NOT: rev.coupling
// CHECK: return
// expected-remark @below {{formed 0 additive and 0 affine coupling(s); 2 candidate(s) rejected}}
func.func @f_reads_x1(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %x1, %x2, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %f = tosa.tanh %m : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling: no y1 = x1 + F(x2) that G depends on}}
  %y1 = tosa.add %x1, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g = tosa.sigmoid %y1 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling: F reads x1}}
  %y2 = tosa.add %x2, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y1, %y2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @g_reads_x2(
// CHECK-NOT: rev.coupling
// expected-remark @below {{2 candidate(s) rejected}}
func.func @g_reads_x2(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> tensor<4xf32> {
  %f = tosa.tanh %x2 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling}}
  %y1 = tosa.add %x1, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %h = tosa.mul %y1, %x2, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %g = tosa.sigmoid %h : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling: G reads x2}}
  %y2 = tosa.add %x2, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y2 : tensor<4xf32>
}

// -----

// The scale of an affine coupling must be provably nonzero.

// CHECK-LABEL: func.func @scale_may_be_zero(
// CHECK-NOT: rev.affine_coupling
// expected-remark @below {{1 candidate(s) rejected}}
func.func @scale_may_be_zero(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> tensor<4xf32> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = tosa.tanh %x1 : (tensor<4xf32>) -> tensor<4xf32>
  %t = tosa.sigmoid %x1 : (tensor<4xf32>) -> tensor<4xf32>
  %m = tosa.mul %x2, %s, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling: S is not provably nonzero (not a sigmoid or an exp)}}
  %y2 = tosa.add %m, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y2 : tensor<4xf32>
}

// -----

// Nothing reversible: left as it is, without remarks but the summary.

// CHECK-LABEL: func.func @plain(
// CHECK-NEXT: %[[A:.+]] = tosa.tanh %arg0
// CHECK-NEXT: %[[B:.+]] = tosa.add %[[A]], %arg1
// CHECK-NEXT: return %[[B]]
// expected-remark @below {{formed 0 additive and 0 affine coupling(s); 0 candidate(s) rejected}}
func.func @plain(%x: tensor<4xf32>, %b: tensor<4xf32> {rev.param}) -> tensor<4xf32> {
  %a = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  %y = tosa.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A ResNet block is not a coupling.

// CHECK-LABEL: func.func @residual(
// CHECK-NOT: rev.coupling
// expected-remark @below {{1 candidate(s) rejected}}
func.func @residual(%x: tensor<4xf32>) -> tensor<4xf32> {
  %f = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling: a residual connection y = x + F(x) (F reads the x it is added to), not a coupling}}
  %y = tosa.add %x, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A pair made from one value (Reformer, RevViT: x1 = x2 = x): y1 = x + F(x)
// is passed on, y2 = x + G(y1). A coupling of (x, x), not a residual
// connection.

// CHECK-LABEL: func.func @pair_from_one(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y1:.+]], %[[Y2:.+]] = rev.coupling %[[X]], %[[X]] : tensor<4xf32>, tensor<4xf32> f {
// CHECK: tosa.tanh
// CHECK: } g {
// CHECK: tosa.sigmoid
// CHECK: }
// CHECK-NEXT: return %[[Y1]], %[[Y2]]
// expected-remark @below {{invertible glue: before the couplings (splits, reshapes): none; between couplings: none; after them (joins): none}}
// expected-remark @below {{formed 1 additive and 0 affine coupling(s); 0 candidate(s) rejected}}
func.func @pair_from_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %f = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  %y1 = tosa.add %x, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g = tosa.sigmoid %y1 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{formed an additive coupling: F has 1 ops, G has 1 ops}}
  %y2 = tosa.add %x, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y1, %y2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// The same two adds where y1 is read only by G: a residual connection
// whose F holds an add (x + G(x + F(x))), not a coupling.

// CHECK-LABEL: func.func @residual_with_an_add(
// CHECK-NOT: rev.coupling
// expected-remark @below {{2 candidate(s) rejected}}
func.func @residual_with_an_add(%x: tensor<4xf32>) -> tensor<4xf32> {
  %f = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling: a residual connection y = x + F(x) (F reads the x it is added to), not a coupling}}
  %y1 = tosa.add %x, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g = tosa.sigmoid %y1 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{not a coupling: a residual connection y = x + F(x) (F reads the x it is added to), not a coupling}}
  %y2 = tosa.add %x, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y2 : tensor<4xf32>
}

// -----

// Subtractive couplings, y1 = x1 - F(x2), y2 = x2 - G(y1): F and G yield
// the negations (x - y = x + (-y) exactly), and the subtractions are gone.
// CHECK-LABEL: func.func @subtractive(
// CHECK-SAME: %[[X1:[^:]+]]: tensor<4xf32>, %[[X2:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y1:.+]], %[[Y2:.+]] = rev.coupling %[[X1]], %[[X2]] : tensor<4xf32>, tensor<4xf32> f {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<4xf32>):
// CHECK-NEXT: %[[FT:.+]] = tosa.tanh %[[A]]
// CHECK-NEXT: %[[FN:.+]] = tosa.negate %[[FT]]
// CHECK-NEXT: rev.yield %[[FN]] : tensor<4xf32>
// CHECK-NEXT: } g {
// CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<4xf32>):
// CHECK-NEXT: %[[GS:.+]] = tosa.sigmoid %[[B]]
// CHECK-NEXT: %[[GN:.+]] = tosa.negate %[[GS]]
// CHECK-NEXT: rev.yield %[[GN]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[Y1]], %[[Y2]]
// expected-remark @below {{invertible glue: before the couplings (splits, reshapes): none; between couplings: none; after them (joins): none}}
// expected-remark @below {{formed 1 additive and 0 affine coupling(s); 0 candidate(s) rejected}}
func.func @subtractive(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %f = tosa.tanh %x2 : (tensor<4xf32>) -> tensor<4xf32>
  %y1 = tosa.sub %x1, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g = tosa.sigmoid %y1 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{formed an additive coupling: F has 2 ops, G has 2 ops}}
  %y2 = tosa.sub %x2, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y1, %y2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A subtraction no coupling takes stays a subtraction (here a residual
// connection y = x - F(x)).
// CHECK-LABEL: func.func @residual_sub(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4xf32>
// CHECK-NEXT: %[[F:.+]] = tosa.tanh %[[X]]
// CHECK-NEXT: %[[Y:.+]] = tosa.sub %[[X]], %[[F]]
// CHECK-NEXT: return %[[Y]]
// expected-remark @below {{formed 0 additive and 0 affine coupling(s); 1 candidate(s) rejected}}
func.func @residual_sub(%x: tensor<4xf32>) -> tensor<4xf32> {
  %f = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{a residual connection y = x + F(x)}}
  %y = tosa.sub %x, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
