//===- RevKernels.cpp - convolutions of rev's CPU runtime (oneDNN) --------===//
//
// See RevKernels.h. Activations stay NHWC (oneDNN's `nhwc`: no transposes
// between layers); the weights go to and from the layout oneDNN's kernel
// chooses (small reorders). Scratch memory is the caller's (user scratchpad
// mode), from the allocator rev-run counts.
//
//===----------------------------------------------------------------------===//

#include "RevKernels.h"

#include <dnnl.hpp>

#include <dlfcn.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr memory::data_type kF32 = memory::data_type::f32;

enum class Kind { Forward, BackwardData, BackwardFilter };

//===----------------------------------------------------------------------===//
// Temporary buffers and failures
//===----------------------------------------------------------------------===//

void *defaultAlloc(uint64_t alignment, uint64_t size) {
  size = (size + alignment - 1) / alignment * alignment;
  return std::aligned_alloc(alignment, size ? size : alignment);
}

void *(*allocHook)(uint64_t, uint64_t) = defaultAlloc;
void (*freeHook)(void *) = std::free;

/// A temporary buffer from the hooks, freed at scope exit.
struct Buffer {
  void *data = nullptr;
  explicit Buffer(size_t bytes) {
    if (bytes && !(data = allocHook(64, bytes)))
      throw std::bad_alloc();
  }
  ~Buffer() {
    if (data)
      freeHook(data);
  }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
};

std::mutex failureMutex;
bool failed = false;
std::string failure;

void recordFailure(const char *kernel, const char *what) {
  std::lock_guard<std::mutex> lock(failureMutex);
  if (failed)
    return;
  failed = true;
  failure = std::string(kernel) + ": " + what;
}

//===----------------------------------------------------------------------===//
// Primitives, one per shape
//===----------------------------------------------------------------------===//

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

/// The plan made by `make(key)` for `key`, made on first use and kept.
template <typename Key, typename Plan, typename Make>
Plan &cachedPlan(const Key &key, Make make) {
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<Plan>> plans;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<Plan> &plan = plans[key];
  if (!plan)
    plan = make(key);
  return *plan;
}

struct Key {
  Kind kind;
  std::array<int64_t, 4> x, w, y; // NHWC, [F, KH, KW, C], NHWC
  std::array<int64_t, 8> params;
  bool operator<(const Key &o) const {
    return std::tie(kind, x, w, y, params) <
           std::tie(o.kind, o.x, o.w, o.y, o.params);
  }
};

struct Plan {
  dnnl::primitive primitive;
  memory::desc x, w, y, bias, scratch; // the primitive's layouts
  dnnl::reorder weightsReorder;        // from (to: filter) dense [F, KH, KW, C]
  memory::desc denseWeights;
};

memory::dims logicalNCHW(const std::array<int64_t, 4> &nhwc) {
  return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
}

std::unique_ptr<Plan> makePlan(const Key &key) {
  dnnl::engine &engine = cpuEngine();
  const auto &p = key.params;
  memory::dims strides = {p[4], p[5]}, dilates = {p[6] - 1, p[7] - 1},
               padL = {p[0], p[2]}, padR = {p[1], p[3]};
  memory::dims xd = logicalNCHW(key.x), yd = logicalNCHW(key.y),
               wd = {key.w[0], key.w[3], key.w[1], key.w[2]};
  memory::desc x(xd, kF32, Tag::nhwc), y(yd, kF32, Tag::nhwc),
      wAny(wd, kF32, Tag::any), bias({key.w[0]}, kF32, Tag::a);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  auto plan = std::make_unique<Plan>();
  plan->x = x;
  plan->y = y;
  plan->bias = bias;
  plan->denseWeights = memory::desc(wd, kF32, Tag::ohwi);
  using namespace dnnl;
  convolution_forward::primitive_desc forward(
      convolution_forward::desc(
          prop_kind::forward_training, algorithm::convolution_direct, x, wAny,
          key.kind == Kind::Forward ? bias : memory::desc(), y, strides,
          dilates, padL, padR),
      attr, engine);
  if (key.kind == Kind::Forward) {
    plan->primitive = convolution_forward(forward);
    plan->w = forward.weights_desc();
    plan->scratch = forward.scratchpad_desc();
  } else if (key.kind == Kind::BackwardData) {
    convolution_backward_data::primitive_desc data(
        convolution_backward_data::desc(algorithm::convolution_direct, x, wAny,
                                        y, strides, dilates, padL, padR),
        attr, engine, forward);
    plan->primitive = convolution_backward_data(data);
    plan->w = data.weights_desc();
    plan->scratch = data.scratchpad_desc();
  } else {
    convolution_backward_weights::primitive_desc filter(
        convolution_backward_weights::desc(algorithm::convolution_direct, x,
                                           wAny, y, strides, dilates, padL,
                                           padR),
        attr, engine, forward);
    plan->primitive = convolution_backward_weights(filter);
    plan->w = filter.diff_weights_desc();
    plan->scratch = filter.scratchpad_desc();
  }
  if (plan->w != plan->denseWeights)
    plan->weightsReorder =
        key.kind == Kind::BackwardFilter
            ? reorder(reorder::primitive_desc(engine, plan->w, engine,
                                              plan->denseWeights))
            : reorder(reorder::primitive_desc(engine, plan->denseWeights,
                                              engine, plan->w));
  return plan;
}

