//===- HostTensor.cpp - constant tensors evaluated at import time ---------===//

#include "HostTensor.h"

#include "rev/Utils/TosaBuilder.h"
#include "rev/Utils/TypeUtils.h"

#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>

namespace rev::onnx_import {

int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  // Saturates, so that a size check on a hostile shape cannot wrap around.
  return checkedNumElements(shape).value_or(INT64_MAX);
}

std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape,
                                          int64_t elementBytes) {
  std::optional<int64_t> n = rev::checkedShapeProduct(shape);
  if (!n || !llvm::checkedMul(*n, std::max<int64_t>(elementBytes, 1)))
    return std::nullopt;
  return n;
}

std::vector<int64_t> HostTensor::toInts() const {
  std::vector<int64_t> out(size());
  for (int64_t k = 0; k < size(); ++k)
    out[k] = getInt(k);
  return out;
}

HostTensor HostTensor::ints(std::vector<int64_t> values,
                            std::vector<int64_t> shape, ElemKind kind) {
  HostTensor t;
  t.kind = kind;
  t.shape = std::move(shape);
  t.i = std::move(values);
  return t;
}

HostTensor HostTensor::splat(ElemKind kind, std::vector<int64_t> shape,
                             double value) {
  HostTensor t;
  t.kind = kind;
  t.shape = std::move(shape);
  if (isFloat(kind))
    t.f.assign(t.size(), value);
  else
    t.i.assign(t.size(), saturatingInt(value));
  return t;
}

std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Index into `shape` (broadcast from `outShape`) of the element at linear
/// index `linear` of the output.
static int64_t broadcastIndex(int64_t linear, llvm::ArrayRef<int64_t> outShape,
                              llvm::ArrayRef<int64_t> outStrides,
                              llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<int64_t> strides) {
  int64_t lead = outShape.size() - shape.size();
  int64_t idx = 0;
  for (size_t d = 0; d < outShape.size(); ++d) {
    int64_t coord = (linear / outStrides[d]) % outShape[d];
    if (static_cast<int64_t>(d) < lead)
      continue;
    int64_t sd = d - lead;
    if (shape[sd] != 1)
      idx += coord * strides[sd];
  }
  return idx;
}

bool hostBinary(BinaryKind kind, const HostTensor &a, const HostTensor &b,
                HostTensor &out, std::string &error) {
  auto shape = rev::broadcastShapes(a.shape, b.shape);
  if (mlir::failed(shape)) {
    error = "operand shapes do not broadcast";
    return false;
  }
  bool compare = kind == BinaryKind::Equal || kind == BinaryKind::Less ||
                 kind == BinaryKind::Greater;
  bool useFloat = a.isFloatKind() || b.isFloatKind();
  out = HostTensor();
  out.kind = compare ? ElemKind::Bool : a.kind;
  out.shape.assign(shape->begin(), shape->end());
  int64_t n = out.size();
  auto os = stridesOf(out.shape), as = stridesOf(a.shape),
       bs = stridesOf(b.shape);
  if (out.isFloatKind())
    out.f.resize(n);
  else
    out.i.resize(n);
  for (int64_t k = 0; k < n; ++k) {
    int64_t ia = broadcastIndex(k, out.shape, os, a.shape, as);
    int64_t ib = broadcastIndex(k, out.shape, os, b.shape, bs);
    if (useFloat) {
      double x = a.getDouble(ia), y = b.getDouble(ib), r = 0;
      switch (kind) {
      case BinaryKind::Add: r = x + y; break;
      case BinaryKind::Sub: r = x - y; break;
      case BinaryKind::Mul: r = x * y; break;
      case BinaryKind::Div: r = x / y; break;
      case BinaryKind::Pow: r = std::pow(x, y); break;
      case BinaryKind::Min: r = std::min(x, y); break;
      case BinaryKind::Max: r = std::max(x, y); break;
      case BinaryKind::Equal: r = x == y; break;
      case BinaryKind::Less: r = x < y; break;
      case BinaryKind::Greater: r = x > y; break;
      }
      if (out.isFloatKind()) {
        out.f[k] = r;
      } else {
        if (!HostTensor::fitsInt64(r)) {
          error = "the folded value " + std::to_string(r) +
                  " does not fit the integer type";
          return false;
        }
        out.i[k] = static_cast<int64_t>(r);
      }
    } else {
      int64_t x = a.i[ia], y = b.i[ib], r = 0;
      auto overflow = [&](const char *what) {
        error = std::string("integer overflow folding constants (") + what +
                " of " + std::to_string(x) + " and " + std::to_string(y) + ")";
        return false;
      };
      auto set = [&](std::optional<int64_t> v) {
        r = v.value_or(0);
        return v.has_value();
      };
      switch (kind) {
      case BinaryKind::Add:
        if (!set(llvm::checkedAdd(x, y)))
          return overflow("sum");
        break;
      case BinaryKind::Sub:
        if (!set(llvm::checkedSub(x, y)))
          return overflow("difference");
        break;
      case BinaryKind::Mul:
        if (!set(llvm::checkedMul(x, y)))
          return overflow("product");
        break;
      case BinaryKind::Div:
        if (y == 0) {
          error = "integer division by zero";
          return false;
        }
        if (x == INT64_MIN && y == -1)
          return overflow("quotient");
        // ONNX integer Div truncates toward zero (C semantics); PyTorch's
        // exported floor divisions of sizes are on non-negative values.
        r = x / y;
        break;
      case BinaryKind::Pow: {
        double p = std::pow(static_cast<double>(x), static_cast<double>(y));
        if (!HostTensor::fitsInt64(p))
          return overflow("power");
        r = static_cast<int64_t>(p);
        break;
      }
      case BinaryKind::Min: r = std::min(x, y); break;
      case BinaryKind::Max: r = std::max(x, y); break;
      case BinaryKind::Equal: r = x == y; break;
      case BinaryKind::Less: r = x < y; break;
      case BinaryKind::Greater: r = x > y; break;
      }
      out.i[k] = r;
    }
  }
  return true;
}

