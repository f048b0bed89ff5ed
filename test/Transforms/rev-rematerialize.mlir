// RUN: rev-opt %s --pass-pipeline="builtin.module(func.func(rev-rematerialize))" -split-input-file | FileCheck %s

// %a is read before the peak (by %b) and after it (by %r): recomputed from
// the arguments (read at the end anyway) right before %r, so that it is
// dead at the peak.
// CHECK-LABEL: func.func @across
// CHECK: %[[A:.+]] = tosa.add %arg0, %arg1
// CHECK-NEXT: %[[B:.+]] = tosa.exp %[[A]]
// CHECK: %[[S:.+]] = tosa.add %{{.+}}, %{{.+}}
// CHECK-NEXT: %[[A2:.+]] = tosa.add %arg0, %arg1
// CHECK-NEXT: %[[R:.+]] = tosa.add %[[S]], %[[A2]]
// CHECK-NEXT: tosa.sub %[[R]], %arg0
func.func @across(%x: tensor<1024xf32>, %y: tensor<1024xf32>) -> tensor<1024xf32> {
  %a = tosa.add %x, %y : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  %b = tosa.exp %a : (tensor<1024xf32>) -> tensor<1024xf32>
  %s1 = tosa.exp %b : (tensor<1024xf32>) -> tensor<1024xf32>
  %s2 = tosa.tanh %b : (tensor<1024xf32>) -> tensor<1024xf32>
  %s = tosa.add %s1, %s2 : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  %r = tosa.add %s, %a : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  %t = tosa.sub %r, %x : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  %u = tosa.sub %t, %y : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  return %u : tensor<1024xf32>
}

// -----

// %a's input %z (not a cheap op) dies at %a: nothing to recompute %a from,
// it stays.
// CHECK-LABEL: func.func @input_dead
// CHECK: tosa.exp
// CHECK-NOT: tosa.exp
// CHECK: return
func.func @input_dead(%x: tensor<1024xf32>) -> tensor<1024xf32> {
  %z = tosa.sin %x : (tensor<1024xf32>) -> tensor<1024xf32>
  %a = tosa.exp %z : (tensor<1024xf32>) -> tensor<1024xf32>
  %b = tosa.abs %a : (tensor<1024xf32>) -> tensor<1024xf32>
  %s1 = tosa.tanh %b : (tensor<1024xf32>) -> tensor<1024xf32>
  %s2 = tosa.sigmoid %b : (tensor<1024xf32>) -> tensor<1024xf32>
  %s = tosa.add %s1, %s2 : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  %r = tosa.add %s, %a : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  return %r : tensor<1024xf32>
}

// -----

// Small values (under 4 KiB) are left alone.
// CHECK-LABEL: func.func @small
// CHECK: tosa.add %arg0, %arg1
// CHECK-NOT: tosa.add %arg0, %arg1
// CHECK: return
func.func @small(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  %a = tosa.add %x, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %b = tosa.exp %a : (tensor<16xf32>) -> tensor<16xf32>
  %s1 = tosa.exp %b : (tensor<16xf32>) -> tensor<16xf32>
  %s2 = tosa.tanh %b : (tensor<16xf32>) -> tensor<16xf32>
  %s = tosa.add %s1, %s2 : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %r = tosa.add %s, %a : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %t = tosa.sub %r, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %u = tosa.sub %t, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return %u : tensor<16xf32>
}

// -----

// Elementwise linalg.generics on tensors: the copy gets its own tensor.empty.
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @generic
// CHECK: %[[E:.+]] = tensor.empty
// CHECK: %[[A:.+]] = linalg.generic {{.*}} ins(%arg0, %arg1 : {{.*}}) outs(%[[E]]
// CHECK: %[[E2:.+]] = tensor.empty
// CHECK-NEXT: %[[A2:.+]] = linalg.generic {{.*}} ins(%arg0, %arg1 : {{.*}}) outs(%[[E2]]
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[A2]] :
func.func @generic(%x: tensor<1024xf32>, %y: tensor<1024xf32>) -> tensor<1024xf32> {
  %e = tensor.empty() : tensor<1024xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%x, %y : tensor<1024xf32>, tensor<1024xf32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %0 = arith.addf %i, %j : f32
    linalg.yield %0 : f32
  } -> tensor<1024xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : tensor<1024xf32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%i: f32, %o: f32):
    %0 = math.exp %i : f32
    linalg.yield %0 : f32
  } -> tensor<1024xf32>
  %s1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%b : tensor<1024xf32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%i: f32, %o: f32):
    %0 = math.tanh %i : f32
    linalg.yield %0 : f32
  } -> tensor<1024xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%b, %s1 : tensor<1024xf32>, tensor<1024xf32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %0 = arith.subf %i, %j : f32
    linalg.yield %0 : f32
  } -> tensor<1024xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%s, %a : tensor<1024xf32>, tensor<1024xf32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %0 = arith.mulf %i, %j : f32
    linalg.yield %0 : f32
  } -> tensor<1024xf32>
  %t = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]} ins(%r, %x, %y : tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%i: f32, %j: f32, %k: f32, %o: f32):
    %0 = arith.subf %i, %j : f32
    %1 = arith.subf %0, %k : f32
    linalg.yield %1 : f32
  } -> tensor<1024xf32>
  return %t : tensor<1024xf32>
}