//===----------------------------------------------------------------------===//
// Buffers in the layouts the primitive takes
//===----------------------------------------------------------------------===//

std::array<int64_t, 4> sizesOf(const RevKernelMemRef4 *m) {
  return {m->sizes[0], m->sizes[1], m->sizes[2], m->sizes[3]};
}

/// The first element of a buffer (RevKernelMemRef1, 3 or 4).
template <typename MemRef> float *dataOf(const MemRef *m) {
  return m->aligned + m->offset;
}

/// The descriptor of an NHWC buffer (any strides).
memory::desc activationDesc(const RevKernelMemRef4 *m) {
  return memory::desc(
      logicalNCHW(sizesOf(m)), kF32,
      {m->strides[0], m->strides[3], m->strides[1], m->strides[2]});
}

/// The descriptor of an [F, KH, KW, C] buffer (any strides).
memory::desc weightsDesc(const RevKernelMemRef4 *m) {
  return memory::desc(
      {m->sizes[0], m->sizes[3], m->sizes[1], m->sizes[2]}, kF32,
      {m->strides[0], m->strides[3], m->strides[1], m->strides[2]});
}

/// `user` (the caller's buffer) as the primitive wants it (`want`): the
/// buffer itself when the layouts agree, else a temporary that holds (for
/// inputs) or will hold (outputs: copied back by finish()) the data.
struct Operand {
  memory user, actual;
  std::unique_ptr<Buffer> temporary;
  Operand(const memory::desc &userDesc, void *data, const memory::desc &want,
          bool input, dnnl::stream &stream,
          const dnnl::reorder *cached = nullptr) {
    dnnl::engine &engine = cpuEngine();
    user = memory(userDesc, engine, data);
    if (userDesc == want) {
      actual = user;
      return;
    }
    temporary = std::make_unique<Buffer>(want.get_size());
    actual = memory(want, engine, temporary->data);
    if (input) {
      if (cached)
        cached->execute(stream, user, actual);
      else
        dnnl::reorder(user, actual).execute(stream, user, actual);
    }
  }
  void finish(dnnl::stream &stream, const dnnl::reorder *cached = nullptr) {
    if (actual.get_data_handle() == user.get_data_handle())
      return;
    if (cached)
      cached->execute(stream, actual, user);
    else
      dnnl::reorder(actual, user).execute(stream, actual, user);
  }
};

/// Zeroes an output (RevKernelMemRef3 or 4, any strides).
template <typename MemRef> void zero(MemRef *m) {
  constexpr int rank = sizeof(m->sizes) / sizeof(m->sizes[0]);
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= m->sizes[d];
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0, rest = i;
    for (int d = rank - 1; d >= 0; --d) {
      offset += rest % m->sizes[d] * m->strides[d];
      rest /= m->sizes[d];
    }
    dataOf(m)[offset] = 0.0f;
  }
}

