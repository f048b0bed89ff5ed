// RUN: rev-opt %s --rev-drop-unused-arguments | FileCheck %s
// RUN: rev-opt %s --rev-drop-unused-arguments=keep-entry-symbols=1 | FileCheck %s --check-prefix=KEEP

// A private function that packs a descriptor from its arguments and reads
// only the aligned pointer: the other fields leave its signature and its
// calls, and the caller's unpacking of them goes.
// CHECK-LABEL: llvm.func internal @read(%{{.*}}: !llvm.ptr) -> f32
// CHECK-NOT: llvm.insertvalue
// CHECK: llvm.load
llvm.func internal @read(%alloc: !llvm.ptr, %aligned: !llvm.ptr, %offset: i64,
                         %size: i64, %stride: i64) -> f32 {
  %0 = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  %1 = llvm.insertvalue %alloc, %0[0] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  %2 = llvm.insertvalue %aligned, %1[1] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  %3 = llvm.insertvalue %offset, %2[2] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  %4 = llvm.insertvalue %size, %3[3, 0] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  %5 = llvm.insertvalue %stride, %4[4, 0] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  %p = llvm.extractvalue %5[1] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  %v = llvm.load %p : !llvm.ptr -> f32
  llvm.return %v : f32
}

// A function whose address is taken keeps its signature.
// CHECK-LABEL: llvm.func internal @pinned(%{{.*}}: !llvm.ptr, %{{.*}}: i64)
llvm.func internal @pinned(%p: !llvm.ptr, %unused: i64) {
  llvm.return
}

// Through a chain of calls: @middle only passes %size on to @read, which
// no longer takes it, so @middle stops taking it too.
// CHECK-LABEL: llvm.func internal @middle(%{{.*}}: !llvm.ptr) -> f32
// CHECK: llvm.call @read(%{{.*}}) : (!llvm.ptr) -> f32
llvm.func internal @middle(%alloc: !llvm.ptr, %aligned: !llvm.ptr, %size: i64) -> f32 {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %v = llvm.call @read(%alloc, %aligned, %c0, %size, %c1) : (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> f32
  llvm.return %v : f32
}

// A public function keeps its arguments, but its calls shrink.
// CHECK-LABEL: llvm.func @step(
// CHECK-SAME: %[[A:.*]]: !llvm.ptr, %[[B:.*]]: !llvm.ptr, %{{.*}}: i64)
// CHECK: llvm.call @middle(%[[B]]) : (!llvm.ptr) -> f32
// CHECK: %[[F:.*]] = llvm.mlir.addressof @pinned
// CHECK: llvm.call %[[F]](%[[A]], %{{.*}})
llvm.func @step(%alloc: !llvm.ptr, %aligned: !llvm.ptr, %size: i64) -> f32 {
  %v = llvm.call @middle(%alloc, %aligned, %size) : (!llvm.ptr, !llvm.ptr, i64) -> f32
  %f = llvm.mlir.addressof @pinned : !llvm.ptr
  llvm.call %f(%alloc, %size) : !llvm.ptr, (!llvm.ptr, i64) -> ()
  llvm.return %v : f32
}

// A public function with a C interface is called through its wrapper only:
// it becomes internal and takes what it reads; the wrapper loads that
// field alone.
// CHECK-LABEL: llvm.func internal @entry(%{{.*}}: !llvm.ptr) -> f32
// CHECK-LABEL: llvm.func @_mlir_ciface_entry(
// CHECK-NEXT: %[[FIELD:.*]] = llvm.getelementptr %arg0[0, 1]
// CHECK-NEXT: %[[ALIGNED:.*]] = llvm.load %[[FIELD]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: llvm.call @entry(%[[ALIGNED]]) : (!llvm.ptr) -> f32
// KEEP-LABEL: llvm.func @entry(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64) -> f32
// KEEP-LABEL: llvm.func @_mlir_ciface_entry(
// KEEP: llvm.call @entry(%{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, i64) -> f32
llvm.func @entry(%alloc: !llvm.ptr, %aligned: !llvm.ptr, %size: i64) -> f32 attributes {llvm.emit_c_interface} {
  %v = llvm.call @middle(%alloc, %aligned, %size) : (!llvm.ptr, !llvm.ptr, i64) -> f32
  llvm.return %v : f32
}
llvm.func @_mlir_ciface_entry(%d: !llvm.ptr) -> f32 attributes {llvm.emit_c_interface} {
  %s = llvm.load %d : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64)>
  %a = llvm.extractvalue %s[0] : !llvm.struct<(ptr, ptr, i64)>
  %b = llvm.extractvalue %s[1] : !llvm.struct<(ptr, ptr, i64)>
  %c = llvm.extractvalue %s[2] : !llvm.struct<(ptr, ptr, i64)>
  %v = llvm.call @entry(%a, %b, %c) : (!llvm.ptr, !llvm.ptr, i64) -> f32
  llvm.return %v : f32
}
