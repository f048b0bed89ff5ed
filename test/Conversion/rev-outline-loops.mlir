// RUN: rev-opt %s -split-input-file --rev-outline-loops | FileCheck %s
// RUN: rev-opt %s -split-input-file --rev-outline-loops --duplicate-function-elimination | FileCheck %s --check-prefix=DEDUP
// RUN: rev-opt %s -split-input-file --rev-outline-loops=optimize-callers=true | FileCheck %s --check-prefix=OPT

// Each loop nest moves into a function of its own; constants are cloned
// into every part that uses them (as arguments, LLVM would no longer see
// constant loop bounds), values flow between parts as arguments/results.
// The caller is left with the calls, and is compiled without LLVM's
// optimizations (optnone), unless optimize-callers is set.
// CHECK-LABEL: func.func private @f_part0(%{{.*}}: memref<16xf32>) -> memref<16xf32>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK-DAG: arith.constant 16 : index
// CHECK: scf.for
// CHECK-LABEL: func.func private @f_part1(%{{.*}}: memref<16xf32>, %{{.*}}: memref<16xf32>)
// CHECK-DAG: arith.constant 16 : index
// CHECK: scf.for
// CHECK-LABEL: func.func @f
// CHECK-SAME: passthrough = ["noinline", "optnone"]
// CHECK: %[[T:.*]] = call @f_part0(%arg0)
// CHECK: call @f_part1(%[[T]], %arg1)
// OPT-LABEL: func.func @f
// OPT-NOT: optnone
// OPT: call @f_part0
func.func @f(%a: memref<16xf32>, %b: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %t = memref.alloc() : memref<16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i] : memref<16xf32>
    memref.store %v, %t[%i] : memref<16xf32>
  }
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %t[%i] : memref<16xf32>
    memref.store %v, %b[%i] : memref<16xf32>
  }
  memref.dealloc %t : memref<16xf32>
  return
}

// -----

// Identical loop nests (here two blocks' scaling by 2 on buffers of the
// same type) become identical parts, which duplicate-function-elimination
// merges into one function called twice; a loop nest with another constant
// or another shape stays apart.
// DEDUP-LABEL: func.func private @g_part0(%{{.*}}: memref<8xf32>, %{{.*}}: memref<8xf32>)
// DEDUP: arith.constant 2.0
// DEDUP-NOT: func.func private @g_part1(
// DEDUP-LABEL: func.func private @g_part2(%{{.*}}: memref<8xf32>, %{{.*}}: memref<8xf32>)
// DEDUP: arith.constant 3.0
// DEDUP-LABEL: func.func private @g_part3(%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>)
// DEDUP: arith.constant 2.0
// DEDUP-LABEL: func.func @g
// DEDUP: call @g_part0(%arg0, %arg1)
// DEDUP: call @g_part0(%arg1, %arg2)
// DEDUP: call @g_part2(%arg2, %arg0)
// DEDUP: call @g_part3(%arg3, %arg4)
func.func @g(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>,
             %d: memref<4xf32>, %e: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %b[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %b[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %c[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %c[%i] : memref<8xf32>
    %w = arith.mulf %v, %three : f32
    memref.store %w, %a[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %d[%i] : memref<4xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %e[%i] : memref<4xf32>
  }
  return
}

// -----

// A function that only calls others (and allocates and frees buffers) is
// cut into functions of calls-per-function calls, each compiled as is
// (optnone); the allocations and frees keep their order.
// CALLS-LABEL: func.func private @h_part0(%{{.*}}: memref<8xf32>) -> memref<8xf32>
// CALLS-SAME: passthrough = ["noinline", "optnone"]
// CALLS: memref.alloc
// CALLS: call @work
// CALLS: call @work
// CALLS-NOT: call
// CALLS: return
// CALLS-LABEL: func.func private @h_part1(%{{.*}}: memref<8xf32>, %{{.*}}: memref<8xf32>)
// CALLS-SAME: passthrough = ["noinline", "optnone"]
// CALLS: call @work
// CALLS: memref.dealloc
// CALLS-LABEL: func.func @h
// CALLS-SAME: passthrough = ["noinline", "optnone"]
// CALLS: %[[T:.*]] = call @h_part0(%arg0)
// CALLS: call @h_part1(%arg0, %[[T]])
// CALLS-NEXT: return
// RUN: rev-opt %s -split-input-file --rev-outline-loops=calls-per-function=2 | FileCheck %s --check-prefix=CALLS
func.func private @work(memref<8xf32>, memref<8xf32>)
func.func @h(%a: memref<8xf32>) {
  %t = memref.alloc() : memref<8xf32>
  call @work(%a, %t) : (memref<8xf32>, memref<8xf32>) -> ()
  call @work(%t, %a) : (memref<8xf32>, memref<8xf32>) -> ()
  call @work(%a, %t) : (memref<8xf32>, memref<8xf32>) -> ()
  memref.dealloc %t : memref<8xf32>
  return
}
