//===- LibraryCalls.cpp - convolutions computed by the runtime's library --===//

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVCPULIBRARYCALLS
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

struct RevCPULibraryCallsPass
    : public rev::impl::RevCPULibraryCallsBase<RevCPULibraryCallsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](Operation *op) {
      if (auto conv = dyn_cast<tosa::Conv2DOp>(op)) {
        // (a float convolution's zero points are 0, as TOSA requires)
        int64_t f = cast<RankedTensorType>(conv.getType()).getDimSize(3);
        if (!isStaticF32(conv.getInput()) || !isStaticF32(conv.getWeight()) ||
            !isStaticF32(conv.getBias()) || !isStaticF32(conv.getResult()) ||
            cast<RankedTensorType>(conv.getBias().getType()).getShape() !=
                ArrayRef<int64_t>{f})
          return;
        replaceWithCall(
            rewriter, op, "conv2d_forward_f32",
            {conv.getInput(), conv.getWeight(), conv.getBias()},
            convParams(conv.getPad(), conv.getStride(), conv.getDilation()));
      } else if (auto mm = dyn_cast<tosa::MatMulOp>(op)) {
        // (float zero points are 0, as TOSA requires)
        if (!isStaticF32(mm.getA()) || !isStaticF32(mm.getB()) ||
            !isStaticF32(mm.getResult()))
          return;
        replaceWithCall(rewriter, op, "matmul_f32", {mm.getA(), mm.getB()}, {});
      } else if (auto data = dyn_cast<rev::Conv2DBackwardDataOp>(op)) {
        if (!isStaticF32(data.getGrad()) || !isStaticF32(data.getWeight()))
          return;
        replaceWithCall(
            rewriter, op, "conv2d_backward_data_f32",
            {data.getGrad(), data.getWeight()},
            convParams(data.getPad(), data.getStride(), data.getDilation()));
      } else if (auto filter = dyn_cast<rev::Conv2DBackwardFilterOp>(op)) {
        if (!isStaticF32(filter.getInput()) || !isStaticF32(filter.getGrad()))
          return;
        replaceWithCall(rewriter, op, "conv2d_backward_filter_f32",
                        {filter.getInput(), filter.getGrad()},
                        convParams(filter.getPad(), filter.getStride(),
                                   filter.getDilation()));
      }
    });
  }
};

/// memref<AxBxf32, any layout> -> memref<?x?xf32, strided<[?, ?], offset: ?>>.
MemRefType erasedType(MemRefType type) {
  SmallVector<int64_t> dynamic(type.getRank(), ShapedType::kDynamic);
  return MemRefType::get(
      dynamic, type.getElementType(),
      StridedLayoutAttr::get(type.getContext(), ShapedType::kDynamic, dynamic));
}

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
      Location loc = call.getLoc();
      SmallVector<Value> args;
      for (Value buffer :
           llvm::concat<Value>(call.getInputs(), call.getOutputs())) {
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
            return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
          };
          SmallVector<OpFoldResult> sizes, steps;
          for (auto [size, stride] : llvm::zip(type.getShape(), strides)) {
            sizes.push_back(index(size));
            steps.push_back(index(stride));
          }
          args.push_back(memref::ReinterpretCastOp::create(
              rewriter, loc, erasedType(type), buffer, index(offset), sizes,
              steps));
          continue;
        }
        args.push_back(
            memref::CastOp::create(rewriter, loc, erasedType(type), buffer));
      }
      for (int64_t param : call.getParams())
        args.push_back(arith::ConstantIntOp::create(rewriter, loc, param, 64));
      std::string name = ("rev_" + call.getCallee()).str();
      auto type = rewriter.getFunctionType(ValueRange(args).getTypes(), {});
      auto callee = module.lookupSymbol<func::FuncOp>(name);
      if (!callee) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(module.getBody());
        callee = func::FuncOp::create(rewriter, loc, name, type);
        callee.setPrivate();
        callee->setAttr("llvm.emit_c_interface", rewriter.getUnitAttr());
      } else if (callee.getFunctionType() != type) {
        call.emitOpError() << "calls @" << name << " with the types " << type
                           << ", declared as " << callee.getFunctionType();
        return signalPassFailure();
      }
      func::CallOp::create(rewriter, loc, callee, args);
      rewriter.eraseOp(call);
    }
  }
};

} // namespace
