//===- LibraryCalls.cpp - convolutions computed by the runtime's library --===//

#include "LibraryCallLowering.h"
#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVLIBRARYCALLS
#define GEN_PASS_DEF_REVLOWERLIBRARYCALLS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

bool isStaticF32(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32();
}

/// The kernels' parameters: pad top, bottom, left, right, stride H, W,
/// dilation H, W.
SmallVector<int64_t> convParams(ArrayRef<int64_t> pad, ArrayRef<int64_t> stride,
                                ArrayRef<int64_t> dilation) {
  SmallVector<int64_t> params(pad);
  llvm::append_range(params, stride);
  llvm::append_range(params, dilation);
  return params;
}

void replaceWithCall(IRRewriter &rewriter, Operation *op, StringRef callee,
                     ValueRange inputs, ArrayRef<int64_t> params) {
  rewriter.setInsertionPoint(op);
  auto call =
      rev::LibraryCallOp::create(rewriter, op->getLoc(), op->getResultTypes(),
                                 callee, inputs, ValueRange{}, params);
  rewriter.replaceOp(op, call.getResults());
}

/// The padding cuDNN computes a convolution with, which is the same on both
/// sides of each spatial dimension: the op's own, or, where the op pads less
/// after than before, the larger padding on both sides when that gives the
/// same output size (the windows are then the same, and the extra padding
/// is never read: PyTorch's stride-2 convolutions come out of the importer
/// so). `input` and `output` are NHWC shapes, `kernel` [F, KH, KW, C].
std::optional<SmallVector<int64_t>> cudnnPadding(ArrayRef<int64_t> pad,
                                                 ArrayRef<int64_t> stride,
                                                 ArrayRef<int64_t> dilation,
                                                 Value input, Value kernel,
                                                 Value output) {
  ArrayRef<int64_t> in = cast<ShapedType>(input.getType()).getShape();
  ArrayRef<int64_t> k = cast<ShapedType>(kernel.getType()).getShape();
  ArrayRef<int64_t> out = cast<ShapedType>(output.getType()).getShape();
  SmallVector<int64_t> symmetric;
  for (int d = 0; d < 2; ++d) {
    int64_t before = pad[2 * d], after = pad[2 * d + 1];
    if (after > before)
      return std::nullopt;
    int64_t extent = in[1 + d] + 2 * before - dilation[d] * (k[1 + d] - 1) - 1;
    if (extent < 0 || extent / stride[d] + 1 != out[1 + d])
      return std::nullopt;
    symmetric.append({before, before});
  }
  return symmetric;
}

struct RevLibraryCallsPass
    : public rev::impl::RevLibraryCallsBase<RevLibraryCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    bool cuda = library == rev::KernelLibraryKind::CUDA;
    IRRewriter rewriter(&getContext());
    // The padding the library computes with: any (oneDNN), or cuDNN's.
    auto padding = [&](ArrayRef<int64_t> pad, ArrayRef<int64_t> stride,
                       ArrayRef<int64_t> dilation, Value input, Value kernel,
                       Value output) -> std::optional<SmallVector<int64_t>> {
      if (!cuda)
        return SmallVector<int64_t>(pad);
      return cudnnPadding(pad, stride, dilation, input, kernel, output);
    };
    getOperation()->walk([&](Operation *op) {
      if (auto conv = dyn_cast<tosa::Conv2DOp>(op)) {
        // (a float convolution's zero points are 0, as TOSA requires)
        int64_t f = cast<RankedTensorType>(conv.getType()).getDimSize(3);
        if (!isStaticF32(conv.getInput()) || !isStaticF32(conv.getWeight()) ||
            !isStaticF32(conv.getBias()) || !isStaticF32(conv.getResult()) ||
            cast<RankedTensorType>(conv.getBias().getType()).getShape() !=
                ArrayRef<int64_t>{f})
          return;
        auto pad = padding(conv.getPad(), conv.getStride(), conv.getDilation(),
                           conv.getInput(), conv.getWeight(), conv.getResult());
        if (!pad)
          return;
        replaceWithCall(rewriter, op, "conv2d_forward_f32",
                        {conv.getInput(), conv.getWeight(), conv.getBias()},
                        convParams(*pad, conv.getStride(), conv.getDilation()));
      } else if (auto mm = dyn_cast<tosa::MatMulOp>(op)) {
        // (float zero points are 0, as TOSA requires)
        if (!isStaticF32(mm.getA()) || !isStaticF32(mm.getB()) ||
            !isStaticF32(mm.getResult()))
          return;
        replaceWithCall(rewriter, op, "matmul_f32", {mm.getA(), mm.getB()}, {});
      } else if (auto data = dyn_cast<rev::Conv2DBackwardDataOp>(op)) {
        if (!isStaticF32(data.getGrad()) || !isStaticF32(data.getWeight()))
          return;
        auto pad = padding(data.getPad(), data.getStride(), data.getDilation(),
                           data.getResult(), data.getWeight(), data.getGrad());
        if (!pad)
          return;
        replaceWithCall(rewriter, op, "conv2d_backward_data_f32",
                        {data.getGrad(), data.getWeight()},
                        convParams(*pad, data.getStride(), data.getDilation()));
      } else if (auto filter = dyn_cast<rev::Conv2DBackwardFilterOp>(op)) {
        if (!isStaticF32(filter.getInput()) || !isStaticF32(filter.getGrad()))
          return;
        auto pad =
            padding(filter.getPad(), filter.getStride(), filter.getDilation(),
                    filter.getInput(), filter.getResult(), filter.getGrad());
        if (!pad)
          return;
        replaceWithCall(
            rewriter, op, "conv2d_backward_filter_f32",
            {filter.getInput(), filter.getGrad()},
            convParams(*pad, filter.getStride(), filter.getDilation()));
      }
    });
  }
};