bool hostCast(const HostTensor &a, ElemKind to, HostTensor &out) {
  HostTensor r;
  r.kind = to;
  r.shape = a.shape;
  int64_t n = a.size();
  if (isFloat(to)) {
    r.f.resize(n);
    for (int64_t k = 0; k < n; ++k)
      r.f[k] = to == ElemKind::F32 ? static_cast<float>(a.getDouble(k))
                                   : a.getDouble(k);
  } else {
    r.i.resize(n);
    for (int64_t k = 0; k < n; ++k) {
      if (to == ElemKind::Bool)
        r.i[k] = a.getDouble(k) != 0.0;
      else if (to == ElemKind::I32)
        r.i[k] = static_cast<int32_t>(a.getInt(k));
      else
        r.i[k] = a.getInt(k);
    }
  }
  out = std::move(r);
  return true;
}

bool hostWhere(const HostTensor &c, const HostTensor &a, const HostTensor &b,
               HostTensor &out, std::string &error) {
  auto s1 = rev::broadcastShapes(c.shape, a.shape);
  if (mlir::failed(s1)) {
    error = "operand shapes do not broadcast";
    return false;
  }
  auto shape = rev::broadcastShapes(*s1, b.shape);
  if (mlir::failed(shape)) {
    error = "operand shapes do not broadcast";
    return false;
  }
  out = HostTensor();
  out.kind = a.kind;
  out.shape.assign(shape->begin(), shape->end());
  int64_t n = out.size();
  auto os = stridesOf(out.shape), cs = stridesOf(c.shape),
       as = stridesOf(a.shape), bs = stridesOf(b.shape);
  if (out.isFloatKind())
    out.f.resize(n);
  else
    out.i.resize(n);
  for (int64_t k = 0; k < n; ++k) {
    bool cond = c.getInt(broadcastIndex(k, out.shape, os, c.shape, cs)) != 0;
    const HostTensor &src = cond ? a : b;
    int64_t idx = broadcastIndex(k, out.shape, os, src.shape,
                                 cond ? as : bs);
    if (out.isFloatKind())
      out.f[k] = src.getDouble(idx);
    else
      out.i[k] = src.getInt(idx);
  }
  return true;
}

