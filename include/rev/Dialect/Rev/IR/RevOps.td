//===- RevOps.td - rev dialect operations ------------------*- tablegen -*-===//

#ifndef REV_DIALECT_REV_IR_REVOPS_TD
#define REV_DIALECT_REV_IR_REVOPS_TD

include "rev/Dialect/Rev/IR/RevBase.td"
include "rev/Interfaces/InvertibleOpInterface.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/Dialect/GPU/IR/GPUBase.td"

def Rev_RankedFloatTensor : RankedTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// rev.coupling
//===----------------------------------------------------------------------===//

def Rev_CouplingOp : Rev_Op<"coupling", [
    RecursiveMemoryEffects, RecursivelySpeculatable,
    AllTypesMatch<["x1", "y1"]>, AllTypesMatch<["x2", "y2"]>,
    DeclareOpInterfaceMethods<InvertibleOpInterface>,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "additive coupling: y1 = x1 + F(x2), y2 = x2 + G(y1)";
  let description = [{
    An additive coupling block (NICE; RevNet, Gomez et al. 2017). The input is
    given as two parts `x1` and `x2` (usually the two halves of a channel
    split) and the block computes

    ```
    y1 = x1 + F(x2)
    y2 = x2 + G(y1)
    ```

    `F` and `G` are arbitrary computations given as single-block regions that
    end in `rev.yield`: `F` takes one argument of the type of `x2` and yields
    a value of the type of `x1`; `G` takes one argument of the type of `y1`
    and yields a value of the type of `x2`. The regions may use values defined
    above the op (weights, constants) but must not depend on `x1` or `x2`
    other than through their argument.

    The block is invertible whatever `F` and `G` are:

    ```
    x2 = y2 - G(y1)
    x1 = y1 - F(x2)
    ```

    Example:

    ```mlir
    %y1, %y2 = rev.coupling %x1, %x2 : tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>
      f {
      ^bb0(%a: tensor<1x8x8x4xf32>):
        %r = tosa.tanh %a : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
        rev.yield %r : tensor<1x8x8x4xf32>
      } g {
      ^bb0(%b: tensor<1x8x8x4xf32>):
        %r = tosa.sigmoid %b : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
        rev.yield %r : tensor<1x8x8x4xf32>
      }
    ```
  }];

  let arguments = (ins Rev_RankedFloatTensor:$x1, Rev_RankedFloatTensor:$x2);
  let results = (outs Rev_RankedFloatTensor:$y1, Rev_RankedFloatTensor:$y2);
  let regions = (region SizedRegion<1>:$f, SizedRegion<1>:$g);

  let assemblyFormat = [{
    $x1 `,` $x2 attr-dict `:` type($x1) `,` type($x2) `f` $f `g` $g
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;

  let extraClassDeclaration = [{
    /// The value yielded by the F region.
    ::mlir::Value getFResult();
    /// The value yielded by the G region.
    ::mlir::Value getGResult();
  }];
}

//===----------------------------------------------------------------------===//
// rev.affine_coupling
//===----------------------------------------------------------------------===//

def Rev_AffineCouplingOp : Rev_Op<"affine_coupling", [
    RecursiveMemoryEffects, RecursivelySpeculatable,
    AllTypesMatch<["x1", "y1"]>, AllTypesMatch<["x2", "y2"]>,
    DeclareOpInterfaceMethods<InvertibleOpInterface>,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "affine coupling: y1 = x1, y2 = x2 * S(x1) + T(x1)";
  let description = [{
    An affine coupling block (RealNVP, Glow). The region computes the scale
    `S` and the shift `T` from `x1`, and the block computes

    ```
    y1 = x1
    y2 = x2 * S(x1) + T(x1)
    ```

    The region takes one argument of the type of `x1` and yields two values
    (`S`, then `T`) of the type of `x2`. `S` must be nonzero for the block to
    be invertible (e.g. a sigmoid or an exponential): the inverse is

    ```
    x1 = y1
    x2 = (y2 - T(y1)) / S(y1)
    ```

    Example:

    ```mlir
    %y1, %y2 = rev.affine_coupling %x1, %x2 : tensor<2x4xf32>, tensor<2x4xf32>
      st {
      ^bb0(%a: tensor<2x4xf32>):
        %s = tosa.sigmoid %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
        %t = tosa.tanh %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
        rev.yield %s, %t : tensor<2x4xf32>, tensor<2x4xf32>
      }
    ```
  }];

  let arguments = (ins Rev_RankedFloatTensor:$x1, Rev_RankedFloatTensor:$x2);
  let results = (outs Rev_RankedFloatTensor:$y1, Rev_RankedFloatTensor:$y2);
  let regions = (region SizedRegion<1>:$st);

  let assemblyFormat = [{
    $x1 `,` $x2 attr-dict `:` type($x1) `,` type($x2) `st` $st
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;

  let extraClassDeclaration = [{
    ::mlir::Value getScale();
    ::mlir::Value getShift();
  }];
}

//===----------------------------------------------------------------------===//
// rev.check_range
//===----------------------------------------------------------------------===//

def Rev_CheckRangeOp : Rev_Op<"check_range", [
    AllTypesMatch<["input", "result"]>,
    MemoryEffects<[MemWrite]>]> {
  let summary = "checks at run time that integer indices lie in a range";
  let description = [{
    Returns `input` when every element lies in `[lower, upper)`. Otherwise
    the call of the compiled function fails: its caller (rev-run, the
    ahead-of-time library) reports `what`, the range and an offending value,
    and the result holds the input clamped to the range, so that the ops
    that index with it never read out of bounds before the call returns.

    The importer checks the indices of a Gather that are known only at run
    time; `rev-differentiate` checks cross-entropy labels against the number
    of classes. `rev-expand-checks` lowers the op (or, with `report=false`,
    only clamps or drops it).

    ```mlir
    %ok = rev.check_range %labels in [0, 10) "labels of the cross-entropy loss" : tensor<32xi64>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnySignlessInteger]>:$input,
                       I64Attr:$lower, I64Attr:$upper, StrAttr:$what);
  let results = (outs RankedTensorOf<[AnySignlessInteger]>:$result);
  let assemblyFormat = [{
    $input `in` ` ` `[` $lower `,` $upper `)` $what attr-dict `:` type($input)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "int64_t":$lower, "int64_t":$upper,
                   "::llvm::StringRef":$what), [{
      build($_builder, $_state, input.getType(), input, lower, upper, what);
    }]>
  ];
  let extraClassDeclaration = [{
    /// The bounds as signed numbers (I64Attr's getters return uint64_t).
    int64_t getLowerBound() { return getLowerAttr().getInt(); }
    int64_t getUpperBound() { return getUpperAttr().getInt(); }
  }];
  let hasVerifier = 1;
}

def Rev_ReportRangeOp : Rev_Op<"report_range", [
    AllTypesMatch<["min", "max"]>,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<BufferizableOpInterface,
        ["bufferizesToMemoryRead", "bufferizesToMemoryWrite",
         "getAliasingValues", "bufferize"]>]> {
  let summary = "reports a failed run-time check to the caller";
  let description = [{
    `min` and `max` are the smallest and largest elements of the indices of
    run-time check number `check` (`rev.check_id`, the index into the
    module's `rev.checks`). When `min < lower` or `max >= upper`, the
    compiled function's caller learns, after the call, that the check
    failed, with `min` when it lies below the range, else `max`.
    `rev-expand-checks` creates the op (on tensors; bufferization gives it
    buffers) from `rev.check_range`. On the CPU, `rev-lower-check-reports`
    turns it into a comparison and a call of `rev_check_failed(check,
    value)`; on the GPU, where the host would have to wait for the kernels to
    read the values, `rev-gpu-prepare` turns it into a library call on the
    stream (`rev_cuda_check_range_i<N>`: copies the two values to the host
    in stream order; the runtime compares them once the step is done).

    ```mlir
    rev.report_range 0 : %min, %max in [0, 10) : tensor<i64>
    ```
  }];
  let arguments = (ins
      AnyTypeOf<[0DTensorOf<[AnySignlessInteger]>,
                 MemRefRankOf<[AnySignlessInteger], [0]>]>:$min,
      AnyTypeOf<[0DTensorOf<[AnySignlessInteger]>,
                 MemRefRankOf<[AnySignlessInteger], [0]>]>:$max,
      I64Attr:$lower, I64Attr:$upper, I64Attr:$check);
  let assemblyFormat = [{
    $check `:` $min `,` $max `in` ` ` `[` $lower `,` $upper `)` attr-dict
    `:` type($min)
  }];
  let extraClassDeclaration = [{
    /// The bounds as signed numbers (I64Attr's getters return uint64_t).
    int64_t getLowerBound() { return getLowerAttr().getInt(); }
    int64_t getUpperBound() { return getUpperAttr().getInt(); }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// rev.random_stream, rev.dropout
//===----------------------------------------------------------------------===//

def Rev_RandomStreamOp : Rev_Op<"random_stream", [Pure]> {
  let summary = "names one stream of counter-based random numbers";
  let description = [{
    Returns `[seed, stream]`: the key and the upper half of the counter of
    the Philox4x32-10 generator that the ops reading the result (such as
    `rev.dropout`) draw from. Nothing is stateful: the same seed and stream
    give the same numbers wherever they are drawn, so the backward of a
    training step, a recomputation and an inversion regenerate the
    forward's random numbers exactly.

    The ONNX importer gives the k-th Dropout node of the file (counting
    from 0, in the order of the file's nodes, inference ones included)
    stream k; `seed` is the imported function's `dropout_seed` argument. The op sits at the top of
    the function, so that blocks that differ only in their stream still
    look alike to `rev-outline-segments`.

    ```mlir
    %s3 = rev.random_stream %seed[3] : tensor<i64> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins 0DTensorOf<[I64]>:$seed, I64Attr:$stream);
  let results = (outs 1DTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $seed `[` $stream `]` attr-dict `:` type($seed) `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$seed, "int64_t":$stream)>
  ];
  let hasVerifier = 1;
}

def Rev_DropoutOp : Rev_Op<"dropout", [
    Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "training-mode dropout with a replayable mask";
  let description = [{
    Zeroes each element of `input` with probability `ratio` and scales the
    others by `1 / (1 - ratio)` (PyTorch's and ONNX's training-mode
    Dropout), with the mask drawn from `stream` (a `rev.random_stream`):
    element `i` (its row-major position in `input`) is kept when
    `(r >> 8) >= ceil(ratio * 2^24)`, where `r` is the first word of
    Philox4x32-10 with key `(lo(seed), hi(seed))` and counter
    `(lo(i), hi(i), lo(stream), hi(stream))` (32-bit halves). The scale is
    `1 / (1 - ratio)` computed in double precision, rounded to the element
    type.

    The mask is a function of the seed, the stream and the position only,
    so the op is pure: recomputing it (in the backward, in a checkpointed
    or inverted block) gives the same mask, and its derivative is the same
    op applied to the cotangent. `rev-lower-random` writes it as a
    `linalg.generic`. `ratio = 0` folds to `input`.

    ```mlir
    %y = rev.dropout %x, %s3 {ratio = 1.000000e-01 : f64} : tensor<2x17x16xf32>, tensor<2xi64>
    ```
  }];
  let arguments = (ins Rev_RankedFloatTensor:$input,
                       1DTensorOf<[I64]>:$stream, F64Attr:$ratio);
  let results = (outs Rev_RankedFloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $stream attr-dict `:` type($input) `,` type($stream)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$stream,
                   "double":$ratio), [{
      build($_builder, $_state, input.getType(), input, stream,
            $_builder.getF64FloatAttr(ratio));
    }]>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// rev.conv2d_backward_data, rev.conv2d_backward_filter
//===----------------------------------------------------------------------===//

class Rev_Conv2DGradientOp<string mnemonic> : Rev_Op<mnemonic, [Pure]> {
  let results = (outs Rev_RankedFloatTensor:$result);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The TOSA ops that compute the same result (zero-stuffing, padding,
    /// transposes and a tosa.conv2d), built before this op.
    ::mlir::Value decompose(::mlir::OpBuilder &builder);
  }];
}

def Rev_Conv2DBackwardDataOp : Rev_Conv2DGradientOp<"conv2d_backward_data"> {
  let summary = "the gradient of tosa.conv2d with respect to its input";
  let description = [{
    For `y = tosa.conv2d(x, weight)` with the same `pad` (top, bottom, left,
    right), `stride` and `dilation`, returns the cotangent of `x` (NHWC, the
    result type) given the cotangent `grad` of `y` (NHWC): what
    `rev-differentiate` emits, so that targets with a convolution library
    call its backward-data kernel. `rev-decompose-conv-gradients` writes it
    as TOSA (a convolution of the zero-stuffed, padded `grad` with the
    flipped kernel whose channels are swapped).

    ```mlir
    %dx = rev.conv2d_backward_data %dy, %w {pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<8x16x16x32xf32>, tensor<32x3x3x16xf32>) -> tensor<8x16x16x16xf32>
    ```
  }];
  let arguments = (ins Rev_RankedFloatTensor:$grad,
                       Rev_RankedFloatTensor:$weight,
                       DenseI64ArrayAttr:$pad, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$dilation);
  let assemblyFormat = [{
    $grad `,` $weight attr-dict `:` `(` type($grad) `,` type($weight) `)`
    `->` type($result)
  }];
}

def Rev_Conv2DBackwardFilterOp
    : Rev_Conv2DGradientOp<"conv2d_backward_filter"> {
  let summary = "the gradient of tosa.conv2d with respect to its weight";
  let description = [{
    For `y = tosa.conv2d(input, w)` with the same `pad`, `stride` and
    `dilation`, returns the cotangent of `w` ([F, KH, KW, C], the result
    type) given the input (NHWC) and the cotangent `grad` of `y` (NHWC).
    `rev-decompose-conv-gradients` writes it as TOSA (a convolution over
    the batch of the transposed, padded input with the transposed `grad` as
    its kernel).

    ```mlir
    %dw = rev.conv2d_backward_filter %x, %dy {pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<8x16x16x16xf32>, tensor<8x16x16x32xf32>) -> tensor<32x3x3x16xf32>
    ```
  }];
  let arguments = (ins Rev_RankedFloatTensor:$input,
                       Rev_RankedFloatTensor:$grad,
                       DenseI64ArrayAttr:$pad, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$dilation);
  let assemblyFormat = [{
    $input `,` $grad attr-dict `:` `(` type($input) `,` type($grad) `)`
    `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// rev.library_call
//===----------------------------------------------------------------------===//

def Rev_LibraryCallOp : Rev_Op<"library_call", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<BufferizableOpInterface,
        ["bufferizesToMemoryRead", "bufferizesToMemoryWrite",
         "getAliasingValues", "bufferize"]>]> {
  let summary = "a kernel of rev's runtime library (oneDNN; cuDNN, cuBLAS)";
  let description = [{
    Computes its results with the runtime function `rev_<callee>`: on
    tensors, `inputs` go in and `results` come out; after bufferization
    (each result a new buffer) the results are the `outputs` buffers the
    kernel writes. `params` are integer parameters (pads, strides, ...).
    `rev-lower-library-calls` turns the buffer form into a `func.call` of
    `rev_<callee>` with `llvm.emit_c_interface` (the runtime defines
    `_mlir_ciface_rev_<callee>`, taking a pointer to each buffer's
    descriptor, then the parameters as `int64_t`). `rev-library-calls`
    creates these ops for the convolutions the runtime's library computes.

    ```mlir
    %y = rev.library_call "conv2d_forward_f32" ins(%x, %w, %b : tensor<8x16x16x16xf32>, tensor<32x3x3x16xf32>, tensor<32xf32>) {params = array<i64: 1, 1, 1, 1, 1, 1, 1, 1>} -> tensor<8x16x16x32xf32>
    rev.library_call "conv2d_forward_f32" ins(%xb, %wb, %bb : memref<8x16x16x16xf32>, memref<32x3x3x16xf32>, memref<32xf32>) outs(%yb : memref<8x16x16x32xf32>) {params = array<i64: 1, 1, 1, 1, 1, 1, 1, 1>}
    ```
  }];
  let arguments = (ins StrAttr:$callee, Variadic<AnyShaped>:$inputs,
                       Variadic<AnyMemRef>:$outputs,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$params);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $callee (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    (`outs` `(` $outputs^ `:` type($outputs) `)`)? attr-dict
    (`->` type($results)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// rev.gpu_library_call
//===----------------------------------------------------------------------===//

def Rev_GPULibraryCallOp : Rev_Op<"gpu_library_call", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    GPU_AsyncOpInterface]> {
  let summary = "a kernel of a GPU library (cuDNN, cuBLAS), on the stream";
  let description = [{
    The GPU form of `rev.library_call` on buffers (device memory): the
    runtime function `rev_cuda_<callee>` reads the `inputs` and writes the
    `outputs` on the stream of the launches around it. It is a GPU
    asynchronous operation (`gpu::AsyncOpInterface`), so that
    `gpu-async-region` chains it on the stream token like a kernel launch
    instead of making the host wait before it. `rev-gpu-prepare` creates
    it from `rev.library_call`; `rev-gpu-lower-library-calls`, after
    `gpu-async-region`, turns it into a `func.call` of `rev_cuda_<callee>`
    whose first argument is the stream (the token's stream after
    `gpu-to-llvm`), then the buffers' descriptors, then `params`. A call
    without outputs reports to the runtime (`check_range_i<N>`, from
    `rev.report_range`): it is kept although it writes no buffer.

    ```mlir
    %t1 = rev.gpu_library_call "conv2d_forward_f32" [%t0] ins(%x, %w, %b : memref<8x16x16x16xf32>, memref<32x3x3x16xf32>, memref<32xf32>) outs(%y : memref<8x16x16x32xf32>) {params = array<i64: 1, 1, 1, 1, 1, 1, 1, 1, 0>} -> !gpu.async.token
    ```
  }];
  let arguments = (ins Variadic<GPU_AsyncToken>:$asyncDependencies,
                       StrAttr:$callee, Variadic<AnyMemRef>:$inputs,
                       Variadic<AnyMemRef>:$outputs,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$params);
  let results = (outs Optional<GPU_AsyncToken>:$asyncToken);
  let assemblyFormat = [{
    $callee (`[` $asyncDependencies^ `]`)?
    (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    (`outs` `(` $outputs^ `:` type($outputs) `)`)? attr-dict
    (`->` type($asyncToken)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// rev.yield
//===----------------------------------------------------------------------===//

def Rev_YieldOp : Rev_Op<"yield", [
    Pure, ReturnLike, Terminator,
    ParentOneOf<["CouplingOp", "AffineCouplingOp"]>]> {
  let summary = "yields the value(s) of a coupling's F, G or S/T region";
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // REV_DIALECT_REV_IR_REVOPS_TD