/// Runs `body`; if it fails (oneDNN refuses, memory runs out), records the
/// failure and zeroes `out`, so that no stale data passes for a result (the
/// caller reports the failure).
template <typename MemRef, typename Body>
void guarded(const char *kernel, MemRef *out, Body body) {
  try {
    body();
  } catch (const dnnl::error &e) {
    recordFailure(kernel, e.what());
    zero(out);
  } catch (const std::bad_alloc &) {
    recordFailure(kernel, "out of memory");
    zero(out);
  }
}

const dnnl::reorder *cachedReorder(const Plan &plan,
                                   const memory::desc &userWeights) {
  return userWeights == plan.denseWeights && plan.weightsReorder
             ? &plan.weightsReorder
             : nullptr;
}

void run(const char *name, Kind kind, RevKernelMemRef4 *a, RevKernelMemRef4 *b,
         RevKernelMemRef1 *bias, RevKernelMemRef4 *out,
         std::array<int64_t, 8> params) {
  guarded(name, out, [&] {
    // (x, w, y) of the forward convolution, whichever of them are given.
    RevKernelMemRef4 *x = kind == Kind::BackwardData ? out : a;
    RevKernelMemRef4 *w = kind == Kind::Forward        ? b
                          : kind == Kind::BackwardData ? b
                                                       : out;
    RevKernelMemRef4 *y = kind == Kind::Forward        ? out
                          : kind == Kind::BackwardData ? a
                                                       : b;
    Key key{kind, sizesOf(x), sizesOf(w), sizesOf(y), params};
    Plan &plan = cachedPlan<Key, Plan>(key, makePlan);
    dnnl::stream stream(cpuEngine());
    bool xIn = kind != Kind::BackwardData, yIn = kind != Kind::Forward,
         wIn = kind != Kind::BackwardFilter;
    memory::desc wUser = weightsDesc(w);
    const dnnl::reorder *wReorder = cachedReorder(plan, wUser);
    Operand xs(activationDesc(x), dataOf(x), plan.x, xIn, stream);
    Operand ys(activationDesc(y), dataOf(y), plan.y, yIn, stream);
    Operand ws(wUser, dataOf(w), plan.w, wIn, stream, wReorder);
    Buffer scratch(plan.scratch.get_size());
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SCRATCHPAD, memory(plan.scratch, cpuEngine(), scratch.data)}};
    std::unique_ptr<Operand> bs;
    if (kind == Kind::Forward) {
      args[DNNL_ARG_SRC] = xs.actual;
      args[DNNL_ARG_WEIGHTS] = ws.actual;
      args[DNNL_ARG_DST] = ys.actual;
      bs = std::make_unique<Operand>(
          memory::desc({bias->sizes[0]}, kF32, {bias->strides[0]}),
          dataOf(bias), plan.bias, true, stream);
      args[DNNL_ARG_BIAS] = bs->actual;
    } else if (kind == Kind::BackwardData) {
      args[DNNL_ARG_DIFF_DST] = ys.actual;
      args[DNNL_ARG_WEIGHTS] = ws.actual;
      args[DNNL_ARG_DIFF_SRC] = xs.actual;
    } else {
      args[DNNL_ARG_SRC] = xs.actual;
      args[DNNL_ARG_DIFF_DST] = ys.actual;
      args[DNNL_ARG_DIFF_WEIGHTS] = ws.actual;
    }
    plan.primitive.execute(stream, args);
    if (kind == Kind::Forward)
      ys.finish(stream);
    else if (kind == Kind::BackwardData)
      xs.finish(stream);
    else
      ws.finish(stream, wReorder);
    stream.wait();
  });
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

struct MatmulPlan {
  dnnl::matmul primitive;
  memory::desc a, b, c, scratch;
};

/// The plan for [B, M, K] x [B, K, N] (`bmkn`).
std::unique_ptr<MatmulPlan> makeMatmulPlan(const std::array<int64_t, 4> &bmkn) {
  auto [bs, m, k, n] = bmkn;
  auto plan = std::make_unique<MatmulPlan>();
  plan->a = memory::desc({bs, m, k}, kF32, Tag::abc);
  plan->b = memory::desc({bs, k, n}, kF32, Tag::abc);
  plan->c = memory::desc({bs, m, n}, kF32, Tag::abc);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(plan->a, plan->b, plan->c),
                                  attr, cpuEngine());
  plan->primitive = dnnl::matmul(pd);
  plan->scratch = pd.scratchpad_desc();
  return plan;
}

