// RUN: rev-opt %s -split-input-file --rev-gpu-dedup-kernels | FileCheck %s

// Two kernels that scale by 2.0 (the same body, other names) become one;
// the kernel that scales by 3.0 and the one on another type stay.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @k0
// CHECK-NOT: gpu.module @k1
// CHECK: gpu.module @k2
// CHECK: gpu.module @k3
// CHECK-LABEL: func.func @f
// CHECK: gpu.launch_func @k0::@k0
// CHECK: gpu.launch_func @k0::@k0
// CHECK: gpu.launch_func @k2::@k2
// CHECK: gpu.launch_func @k3::@k3
module attributes {gpu.container_module} {
  gpu.module @k0 {
    gpu.func @k0(%a: memref<8xf32>) kernel {
      %i = gpu.thread_id x
      %c = arith.constant 2.0 : f32
      %v = memref.load %a[%i] : memref<8xf32>
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%i] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k1 {
    gpu.func @k1(%b: memref<8xf32>) kernel {
      %j = gpu.thread_id x
      %c = arith.constant 2.0 : f32
      %v = memref.load %b[%j] : memref<8xf32>
      %w = arith.mulf %v, %c : f32
      memref.store %w, %b[%j] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k2 {
    gpu.func @k2(%a: memref<8xf32>) kernel {
      %i = gpu.thread_id x
      %c = arith.constant 3.0 : f32
      %v = memref.load %a[%i] : memref<8xf32>
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%i] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k3 {
    gpu.func @k3(%a: memref<4xf32>) kernel {
      %i = gpu.thread_id x
      %c = arith.constant 2.0 : f32
      %v = memref.load %a[%i] : memref<4xf32>
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%i] : memref<4xf32>
      gpu.return
    }
  }
  func.func @f(%x: memref<8xf32>, %y: memref<8xf32>, %z: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @k0::@k0 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%x : memref<8xf32>)
    gpu.launch_func @k1::@k1 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%y : memref<8xf32>)
    gpu.launch_func @k2::@k2 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%x : memref<8xf32>)
    gpu.launch_func @k3::@k3 blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%z : memref<4xf32>)
    return
  }
}

// -----

// A module with two functions is left alone.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @m0
// CHECK: gpu.module @m1
// CHECK: gpu.launch_func @m0::@a
// CHECK: gpu.launch_func @m1::@a
module attributes {gpu.container_module} {
  gpu.module @m0 {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
  gpu.module @m1 {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
  func.func @g() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @m0::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @m1::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
}
