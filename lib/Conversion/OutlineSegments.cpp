//===- OutlineSegments.cpp - split long functions at narrow points --------===//

#include "rev/Conversion/Passes.h"
#include "rev/Utils/Outline.h"
#include "BufferOwnership.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVOUTLINESEGMENTS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Bytes of a statically shaped tensor (1 for anything else: it still
/// counts as a crossing value).
int64_t bytesOf(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape() ||
      !shaped.getElementType().isIntOrFloat())
    return 1;
  return std::max<int64_t>(
      1, shaped.getNumElements() *
             ((shaped.getElementType().getIntOrFloatBitWidth() + 7) / 8));
}

/// How many ops after a place must have the shape of those after an earlier
/// cut for the place to count as repeating it.
constexpr int64_t kMatchOps = 16;

/// A hash of each op's shape: its name, attributes, operand and result
/// types, and where its operands come from (the distance back to the op
/// that defines one, if it is at most `window` ops back; a function
/// argument, a constant's value, or a value from farther away otherwise).
/// Two runs of ops that compute the same thing from values placed alike
/// (two blocks of a chain, with their own parameters) hash alike.
SmallVector<llvm::hash_code> opShapes(ArrayRef<Operation *> ops,
                                      int64_t window) {
  llvm::DenseMap<Operation *, int64_t> position;
  for (auto [i, op] : llvm::enumerate(ops))
    position[op] = i;
  SmallVector<llvm::hash_code> shapes;
  for (auto [i, op] : llvm::enumerate(ops)) {
    llvm::hash_code h = llvm::hash_combine(
        op->getName().getAsOpaquePointer(),
        op->getRawDictionaryAttrs().getAsOpaquePointer(), op->getNumRegions());
    for (Type t : op->getResultTypes())
      h = llvm::hash_combine(h, t.getAsOpaquePointer());
    for (Value v : op->getOperands()) {
      h = llvm::hash_combine(h, v.getType().getAsOpaquePointer());
      Operation *def = v.getDefiningOp();
      auto it = def ? position.find(def) : position.end();
      if (it != position.end() && int64_t(i) - it->second <= window)
        h = llvm::hash_combine(h, int64_t(i) - it->second);
      else if (def && def->hasTrait<OpTrait::ConstantLike>())
        h = llvm::hash_combine(
            h, def->getRawDictionaryAttrs().getAsOpaquePointer());
      else
        h = llvm::hash_combine(h, -1);
    }
    shapes.push_back(h);
  }
  return shapes;
}

struct RevOutlineSegmentsPass
    : public rev::impl::RevOutlineSegmentsBase<RevOutlineSegmentsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs)
      if (!func.isExternal() && func.getBody().hasOneBlock())
        split(func, symbols);
  }

  void split(func::FuncOp func, SymbolTable &symbols) {
    Block &body = func.getBody().front();
    // The ops that move (constants are cloned where used, the terminator
    // stays), and their positions.
    SmallVector<Operation *> ops;
    llvm::DenseMap<Operation *, int64_t> position;
    for (Operation &op : body.without_terminator()) {
      if (op.hasTrait<OpTrait::ConstantLike>())
        continue;
      position[&op] = ops.size();
      ops.push_back(&op);
    }
    int64_t n = ops.size();
    int64_t size = std::max<int64_t>(segmentOps, 2);
    if (n <= 2 * size)
      return;
    // crossing[p]: bytes of the values defined at or before op p that are
    // used after it (uses by the terminator do not count: such a value
    // leaves its segment as a result whatever the cut).
    SmallVector<int64_t> delta(n + 1, 0);
    for (auto [i, op] : llvm::enumerate(ops))
      for (Value v : op->getResults()) {
        int64_t last = i;
        for (Operation *user : v.getUsers()) {
          Operation *top = body.findAncestorOpInBlock(*user);
          auto it = top ? position.find(top) : position.end();
          if (it != position.end())
            last = std::max(last, it->second);
        }
        if (last > int64_t(i)) {
          delta[i] += bytesOf(v.getType());
          delta[last] -= bytesOf(v.getType());
        }
      }
    SmallVector<int64_t> crossing(n);
    int64_t running = 0;
    for (int64_t p = 0; p < n; ++p)
      crossing[p] = running += delta[p];

    // Cut after the narrowest op in [start + size/2, start + 3 size), and
    // among those where the ops that follow are the ops that followed an
    // earlier cut, if any: a chain of blocks is then cut at the same places
    // in every block. (The narrowest point alone drifts: it differs by a few
    // bytes from block to block, and segments cut there repeat with a period
    // of several blocks, or not at all.)
    SmallVector<llvm::hash_code> shape = opShapes(ops, 2 * size);
    SmallVector<llvm::hash_code> following(n); // the shape of the ops after p
    for (int64_t p = 0; p < n; ++p) {
      llvm::hash_code h = llvm::hash_value(0);
      for (int64_t k = p + 1; k < std::min(n, p + 1 + kMatchOps); ++k)
        h = llvm::hash_combine(h, shape[k]);
      following[p] = h;
    }
    llvm::DenseSet<llvm::hash_code> cutBefore;
    SmallVector<std::pair<int64_t, int64_t>> segments;
    int64_t start = 0;
    while (n - start > 2 * size) {
      int64_t first = start + size / 2 - 1;
      int64_t end = std::min(start + 3 * size, n - 1);
      int64_t best = -1;
      bool bestRepeats = false;
      for (int64_t p = first; p < end; ++p) {
        bool repeats = cutBefore.contains(following[p]);
        if (best < 0 || (repeats && !bestRepeats) ||
            (repeats == bestRepeats && crossing[p] < crossing[best])) {
          best = p;
          bestRepeats = repeats;
        }
      }
      cutBefore.insert(following[best]);
      segments.push_back({start, best});
      start = best + 1;
    }
    segments.push_back({start, n - 1});

    unsigned counter = 0;
    SmallVector<func::FuncOp> outlined;
    for (auto [first, last] : segments) {
      ArrayRef<Operation *> run(ops.begin() + first, ops.begin() + last + 1);
      outlined.push_back(rev::outlineOps(
          func, run, (func.getName() + "_segment" + Twine(counter++)).str(),
          symbols));
      ++numSegments;
    }
    // A segment's results that the function returns become out-parameters
    // (computed in place in the caller's buffers, which live to the end
    // anyway: the tape, gradients); the others stay results, which
    // bufferization hands over to the caller (rev-results-to-out-params,
    // rev-pass-ownership).
    MLIRContext *ctx = &getContext();
    llvm::DenseMap<StringAttr, func::CallOp> callOf;
    for (auto call : body.getOps<func::CallOp>())
      callOf[call.getCalleeAttr().getAttr()] = call;
    for (func::FuncOp segment : outlined) {
      segment->setAttr(rev::kSegmentAttrName, UnitAttr::get(ctx));
      func::CallOp call = callOf.lookup(segment.getSymNameAttr());
      for (OpResult r : call->getResults())
        if (llvm::any_of(r.getUsers(), [](Operation *user) {
              return isa<func::ReturnOp>(user);
            }))
          segment.setResultAttr(r.getResultNumber(), rev::kOutParamAttrName,
                                UnitAttr::get(ctx));
    }
  }
};

} // namespace