struct RevLowerLibraryCallsPass
    : public rev::impl::RevLowerLibraryCallsBase<RevLowerLibraryCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<rev::LibraryCallOp> calls;
    module.walk([&](rev::LibraryCallOp call) { calls.push_back(call); });
    IRRewriter rewriter(&getContext());
    for (rev::LibraryCallOp call : calls) {
      if (!call.getResults().empty()) {
        call.emitOpError("on tensors: bufferize before lowering it");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(call);
      SmallVector<Value> args =
          rev::libraryCallArguments(rewriter, call.getLoc(),
                                    llvm::to_vector(llvm::concat<Value>(
                                        call.getInputs(), call.getOutputs())),
                                    call.getParams());
      FailureOr<func::FuncOp> callee = rev::declareLibraryFunction(
          rewriter, call, ("rev_" + call.getCallee()).str(),
          ValueRange(args).getTypes());
      if (failed(callee))
        return signalPassFailure();
      func::CallOp::create(rewriter, call.getLoc(), *callee, args);
      rewriter.eraseOp(call);
    }
  }
};

} // namespace

/// memref<AxBxf32, any layout> -> memref<?x?xf32, strided<[?, ?], offset: ?>>.
static MemRefType erasedType(MemRefType type) {
  SmallVector<int64_t> dynamic(type.getRank(), ShapedType::kDynamic);
  return MemRefType::get(
      dynamic, type.getElementType(),
      StridedLayoutAttr::get(type.getContext(), ShapedType::kDynamic, dynamic));
}

SmallVector<Value> rev::libraryCallArguments(OpBuilder &builder, Location loc,
                                             ArrayRef<Value> buffers,
                                             ArrayRef<int64_t> params) {
  SmallVector<Value> args;
  for (Value buffer : buffers) {
    auto type = cast<MemRefType>(buffer.getType());
    // A static layout is restated with its offset, sizes and strides as
    // SSA constants (a restated static type would fold away), so that the
    // descriptor passed holds constants: the caller then needs only the
    // buffer's pointers (rev-drop-unused-arguments).
    SmallVector<int64_t> strides;
    int64_t offset;
    if (type.hasStaticShape() &&
        succeeded(type.getStridesAndOffset(strides, offset)) &&
        !ShapedType::isDynamic(offset) &&
        llvm::none_of(strides, ShapedType::isDynamic)) {
      auto index = [&](int64_t v) -> OpFoldResult {
        return arith::ConstantIndexOp::create(builder, loc, v).getResult();
      };
      SmallVector<OpFoldResult> sizes, steps;
      for (auto [size, stride] : llvm::zip(type.getShape(), strides)) {
        sizes.push_back(index(size));
        steps.push_back(index(stride));
      }
      args.push_back(memref::ReinterpretCastOp::create(
          builder, loc, erasedType(type), buffer, index(offset), sizes, steps));
      continue;
    }
    args.push_back(
        memref::CastOp::create(builder, loc, erasedType(type), buffer));
  }
  for (int64_t param : params)
    args.push_back(arith::ConstantIntOp::create(builder, loc, param, 64));
  return args;
}

FailureOr<func::FuncOp> rev::declareLibraryFunction(OpBuilder &builder,
                                                    Operation *call,
                                                    StringRef name,
                                                    TypeRange argTypes) {
  auto module = call->getParentOfType<ModuleOp>();
  auto type = builder.getFunctionType(argTypes, {});
  auto callee = module.lookupSymbol<func::FuncOp>(name);
  if (!callee) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(module.getBody());
    callee = func::FuncOp::create(builder, call->getLoc(), name, type);
    callee.setPrivate();
    callee->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  } else if (callee.getFunctionType() != type) {
    call->emitOpError() << "calls @" << name << " with the types " << type
                        << ", declared as " << callee.getFunctionType();
    return failure();
  }
  return callee;
}
