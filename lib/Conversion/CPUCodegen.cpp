//===- CPUCodegen.cpp - tile and vectorize linalg for CPUs ----------------===//

#include "rev/Analysis/Availability.h"
#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVCPUCODEGEN
#define GEN_PASS_DEF_REVHOISTVECTORTRANSFERS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// The largest divisor of `n` not above `cap`.
int64_t divisorAtMost(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, cap); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

bool hasStaticShapes(linalg::LinalgOp op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto s = dyn_cast<ShapedType>(t);
    return !s || s.hasStaticShape();
  });
}

/// conv_2d_nhwc_fhwc -> transpose the filter to [kH, kW, C, F] and use
/// conv_2d_nhwc_hwcf, whose output channels are contiguous in the filter.
FailureOr<linalg::Conv2DNhwcHwcfOp> toHWCF(IRRewriter &rewriter,
                                          linalg::Conv2DNhwcFhwcOp conv) {
  Value filter = conv.getInputs()[1];
  auto type = cast<RankedTensorType>(filter.getType());
  SmallVector<int64_t> shape = {type.getDimSize(1), type.getDimSize(2),
                                type.getDimSize(3), type.getDimSize(0)};
  rewriter.setInsertionPoint(conv);
  Location loc = conv.getLoc();
  Value empty = tensor::EmptyOp::create(rewriter, loc, shape,
                                        type.getElementType());
  Value transposed = linalg::TransposeOp::create(rewriter, loc, filter, empty,
                                                 ArrayRef<int64_t>{1, 2, 3, 0})
                         .getResult()[0];
  auto hwcf = linalg::Conv2DNhwcHwcfOp::create(
      rewriter, loc, conv.getResultTypes(),
      ValueRange{conv.getInputs()[0], transposed}, conv.getOutputs(),
      conv.getStrides(), conv.getDilations());
  rewriter.replaceOp(conv, hwcf.getResults());
  return hwcf;
}

/// A PatternRewriter to call patterns' returningMatchAndRewrite directly.
struct PatternRewriterAdaptor : public PatternRewriter {
  explicit PatternRewriterAdaptor(MLIRContext *ctx) : PatternRewriter(ctx) {}
};

/// Tiles `op` by `sizes` with loops of `loopType` (the op is not replaced).
FailureOr<scf::SCFTilingResult>
tileWith(IRRewriter &rewriter, TilingInterface op, ArrayRef<int64_t> sizes,
         scf::SCFTilingOptions::LoopType loopType) {
  scf::SCFTilingOptions options;
  options.setLoopType(loopType);
  SmallVector<OpFoldResult> tileSizes;
  for (int64_t s : sizes)
    tileSizes.push_back(rewriter.getIndexAttr(s));
  options.setTileSizes(tileSizes);
  rewriter.setInsertionPoint(op);
  return scf::tileUsingSCF(rewriter, op, options);
}

/// Tiles the leading dimensions of `op` by `sizes` (0: not tiled) with an
/// scf.forall, whose iterations are independent: rev-cpu-parallelize later
/// runs it on several threads where that pays. Returns the tile's op (or
/// `op` itself if it cannot be tiled).
Operation *distribute(IRRewriter &rewriter, Operation *op,
                      ArrayRef<int64_t> sizes) {
  auto tileable = dyn_cast<TilingInterface>(op);
  if (!tileable)
    return op;
  FailureOr<scf::SCFTilingResult> tiled = tileWith(
      rewriter, tileable, sizes, scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return op;
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.front();
}

/// Tiles `op` with `sizes` and vectorizes the tile. Leaves the op alone (it
/// is lowered to loops later) if either step does not apply.
void tileAndVectorize(IRRewriter &rewriter, Operation *op,
                      ArrayRef<int64_t> sizes, bool decomposeConv = false) {
  auto tileable = dyn_cast<TilingInterface>(op);
  if (!tileable)
    return;
  FailureOr<scf::SCFTilingResult> tiled = tileWith(
      rewriter, tileable, sizes, scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(tiled))
    return;
  rewriter.replaceOp(op, tiled->replacements);
  for (Operation *tile : tiled->tiledOps) {
    Operation *target = tile;
    if (decomposeConv) {
      // 1 x 1 x TW x TF tiles of a 2-D convolution are 1-D convolutions.
      if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(tile)) {
        PatternRewriterAdaptor patternRewriter(rewriter.getContext());
        patternRewriter.setInsertionPoint(conv);
        linalg::DownscaleSizeOneWindowed2DConvolution<linalg::Conv2DNhwcHwcfOp,
                                                      linalg::Conv1DNwcWcfOp>
            downscale(rewriter.getContext());
        FailureOr<linalg::Conv1DNwcWcfOp> conv1d =
            downscale.returningMatchAndRewrite(conv, patternRewriter);
        if (succeeded(conv1d))
          target = *conv1d;
      }
    }
    rewriter.setInsertionPoint(target);
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, target);
    if (succeeded(vectorized))
      rewriter.replaceOp(target, vectorized->replacements);
  }
}