memory::desc matrixDesc(const RevKernelMemRef3 *m) {
  return memory::desc({m->sizes[0], m->sizes[1], m->sizes[2]}, kF32,
                      {m->strides[0], m->strides[1], m->strides[2]});
}

} // namespace

extern "C" {

void _mlir_ciface_rev_matmul_f32(RevKernelMemRef3 *a, RevKernelMemRef3 *b,
                                 RevKernelMemRef3 *c) {
  guarded("matmul_f32", c, [&] {
    MatmulPlan &plan = cachedPlan<std::array<int64_t, 4>, MatmulPlan>(
        {a->sizes[0], a->sizes[1], a->sizes[2], b->sizes[2]}, makeMatmulPlan);
    dnnl::stream stream(cpuEngine());
    Operand as(matrixDesc(a), dataOf(a), plan.a, true, stream);
    Operand bs(matrixDesc(b), dataOf(b), plan.b, true, stream);
    Operand cs(matrixDesc(c), dataOf(c), plan.c, false, stream);
    Buffer scratch(plan.scratch.get_size());
    plan.primitive.execute(stream,
                           {{DNNL_ARG_SRC, as.actual},
                            {DNNL_ARG_WEIGHTS, bs.actual},
                            {DNNL_ARG_DST, cs.actual},
                            {DNNL_ARG_SCRATCHPAD,
                             memory(plan.scratch, cpuEngine(), scratch.data)}});
    cs.finish(stream);
    stream.wait();
  });
}

void _mlir_ciface_rev_conv2d_forward_f32(
    RevKernelMemRef4 *x, RevKernelMemRef4 *w, RevKernelMemRef1 *b,
    RevKernelMemRef4 *y, int64_t padTop, int64_t padBottom, int64_t padLeft,
    int64_t padRight, int64_t strideH, int64_t strideW, int64_t dilationH,
    int64_t dilationW) {
  run("conv2d_forward_f32", Kind::Forward, x, w, b, y,
      {padTop, padBottom, padLeft, padRight, strideH, strideW, dilationH,
       dilationW});
}

void _mlir_ciface_rev_conv2d_backward_data_f32(
    RevKernelMemRef4 *dy, RevKernelMemRef4 *w, RevKernelMemRef4 *dx,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW) {
  run("conv2d_backward_data_f32", Kind::BackwardData, dy, w, nullptr, dx,
      {padTop, padBottom, padLeft, padRight, strideH, strideW, dilationH,
       dilationW});
}

void _mlir_ciface_rev_conv2d_backward_filter_f32(
    RevKernelMemRef4 *x, RevKernelMemRef4 *dy, RevKernelMemRef4 *dw,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW) {
  run("conv2d_backward_filter_f32", Kind::BackwardFilter, x, dy, nullptr, dw,
      {padTop, padBottom, padLeft, padRight, strideH, strideW, dilationH,
       dilationW});
}

void rev_kernels_set_num_threads(int threads) {
  if (threads <= 0)
    return;
  // The OpenMP runtime that oneDNN's calls bind to: the first in the
  // process (rev-run and the ahead-of-time libraries load libomp before
  // libdnnl, so that oneDNN and the generated code share one thread pool).
  static auto setThreads = reinterpret_cast<void (*)(int)>(
      dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (setThreads)
    setThreads(threads);
}

void rev_kernels_set_allocator(void *(*alloc)(uint64_t, uint64_t),
                               void (*release)(void *)) {
  allocHook = alloc && release ? alloc : defaultAlloc;
  freeHook = alloc && release ? release : std::free;
}

int rev_kernels_pending(void) {
  std::lock_guard<std::mutex> lock(failureMutex);
  return failed ? 1 : 0;
}

int rev_kernels_status(const char **message) {
  std::lock_guard<std::mutex> lock(failureMutex);
  if (!failed)
    return 0;
  static std::string reported;
  reported = failure;
  failed = false;
  if (message)
    *message = reported.c_str();
  return 1;
}

} // extern "C"
