//===- ResultsToOutParams.cpp - out-parameters; segments hand over --------===//

#include "BufferOwnership.h"
#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevContract.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/BitVector.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVRESULTSTOOUTPARAMS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Whether a memref type can be an out-parameter (static, identity layout).
bool isPlainBuffer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// Makes the results of `segment` marked rev.out_param out-parameters
/// (appended to its arguments; the caller allocates them before each of
/// `calls`, which are replaced by the new calls).
void convertOutParams(func::FuncOp segment,
                      SmallVectorImpl<func::CallOp> &calls) {
  llvm::BitVector converted(segment.getNumResults());
  for (unsigned i = 0; i < segment.getNumResults(); ++i)
    if (segment.getResultAttr(i, rev::kOutParamAttrName) &&
        isPlainBuffer(segment.getResultTypes()[i]))
      converted.set(i);
  if (converted.none())
    return;
  Block &body = segment.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (unsigned i : converted.set_bits()) {
    Type type = segment.getResultTypes()[i];
    BlockArgument out = body.addArgument(type, segment.getLoc());
    Value v = ret.getOperand(i);
    auto alloc = v.getDefiningOp<memref::AllocOp>();
    if (alloc && alloc.getType() == type && alloc->getBlock() == &body) {
      // Computed in place (what hoist-static-allocs does upstream).
      alloc.getResult().replaceAllUsesWith(out);
      alloc.erase();
    } else {
      OpBuilder b(ret);
      memref::CopyOp::create(b, ret.getLoc(), v, out);
    }
  }
  SmallVector<Value> kept;
  for (auto [i, v] : llvm::enumerate(ret.getOperands()))
    if (!converted.test(i))
      kept.push_back(v);
  ret->setOperands(kept);
  SmallVector<Type> argTypes(body.getArgumentTypes());
  SmallVector<Type> resultTypes;
  for (auto [i, t] : llvm::enumerate(segment.getResultTypes()))
    if (!converted.test(i))
      resultTypes.push_back(t);
  SmallVector<DictionaryAttr> argAttrs, resultAttrs;
  segment.getAllArgAttrs(argAttrs);
  argAttrs.resize(argTypes.size(), DictionaryAttr::get(segment.getContext()));
  for (unsigned i = 0; i < segment.getNumResults(); ++i)
    if (!converted.test(i))
      resultAttrs.push_back(segment.getResultAttrDict(i)
                                ? segment.getResultAttrDict(i)
                                : DictionaryAttr::get(segment.getContext()));
  segment.setType(FunctionType::get(segment.getContext(), argTypes,
                                    resultTypes));
  segment.setAllArgAttrs(argAttrs);
  segment.setAllResultAttrs(resultAttrs);

  // The calls allocate the out-parameters.
  for (func::CallOp &call : calls) {
    OpBuilder b(call);
    SmallVector<Value> operands(call.getOperands());
    DenseMap<unsigned, Value> buffers;
    for (unsigned i : converted.set_bits()) {
      auto type = cast<MemRefType>(call.getResult(i).getType());
      buffers[i] = memref::AllocOp::create(b, call.getLoc(), type);
      operands.push_back(buffers[i]);
    }
    auto replacement =
        func::CallOp::create(b, call.getLoc(), segment, operands);
    replacement->setDiscardableAttrs(call->getDiscardableAttrDictionary());
    unsigned next = 0;
    for (auto [i, r] : llvm::enumerate(call.getResults()))
      r.replaceAllUsesWith(converted.test(i)
                               ? buffers[i]
                               : replacement.getResult(next++));
    call.erase();
    call = replacement;
  }
}

/// Makes each buffer that `segment` returns a fresh allocation of its own
/// (copying those that are arguments, constants, or views of a buffer that
/// another result already returns), so that its caller can own and free it.
void returnFreshBuffers(func::FuncOp segment) {
  Block &body = segment.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  llvm::DenseSet<Value> roots;
  OpBuilder b(ret);
  for (OpOperand &operand : ret->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type)
      continue;
    Value root = rev::ownedRoot(operand.get(), &body);
    if (root && root.getDefiningOp<memref::AllocOp>() &&
        roots.insert(root).second)
      continue;
    auto copy = memref::AllocOp::create(
        b, ret.getLoc(),
        MemRefType::get(type.getShape(), type.getElementType()));
    memref::CopyOp::create(b, ret.getLoc(), operand.get(), copy);
    Value fresh = copy.getResult();
    if (copy.getType() != type)
      fresh = memref::CastOp::create(b, ret.getLoc(), type, fresh);
    operand.set(fresh);
  }
}

struct RevResultsToOutParamsPass
    : public rev::impl::RevResultsToOutParamsBase<RevResultsToOutParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The calls of each segment, found in one walk (a walk per segment costs
    // seconds on a deep model).
    llvm::DenseMap<StringAttr, SmallVector<func::CallOp>> callsOf;
    module.walk([&](func::CallOp call) {
      callsOf[call.getCalleeAttr().getAttr()].push_back(call);
    });
    for (auto segment : module.getOps<func::FuncOp>()) {
      if (!segment->hasAttr(rev::kSegmentAttrName) || segment.isExternal())
        continue;
      SmallVector<func::CallOp> &calls = callsOf[segment.getSymNameAttr()];
      convertOutParams(segment, calls);
      returnFreshBuffers(segment);
      SmallVector<int64_t> handedOver;
      for (auto [i, type] : llvm::enumerate(segment.getResultTypes()))
        if (isa<MemRefType>(type))
          handedOver.push_back(i);
      for (func::CallOp call : calls)
        call->setAttr(rev::kOwnedResultsAttrName,
                      DenseI64ArrayAttr::get(&getContext(), handedOver));
    }
    // A buffer returned twice (a segment's out-parameter that the function
    // returns as two results, say) would be hoisted twice upstream, and its
    // allocation erased twice: the repeats are copies.
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal() || fn->hasAttr(rev::kSegmentAttrName))
        continue;
      fn.walk([](func::ReturnOp ret) {
        llvm::DenseSet<Value> seen;
        OpBuilder b(ret);
        for (OpOperand &operand : ret->getOpOperands()) {
          auto type = dyn_cast<MemRefType>(operand.get().getType());
          if (!type || seen.insert(operand.get()).second ||
              !type.hasStaticShape() || !type.getLayout().isIdentity())
            continue;
          auto copy = memref::AllocOp::create(b, ret.getLoc(), type);
          memref::CopyOp::create(b, ret.getLoc(), operand.get(), copy);
          operand.set(copy);
        }
      });
    }
    // Why a tape result stays (rev.kept_because, for the memory report)
    // means nothing on the out-parameter the result becomes, and the rev
    // dialect refuses it on arguments: dropped. (Entries lost it in
    // rev-annotate-abi; a private forward, as rev-run makes it when the
    // entry is @train_step, still has it when no segment is outlined.)
    for (auto fn : module.getOps<func::FuncOp>())
      for (unsigned i = 0; i < fn.getNumResults(); ++i)
        if (fn.getResultAttr(i, rev::kKeptBecauseAttr))
          fn.removeResultAttr(
              i, StringAttr::get(&getContext(), rev::kKeptBecauseAttr));
    bufferization::BufferResultsToOutParamsOpts options;
    options.filterFn = [](func::FuncOp *fn) {
      return !(*fn)->hasAttr(rev::kSegmentAttrName);
    };
    options.hoistStaticAllocs = true;
    options.modifyPublicFunctions = true;
    if (failed(bufferization::promoteBufferResultsToOutParams(module, options)))
      signalPassFailure();
  }
};

} // namespace
