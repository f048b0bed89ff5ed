// RUN: rev-opt %s --split-input-file --rev-fuse-parallel-loops | FileCheck %s

// A fill, the copy of the filled buffer into a new one and an elementwise
// op over the same shape: one loop. The allocation between them moves before
// the first loop, the free after the last; the bounds, separate constants
// before, are one value each.
// CHECK-LABEL: func.func @chain
// CHECK: %[[B:.+]] = memref.alloc() : memref<4x8xf32>
// CHECK: scf.parallel
// CHECK: memref.store %{{.+}}, %[[A:.+]][
// CHECK: memref.load %[[A]][
// CHECK: memref.store %{{.+}}, %[[B]][
// CHECK: memref.load %[[B]][
// CHECK: memref.store %{{.+}}, %arg1[
// CHECK: scf.reduce
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NOT: scf.parallel
func.func @chain(%a: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    memref.store %zero, %a[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  %b = memref.alloc() : memref<4x8xf32>
  %d0 = arith.constant 0 : index
  %d1 = arith.constant 1 : index
  %d4 = arith.constant 4 : index
  %d8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%d0, %d0) to (%d4, %d8) step (%d1, %d1) {
    %v = memref.load %a[%i, %j] : memref<4x8xf32>
    memref.store %v, %b[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %v = memref.load %b[%i, %j] : memref<4x8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %out[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  memref.dealloc %b : memref<4x8xf32>
  return
}

// -----

// Not fused: a loop that reads what the first wrote at other indices (a
// transpose), loops over other shapes, and a write to an argument that may
// be the other argument the next loop reads.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-4: scf.parallel
func.func @kept(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<4x4xf32>, %d: memref<2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %t = memref.alloc() : memref<4x4xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x4xf32>
    memref.store %v, %t[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %t[%j, %i] : memref<4x4xf32>
    memref.store %v, %b[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %c[%i, %j] : memref<4x4xf32>
    memref.store %v, %a[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %c8) step (%c1, %c1) {
    %v = memref.load %d[%i, %j] : memref<2x8xf32>
    memref.store %v, %d[%i, %j] : memref<2x8xf32>
    scf.reduce
  }
  memref.dealloc %t : memref<4x4xf32>
  return
}

// -----

// Two loops that write one buffer at other indices (a transposed write
// after a fill) stay apart: fused, the two writes of an element would come
// from different iterations in no set order. Writes of the same element by
// the same iteration (a fill, then a copy over it) fuse.
// CHECK-LABEL: func.func @writes
// CHECK: scf.parallel
// CHECK: memref.store %{{.+}}, %arg1[%[[I:.+]], %[[J:.+]]]
// CHECK: memref.store %{{.+}}, %arg1[%[[I]], %[[J]]]
// CHECK: scf.reduce
// CHECK: scf.parallel
// CHECK: memref.store %{{.+}}, %arg1[%[[J2:.+]], %[[I2:.+]]]
// CHECK: scf.reduce
func.func @writes(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    memref.store %zero, %b[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x4xf32>
    memref.store %v, %b[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x4xf32>
    memref.store %v, %b[%j, %i] : memref<4x4xf32>
    scf.reduce
  }
  return
}

// -----

// The two halves of a concatenation (subviews of one buffer with constant
// offsets that share no element) are written by one loop; halves that
// overlap are not.
// CHECK-LABEL: func.func @halves
// CHECK: scf.parallel
// CHECK: memref.store %{{.+}}, %[[LO:.+]][
// CHECK: memref.store %{{.+}}, %[[HI:.+]][
// CHECK: scf.reduce
// CHECK: scf.parallel
// CHECK: scf.reduce
// CHECK: scf.parallel
// CHECK: scf.reduce
func.func @halves(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %out: memref<4x8xf32>, %out2: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %lo = memref.subview %out[0, 0] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1]>>
  %hi = memref.subview %out[0, 4] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 4>>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x4xf32>
    memref.store %v, %lo[%i, %j] : memref<4x4xf32, strided<[8, 1]>>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %b[%i, %j] : memref<4x4xf32>
    memref.store %v, %hi[%i, %j] : memref<4x4xf32, strided<[8, 1], offset: 4>>
    scf.reduce
  }
  %x = memref.subview %out2[0, 0] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1]>>
  %y = memref.subview %out2[0, 2] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x4xf32>
    memref.store %v, %x[%i, %j] : memref<4x4xf32, strided<[8, 1]>>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %b[%i, %j] : memref<4x4xf32>
    memref.store %v, %y[%i, %j] : memref<4x4xf32, strided<[8, 1], offset: 2>>
    scf.reduce
  }
  return
}

// -----

// The check covers the whole chain, not only neighbours: the first loop's
// writes would reach the third through the second (which writes a buffer of
// its own), so the third stays apart. (They read a buffer of their own: an
// argument read after another is written may be the same buffer.)
// CHECK-LABEL: func.func @chain_writes
// CHECK: scf.parallel
// CHECK: memref.store %{{.+}}, %arg1[%[[I:.+]], %[[J:.+]]]
// CHECK: memref.store %{{.+}}, %[[T:.+]][%[[I]], %[[J]]]
// CHECK: scf.reduce
// CHECK: scf.parallel
// CHECK: memref.store %{{.+}}, %arg1[%[[J2:.+]], %[[I2:.+]]]
// CHECK: scf.reduce
func.func @chain_writes(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %out: memref<4x4xf32>) {
  %s = memref.alloc() : memref<4x4xf32>
  %t = memref.alloc() : memref<4x4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %s[%i, %j] : memref<4x4xf32>
    memref.store %v, %b[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %s[%i, %j] : memref<4x4xf32>
    memref.store %v, %t[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %s[%i, %j] : memref<4x4xf32>
    memref.store %v, %b[%j, %i] : memref<4x4xf32>
    scf.reduce
  }
  memref.dealloc %t : memref<4x4xf32>
  memref.dealloc %s : memref<4x4xf32>
  return
}

// -----

// Two result buffers (out-parameters: the arguments after those rev.abi
// lists) share no memory with each other or with the arguments, as the
// ABI's callers allocate them: the fill of %o1, the copy of it into %o0 and
// the two sums into them are one loop (the reductions' init read and the
// stores at the same element). Without rev.abi, two arguments may be one
// buffer, and the loops stay apart.
// CHECK-LABEL: func.func @out_params
// CHECK: scf.parallel
// CHECK-NOT: scf.parallel
// CHECK: return
// CHECK-LABEL: func.func @maybe_aliased
// CHECK-COUNT-4: scf.parallel
func.func @out_params(%a: memref<4x8xf32>, %o0: memref<8xf32>, %o1: memref<8xf32>)
    attributes {rev.abi = {args = [{name = "a", type = tensor<4x8xf32>}], results = [{name = "s", type = tensor<8xf32>}, {name = "t", type = tensor<8xf32>}]}} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %o1[%j] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %o1[%j] : memref<8xf32>
    memref.store %v, %o0[%j] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    scf.for %i = %c0 to %c4 step %c1 {
      %x = memref.load %a[%i, %j] : memref<4x8xf32>
      %s = memref.load %o0[%j] : memref<8xf32>
      %r = arith.addf %x, %s : f32
      memref.store %r, %o0[%j] : memref<8xf32>
    }
    scf.reduce
  }
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    scf.for %i = %c0 to %c4 step %c1 {
      %x = memref.load %a[%i, %j] : memref<4x8xf32>
      %s = memref.load %o1[%j] : memref<8xf32>
      %m = arith.mulf %x, %x : f32
      %r = arith.addf %m, %s : f32
      memref.store %r, %o1[%j] : memref<8xf32>
    }
    scf.reduce
  }
  return
}
func.func @maybe_aliased(%a: memref<4x8xf32>, %o0: memref<8xf32>, %o1: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %o1[%j] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %o1[%j] : memref<8xf32>
    memref.store %v, %o0[%j] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    scf.for %i = %c0 to %c4 step %c1 {
      %x = memref.load %a[%i, %j] : memref<4x8xf32>
      %s = memref.load %o0[%j] : memref<8xf32>
      %r = arith.addf %x, %s : f32
      memref.store %r, %o0[%j] : memref<8xf32>
    }
    scf.reduce
  }
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    scf.for %i = %c0 to %c4 step %c1 {
      %x = memref.load %a[%i, %j] : memref<4x8xf32>
      %s = memref.load %o1[%j] : memref<8xf32>
      %m = arith.mulf %x, %x : f32
      %r = arith.addf %m, %s : f32
      memref.store %r, %o1[%j] : memref<8xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A function declaration (a runtime function, say rev_check_failed): no
// body to fuse in (the pass read a block of the empty region).
// CHECK-LABEL: func.func private @declared(i64, i64)
func.func private @declared(i64, i64)