/// Iterations below which an elementwise op or reduction keeps plain loops.
constexpr int64_t kMinVectorizedWork = 4096;

/// Elementwise ops and reductions (BatchNorm's statistics and their
/// gradients, bias gradients): the first parallel loop is distributed over
/// threads, the innermost loop (NHWC: the channels, contiguous) becomes
/// vectors of up to 64 lanes, every other loop steps by 1 (a reduction's
/// accumulator then stays in registers across its loop).
void vectorizeGeneric(IRRewriter &rewriter, linalg::GenericOp op) {
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  unsigned loops = bounds.size();
  // (float operands only: a vector of i1 read from a memref<...xi1>, whose
  // elements are bytes, becomes an LLVM load of a bit-packed <N x i1>, so a
  // vectorized select read wrong conditions: ONNX's test_where_example, and
  // a 64x128 tosa.select against numpy)
  auto isFloat = [](Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); };
  if (loops == 0 || op.getNumDpsInits() != 1 ||
      llvm::any_of(bounds, ShapedType::isDynamic) ||
      !llvm::all_of(op->getOperandTypes(), isFloat))
    return;
  // Small ops (BatchNorm's per-channel arithmetic) are not worth the
  // compile time that tiling and vectorizing them costs.
  int64_t work = 1;
  for (int64_t b : bounds)
    if ((work *= b) >= kMinVectorizedWork) // (no overflow: stops here)
      break;
  if (work < kMinVectorizedWork)
    return;
  auto iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> forall(loops, 0);
  for (unsigned d = 0; d + 1 < loops; ++d)
    if (iterators[d] == utils::IteratorType::parallel && bounds[d] > 1) {
      forall[d] = 1;
      break;
    }
  bool elementwise = op.getNumLoops() == op.getNumParallelLoops();
  Operation *tile = op;
  if (llvm::any_of(forall, [](int64_t s) { return s != 0; })) {
    tile = distribute(rewriter, op, forall);
    // (rev-rematerialize may repeat an elementwise loop nest)
    if (auto loop = tile->getParentOfType<scf::ForallOp>();
        loop && elementwise && tile != op.getOperation())
      loop->setAttr(rev::kElementwiseAttrName, rewriter.getUnitAttr());
  }
  SmallVector<int64_t> sizes(loops, 1);
  sizes.back() = divisorAtMost(bounds.back(), 64);
  tileAndVectorize(rewriter, tile, sizes);
}

struct RevCPUCodegenPass
    : public rev::impl::RevCPUCodegenBase<RevCPUCodegenPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    SmallVector<linalg::Conv2DNhwcFhwcOp> fhwc;
    func.walk([&](linalg::Conv2DNhwcFhwcOp conv) {
      if (hasStaticShapes(conv) &&
          cast<ShapedType>(conv.getType(0)).getElementType().isF32())
        fhwc.push_back(conv);
    });
    for (auto conv : fhwc)
      (void)toHWCF(rewriter, conv);

    SmallVector<Operation *> targets;
    func.walk([&](linalg::LinalgOp op) {
      if (hasStaticShapes(op) && op.hasPureTensorSemantics())
        targets.push_back(op);
    });
    for (Operation *op : targets) {
      if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op)) {
        auto out = cast<ShapedType>(conv.getType(0));
        int64_t ow = out.getDimSize(2), f = out.getDimSize(3);
        // 8 x 32 outputs: 16 AVX-512 accumulators (measured on the 3x3
        // 64->64 layer: 7x64 and 14x32 are within noise of it).
        int64_t tw = divisorAtMost(ow, 8), tf = divisorAtMost(f, 32);
        // (n, oh, ow, f, kh, kw, c): output rows are independent tasks.
        Operation *row = distribute(rewriter, op, {1, 1});
        tileAndVectorize(rewriter, row, {1, 1, tw, tf, 1, 1, 1},
                         /*decomposeConv=*/true);
        continue;
      }
      if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
        vectorizeGeneric(rewriter, generic);
        continue;
      }
      if (auto mm = dyn_cast<linalg::BatchMatmulOp>(op)) {
        auto out = cast<ShapedType>(mm.getType(0));
        int64_t m = out.getDimSize(1), n = out.getDimSize(2);
        // (b, m, n, k): blocks of TM rows are independent tasks.
        int64_t tm = divisorAtMost(m, 8);
        Operation *rows = distribute(rewriter, op, {1, tm});
        tileAndVectorize(rewriter, rows,
                         {1, tm, divisorAtMost(n, 32), 1});
        continue;
      }
    }

    // Keep accumulators in registers: a tile's read of the loop-carried
    // output at the start of a reduction loop and its write at the end move
    // out of the loop (innermost loops first).
    SmallVector<LoopLikeOpInterface> loops;
    func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (LoopLikeOpInterface loop : loops) {
      moveLoopInvariantCode(loop);
      (void)hoistLoopInvariantSubsets(rewriter, loop);
    }
  }
};

struct RevHoistVectorTransfersPass
    : public rev::impl::RevHoistVectorTransfersBase<
          RevHoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation());
  }
};

} // namespace