bool hostGather(const HostTensor &data, const HostTensor &indices,
                int64_t axis, HostTensor &out, std::string &error) {
  int64_t rank = data.shape.size();
  int64_t dim = data.shape[axis];
  std::vector<int64_t> outShape(data.shape.begin(), data.shape.begin() + axis);
  outShape.insert(outShape.end(), indices.shape.begin(), indices.shape.end());
  outShape.insert(outShape.end(), data.shape.begin() + axis + 1,
                  data.shape.end());
  int64_t outer = numElements(llvm::ArrayRef(data.shape).take_front(axis));
  int64_t inner = numElements(llvm::ArrayRef(data.shape).drop_front(axis + 1));
  (void)rank;
  out = HostTensor();
  out.kind = data.kind;
  out.shape = outShape;
  int64_t nIdx = indices.size();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < nIdx; ++j) {
      int64_t idx = indices.getInt(j);
      if (idx < 0)
        idx += dim;
      if (idx < 0 || idx >= dim) {
        error = "index " + std::to_string(indices.getInt(j)) +
                " is out of range for a dimension of size " +
                std::to_string(dim);
        return false;
      }
      for (int64_t in = 0; in < inner; ++in) {
        int64_t src = (o * dim + idx) * inner + in;
        if (out.isFloatKind())
          out.f.push_back(data.f[src]);
        else
          out.i.push_back(data.i[src]);
      }
    }
  }
  return true;
}

bool hostConcat(llvm::ArrayRef<const HostTensor *> inputs, int64_t axis,
                HostTensor &out, std::string &error) {
  out = HostTensor();
  out.kind = inputs.front()->kind;
  out.shape = inputs.front()->shape;
  out.shape[axis] = 0;
  for (const HostTensor *t : inputs) {
    if (t->shape.size() != out.shape.size()) {
      error = "concatenated tensors have different ranks";
      return false;
    }
    out.shape[axis] += t->shape[axis];
  }
  int64_t outer = numElements(llvm::ArrayRef(out.shape).take_front(axis));
  for (int64_t o = 0; o < outer; ++o) {
    for (const HostTensor *t : inputs) {
      int64_t chunk = numElements(llvm::ArrayRef(t->shape).drop_front(axis));
      for (int64_t k = 0; k < chunk; ++k) {
        if (out.isFloatKind())
          out.f.push_back(t->getDouble(o * chunk + k));
        else
          out.i.push_back(t->getInt(o * chunk + k));
      }
    }
  }
  return true;
}

void hostSlice(const HostTensor &a, llvm::ArrayRef<int64_t> starts,
               llvm::ArrayRef<int64_t> steps, llvm::ArrayRef<int64_t> sizes,
               HostTensor &out) {
  out = HostTensor();
  out.kind = a.kind;
  out.shape.assign(sizes.begin(), sizes.end());
  auto os = stridesOf(out.shape), as = stridesOf(a.shape);
  int64_t n = out.size();
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t d = 0; d < sizes.size(); ++d) {
      int64_t coord = (k / os[d]) % sizes[d];
      src += (starts[d] + coord * steps[d]) * as[d];
    }
    if (out.isFloatKind())
      out.f.push_back(a.f[src]);
    else
      out.i.push_back(a.i[src]);
  }
}

void hostTranspose(const HostTensor &a, llvm::ArrayRef<int64_t> perm,
                   HostTensor &out) {
  out = HostTensor();
  out.kind = a.kind;
  for (int64_t p : perm)
    out.shape.push_back(a.shape[p]);
  auto os = stridesOf(out.shape), as = stridesOf(a.shape);
  int64_t n = out.size();
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      src += ((k / os[d]) % out.shape[d]) * as[perm[d]];
    if (out.isFloatKind())
      out.f.push_back(a.f[src]);
    else
      out.i.push_back(a.i[src]);
  }
}

bool hostExpand(const HostTensor &a, llvm::ArrayRef<int64_t> shape,
                HostTensor &out, std::string &error) {
  auto target = rev::broadcastShapes(a.shape, shape);
  if (mlir::failed(target)) {
    error = "cannot expand to the requested shape";
    return false;
  }
  HostTensor shaped = HostTensor::splat(a.kind, std::vector<int64_t>(target->begin(), target->end()), 0);
  return hostBinary(BinaryKind::Add, a, shaped, out, error);
}

void hostUnary(const HostTensor &a, double (*fn)(double), HostTensor &out) {
  out = a;
  for (int64_t k = 0; k < a.size(); ++k) {
    if (out.isFloatKind())
      out.f[k] = fn(a.f[k]);
    else
      out.i[k] = HostTensor::saturatingInt(fn(static_cast<double>(a.i[k])));
  }
}

} // namespace rev::onnx_import
