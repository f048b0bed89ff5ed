"""`revopt.torch.compile`: a PyTorch module whose forward and backward are
compiled by rev-opt, for ordinary PyTorch training loops.

    import revopt.torch
    model = revopt.torch.compile(RevNet(), torch.randn(32, 3, 32, 32))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = F.cross_entropy(model(x), y)
    loss.backward(); optimizer.step()

How it works (docs/pytorch.md):
- the module is exported to ONNX (a copy with distinct values in every
  parameter and buffer, so that the exporter cannot merge equal ones), and
  rev-opt builds `@model_forward` (the outputs, the updated BatchNorm running
  statistics and the tape) and `@model_backward` (loss=vjp: the cotangents
  of the outputs in, the gradients of the parameters and of the inputs that
  require them out), compiled ahead of time into a shared library (cached on
  disk, see _build.py);
- the forward is a torch.autograd.Function: it calls the compiled forward on
  the inputs and the module's current parameters and buffers (zero-copy: the
  library reads and writes the tensors' memory), saves only the tape and the
  tensors the backward reads, and the backward calls the compiled backward;
  autograd accumulates the parameters' gradients into `.grad`, so optimizers,
  gradient accumulation, hooks and DistributedDataParallel work as usual;
- dropout in training mode draws its masks from a seed that each call takes
  from PyTorch's default generator (so `torch.manual_seed` makes a run
  repeatable); the backward regenerates the same masks. They are not the
  masks PyTorch's own dropout would draw (docs/onnx-import.md);
- BatchNorm running statistics (and `num_batches_tracked`) are updated in
  place once per training forward, as PyTorch does; `eval()` runs the
  inference function of an eval-mode export; under `torch.no_grad()` no tape
  is built;
- the compiled code's parallel loops and oneDNN's kernels run on PyTorch's
  own OpenMP thread pool (libgomp; utils/aot-compile.py --openmp gomp):
  torch.set_num_threads sets their threads too;
- the compiled module shares its parameters and buffers with `module`: the
  same tensors, registered under the same names (`state_dict()` keys are
  the module's own).

A new input shape or dtype compiles again (each variant is cached, in memory
and on disk), unless `recompile=False`, which raises instead.
"""
import copy
import io
import warnings

import torch
import torch.nn as nn

from ._build import CompileError, compile_library
from ._library import Library

__all__ = ["compile", "CompiledModule", "CompileError", "saved_bytes"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
           "int32": torch.int32, "bool": torch.bool}
_MODES = ("reversible", "checkpoint", "store")
_OPSET = 17


def compile(module, example_input, mode="reversible", checkpoint_every=0, recompile=True,
            memory_budget=None, recompute_segments=False, invert_matrices=False):
    """A CompiledModule for `module`, compiled for inputs shaped like
    `example_input` (a tensor or a tuple of tensors) in the module's current
    train/eval mode.

    mode: "reversible" (the backward inverts reversible blocks instead of
      storing their activations), "checkpoint" or "store" (rev-train's modes).
    checkpoint_every: reversible: keep every K-th block input as well.
    recompile: compile again for a new input shape or dtype (else raise).
    memory_budget: reversible: the peak to plan the training step for, in
      bytes (an int, or a string such as "64MB" or "auto"): reversible
      blocks are stored instead of inverted, most recomputation saved per
      byte first, while rev-opt's estimate of the step's peak fits
      (rev-train's memory-budget); below the reversible step, the
      non-invertible layers are recomputed as well. A budget below every
      plan raises CompileError with the smallest that fits.
    recompute_segments: also recompute the non-invertible layers (a stem,
      transitions, ordinary residual blocks) in the backward from their
      inputs instead of storing their activations (rev-train's
      recompute-segments: less memory, more time).
    invert_matrices: invert square 1x1 convolutions by learned matrices
      (Glow's invertible 1x1 convolution) like other invertible layers
      (rev-train's invert-matrices; exact up to the matrix's conditioning:
      docs/reversible.md)."""
    return CompiledModule(module, example_input, mode=mode,
                          checkpoint_every=checkpoint_every, recompile=recompile,
                          memory_budget=memory_budget,
                          recompute_segments=recompute_segments,
                          invert_matrices=invert_matrices)


def saved_bytes(step):
    """Runs `step()` (which builds an autograd graph, e.g. a forward and a
    loss) and returns what it returned and the bytes autograd saves for its
    backward: the distinct storages of the tensors saved while it ran
    (torch.autograd.graph.saved_tensors_hooks; a storage saved twice, or
    through two views, counts once). Compare a compiled module with the
    plain one: `saved_bytes(lambda: F.cross_entropy(model(x), y))`."""
    storages = {}

    def pack(t):
        # (untyped_storage: PyTorch 2; storage() is deprecated there.)
        s = t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()
        storages[s.data_ptr()] = s.nbytes()
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        result = step()
    return result, sum(storages.values())


def _as_tuple(inputs):
    return tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)


class _Program:
    """One compiled variant (train/eval export, with or without the
    backward): the library, and what each argument and result binds to."""

    def __init__(self, library, entry_names, input_names, output_names, module_state,
                 constants):
        # (module_state: the names of the module's parameters and buffers.)
        self.library = library
        self.forward = library.entries[entry_names[0]]
        self.backward = library.entries[entry_names[1]] if len(entry_names) > 1 else None
        self.input_names = input_names
        # Forward arguments: ("input", i), ("state", j) or ("constant", tensor).
        self.state_names = []
        self.bindings = []
        for spec in self.forward.arguments:
            if spec.name in input_names:
                self.bindings.append(("input", input_names.index(spec.name)))
            elif spec.name in module_state:
                self.bindings.append(("state", len(self.state_names)))
                self.state_names.append(spec.name)
            elif spec.name in constants:
                self.bindings.append(("constant", constants[spec.name]))
            elif spec.name == "dropout_seed":
                self.bindings.append(("seed", None))
            else:
                raise CompileError("@%s reads '%s', which is neither an input nor a "
                                   "parameter or buffer of the module" % (
                                       self.forward.name, spec.name))
        # Forward results: the outputs, running statistics, the tape.
        self.outputs, self.running, self.tape = [], [], []
        for i, spec in enumerate(self.forward.results):
            if spec.name.startswith("tape."):
                self.tape.append(i)
            elif spec.name.startswith(("running_mean.", "running_var.")):
                buffer = spec.name.split(".", 1)[1]
                if buffer not in module_state:
                    raise CompileError("@%s updates '%s', which is not a buffer of the "
                                       "module" % (self.forward.name, buffer))
                self.running.append((i, buffer))
            elif spec.name in output_names:
                self.outputs.append(i)
        if len(self.outputs) != len(output_names):
            raise CompileError("@%s returns %d of the module's %d outputs" % (
                self.forward.name, len(self.outputs), len(output_names)))
        if self.backward is not None:
            self._bind_backward(output_names)

    def _bind_backward(self, output_names):
        forward_results = {s.name: i for i, s in enumerate(self.forward.results)}
        forward_args = {s.name: i for i, s in enumerate(self.forward.arguments)}
        # Backward arguments: ("saved", k) or ("grad", output index).
        self.saved = []  # ("result", i) or ("argument", i) of the forward
        self.backward_bindings = []
        for spec in self.backward.arguments:
            if spec.name.startswith("grad.") and spec.name[5:] in output_names:
                self.backward_bindings.append(("grad", output_names.index(spec.name[5:])))
            elif spec.name in forward_results:
                self.backward_bindings.append(("saved", len(self.saved)))
                self.saved.append(("result", forward_results[spec.name]))
            elif spec.name in forward_args:
                self.backward_bindings.append(("saved", len(self.saved)))
                self.saved.append(("argument", forward_args[spec.name]))
            else:
                raise CompileError("@%s reads '%s', which @%s does not provide" % (
                    self.backward.name, spec.name, self.forward.name))
        # Backward results: the gradient of an input or of a state tensor.
        self.gradients = []
        for spec in self.backward.results:
            name = spec.name[5:] if spec.name.startswith("grad.") else None
            if name in self.input_names:
                self.gradients.append(("input", self.input_names.index(name)))
            elif name in self.state_names:
                self.gradients.append(("state", self.state_names.index(name)))
            else:
                raise CompileError("@%s returns '%s', which is not a gradient of an input "
                                   "or a parameter" % (self.backward.name, spec.name))

    def arguments(self, inputs, state):
        """The forward's argument tensors, in its order."""
        out = []
        for kind, what in self.bindings:
            if kind == "seed":
                # (a new seed per call, from PyTorch's default generator)
                out.append(torch.randint(-2**63, 2**63 - 1, (), dtype=torch.int64))
            else:
                # (a parameter or buffer need not be contiguous, as one made
                # by torch.linalg.qr is not: the compiled code reads a
                # C-ordered copy; .contiguous() is free for the others)
                out.append(inputs[what] if kind == "input" else
                           state[what].contiguous() if kind == "state" else what)
        return out

    def run_forward(self, inputs, state):
        """(arguments, results) of one call of the forward."""
        args = self.arguments(inputs, state)
        for spec, t in zip(self.forward.arguments, args):
            _check_tensor(t, spec, self.forward.name)
        results = [torch.empty(s.shape, dtype=_DTYPES[s.dtype]) for s in self.forward.results]
        self.forward.call([t.data_ptr() for t in args + results])
        return args, results

    def run_backward(self, saved, grads):
        args = []
        for spec, (kind, k) in zip(self.backward.arguments, self.backward_bindings):
            t = saved[k] if kind == "saved" else grads[k]
            if kind == "grad":
                t = (torch.zeros(spec.shape, dtype=_DTYPES[spec.dtype]) if t is None
                     else t.contiguous())
            _check_tensor(t, spec, self.backward.name)
            args.append(t)
        results = [torch.empty(s.shape, dtype=_DTYPES[s.dtype]) for s in self.backward.results]
        self.backward.call([t.data_ptr() for t in args + results])
        return results


def _check_tensor(t, spec, entry):
    if tuple(t.shape) != spec.shape or t.dtype != _DTYPES[spec.dtype]:
        raise ValueError("@%s: '%s' must be %s %s, not %s %s" % (
            entry, spec.name, spec.dtype, list(spec.shape), str(t.dtype).replace("torch.", ""),
            list(t.shape)))
    if not t.is_contiguous():
        raise ValueError("@%s: '%s' is not contiguous (the compiled code reads C-ordered "
                         "memory): pass `.contiguous()`" % (entry, spec.name))


class _CompiledFunction(torch.autograd.Function):
    """The compiled forward and backward as one autograd node."""

    @staticmethod
    def forward(ctx, program, num_inputs, *tensors):
        inputs, state = tensors[:num_inputs], tensors[num_inputs:]
        args, results = program.run_forward(inputs, state)
        ctx.program, ctx.num_inputs, ctx.num_state = program, num_inputs, len(state)
        ctx.save_for_backward(*[results[i] if kind == "result" else args[i]
                                for kind, i in program.saved])
        running = [results[i] for i, _ in program.running]
        ctx.mark_non_differentiable(*running)
        return tuple(results[i] for i in program.outputs) + tuple(running)

    @staticmethod
    def backward(ctx, *grads):
        program = ctx.program
        results = program.run_backward(ctx.saved_tensors, grads[:len(program.outputs)])
        input_grads = [None] * ctx.num_inputs
        state_grads = [None] * ctx.num_state
        for (kind, k), g in zip(program.gradients, results):
            (input_grads if kind == "input" else state_grads)[k] = g
        return (None, None) + tuple(input_grads) + tuple(state_grads)


class CompiledModule(nn.Module):
    """`module` with its forward and backward compiled by rev-opt (see the
    module's documentation). Made by `revopt.torch.compile`."""

    def __init__(self, module, example_input, mode="reversible", checkpoint_every=0,
                 recompile=True, memory_budget=None, recompute_segments=False,
                 invert_matrices=False):
        super().__init__()
        if mode not in _MODES:
            raise ValueError("mode must be one of %s, not %r" % (", ".join(_MODES), mode))
        if memory_budget is not None:
            if mode != "reversible":
                raise ValueError("memory_budget plans a reversible step; it does not "
                                 "combine with mode=%r" % mode)
            if isinstance(memory_budget, bool) or not isinstance(memory_budget, (int, str)) \
                    or (isinstance(memory_budget, int) and memory_budget <= 0) \
                    or (isinstance(memory_budget, str) and not memory_budget.strip()):
                raise ValueError("memory_budget must be a positive number of bytes or a "
                                 "string such as '64MB' or 'auto', not %r" % (memory_budget,))
        # The module's own parameters, buffers and submodules, registered
        # under the same names: shared tensors, the same state_dict keys.
        object.__setattr__(self, "_original", module)
        for name, p in module._parameters.items():
            self.register_parameter(name, p)
        for name, b in module._buffers.items():
            self.register_buffer(name, b, persistent=name not in
                                 module._non_persistent_buffers_set)
        for name, child in module._modules.items():
            self.add_module(name, child)
        self.training = module.training  # (each submodule keeps its own mode)
        self.mode, self.checkpoint_every = mode, checkpoint_every
        self.memory_budget = memory_budget
        self.recompute_segments = bool(recompute_segments)
        self.invert_matrices = bool(invert_matrices)
        self.recompile = recompile
        self._programs = {}
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats \
                    and m.momentum is None:
                raise CompileError("%s uses momentum=None (a cumulative average of the "
                                   "batch statistics), which rev-opt does not compile; "
                                   "give it a momentum" % type(m).__name__)
        inputs = _as_tuple(example_input)
        self._check_inputs(inputs)
        self._example_key = self._key(inputs, torch.is_grad_enabled())
        self._program(self._example_key, inputs)

    def __getstate__(self):
        # Compiled variants hold ctypes handles: a copy (copy.deepcopy, an
        # EMA model, pickling) compiles its own again, from the disk cache.
        state = super().__getstate__() if hasattr(super(), "__getstate__") \
            else self.__dict__.copy()
        state = dict(state)
        state["_programs"] = {}
        return state

    # -- variants ------------------------------------------------------------

    def _check_inputs(self, inputs):
        for i, x in enumerate(inputs):
            if not isinstance(x, torch.Tensor):
                raise TypeError("input %d is a %s; the compiled module takes tensors" % (
                    i, type(x).__name__))
            if x.device.type != "cpu":
                raise ValueError("input %d is on %s: revopt.torch runs compiled CPU code "
                                 "(CUDA tensors are not supported yet)" % (i, x.device))
            if not x.is_contiguous():
                raise ValueError("input %d is not contiguous (the compiled code reads "
                                 "C-ordered memory): pass `.contiguous()`" % i)

    def _key(self, inputs, grad_enabled):
        """What a compiled variant depends on."""
        params = [(n, p.requires_grad) for n, p in self._original.named_parameters()]
        needs_grad = grad_enabled and (any(r for _, r in params) or
                                       any(x.requires_grad for x in inputs))
        # (Every submodule's mode: a BatchNorm set to eval() inside a
        # training model exports as such.)
        return (tuple(m.training for m in self._original.modules()), needs_grad,
                tuple((tuple(x.shape), x.dtype, needs_grad and x.requires_grad)
                      for x in inputs),
                tuple(n for n, r in params if r) if needs_grad else ())

    def train(self, mode=True):
        """Sets the mode of the module and of every submodule, the wrapped
        module's own included (its forward may read `self.training`)."""
        super().train(mode)
        self._original.train(mode)
        return self

    def _program(self, key, inputs):
        if key in self._programs:
            return self._programs[key]
        if self._programs and not self.recompile:
            raise ValueError(
                "the module was compiled for %s; this call is for %s: compile with "
                "recompile=True to allow it" % (_describe(self._example_key), _describe(key)))
        _, needs_grad, input_specs, wrt = key
        input_names = (["input"] if len(inputs) == 1 else
                       ["input.%d" % i for i in range(len(inputs))])
        # The names of the module's parameters and buffers (what the
        # compiled functions' arguments bind to, by _lookup at each call).
        state = {n for n, _ in self._original.named_parameters()} | \
            {n for n, _ in self._original.named_buffers()}
        onnx_bytes, output_names, constants, initializers = self._export(
            inputs, input_names, state)
        flags = ["--onnx-bn-running-var=unbiased"]
        if needs_grad:
            # (A parameter the forward never reads is not in the export.)
            names = [n for n in wrt if n in initializers]
            names += [n for n, (_, _, grad) in zip(input_names, input_specs) if grad]
            budget = "" if self.memory_budget is None else \
                " memory-budget=%s" % str(self.memory_budget).replace(" ", "")
            extra = (" recompute-segments=true" if self.recompute_segments else "") + \
                (" invert-matrices=true" if self.invert_matrices else "")
            flags += ["--rev-train=mode=%s loss=vjp checkpoint-every=%d wrt=%s%s%s" % (
                          self.mode, self.checkpoint_every, ",".join(names), budget, extra),
                      "--symbol-privatize=exclude=model_forward,model_backward",
                      "--symbol-dce"]
            entries = ["model_forward", "model_backward"]
        else:
            entries = ["model"]
        directory = compile_library(onnx_bytes, flags, entries)
        program = _Program(Library(directory), entries, input_names, output_names, state,
                           constants)
        self._programs[key] = program
        return program

    def _export(self, inputs, input_names, state):
        """ONNX bytes of the module in its current mode, its output names,
        its float initializers that are not module state (`state`: the
        parameters' and buffers' names) as constants, and the names of all
        its initializers."""
        import onnx
        import onnx.numpy_helper
        onnx_bytes, output_names = self._export_twin(inputs, input_names, seed=0)
        model = onnx.load_from_string(onnx_bytes)
        constants = {init.name: onnx.numpy_helper.to_array(init)
                     for init in model.graph.initializer if init.name not in state}
        if constants:
            # An initializer that is not module state must not depend on it
            # (a folded convolution and BatchNorm would): exported again
            # with other values, it must not change.
            other = onnx.load_from_string(
                self._export_twin(inputs, input_names, seed=1)[0])
            for init in other.graph.initializer:
                if init.name in constants and not _np_equal(
                        constants[init.name], onnx.numpy_helper.to_array(init)):
                    raise CompileError(
                        "torch.onnx.export computed the initializer '%s' from the "
                        "module's parameters (folded them): it cannot be bound to "
                        "them" % init.name)
        return (onnx_bytes, output_names,
                {k: torch.from_numpy(v.copy()) for k, v in constants.items()},
                {init.name for init in model.graph.initializer})

    def _export_twin(self, inputs, input_names, seed):
        """Exports a copy of the module with distinct values in every float
        parameter and buffer: the exporter merges initializers with equal
        contents in eval mode (fresh BatchNorm weights are all ones), and
        gradients would then land on the wrong parameter. The values are
        seeded: the same module exports the same bytes (the compile cache's
        key)."""
        twin = copy.deepcopy(self._original)
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for t in list(twin.parameters()) + list(twin.buffers()):
                if t.is_floating_point():
                    t.copy_(torch.rand(t.shape, generator=generator, dtype=torch.float64)
                            .to(t.dtype) + 0.5)
        example = tuple(torch.zeros(x.shape, dtype=x.dtype) for x in inputs)
        with torch.no_grad():
            out = twin(*example)
        outputs = _as_tuple(out)
        self._single_output = not isinstance(out, (tuple, list))
        output_names = (["output"] if len(outputs) == 1 else
                        ["output.%d" % i for i in range(len(outputs))])
        buffer = io.BytesIO()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # PRESERVE exports each submodule's own mode. (EVAL would also run
                # the exporter's eval peephole, which folds each BatchNorm
                # into the convolution before it: new initializers computed
                # from the parameters.)
                torch.onnx.export(
                    twin, example, buffer, opset_version=_OPSET,
                    training=torch.onnx.TrainingMode.PRESERVE,
                    do_constant_folding=False, input_names=input_names,
                    output_names=output_names)
        except Exception as e:
            raise CompileError("torch.onnx.export failed: %s" % e) from e
        return buffer.getvalue(), output_names

    # -- calls -----------------------------------------------------------------

    def forward(self, *inputs):
        self._check_inputs(inputs)
        key = self._key(inputs, torch.is_grad_enabled())
        program = self._program(key, inputs)
        state = [self._lookup(n) for n in program.state_names]
        if key[1]:
            results = _CompiledFunction.apply(program, len(inputs), *inputs, *state)
            outputs = results[:len(program.outputs)]
            running = results[len(program.outputs):]
        else:
            _, results = program.run_forward(inputs, state)
            outputs = [results[i] for i in program.outputs]
            running = [results[i] for i, _ in program.running]
        if program.running:
            with torch.no_grad():
                for (_, name), value in zip(program.running, running):
                    self._lookup(name).copy_(value)
                for m in self._original.modules():
                    if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training \
                            and m.num_batches_tracked is not None:
                        m.num_batches_tracked.add_(1)
        return outputs[0] if self._single_output else tuple(outputs)

    def _lookup(self, name):
        """The module's parameter or buffer called `name` (dotted path)."""
        owner = self._original
        *path, leaf = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        return getattr(owner, leaf)


def _np_equal(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and (a == b).all()


def _describe(key):
    """A variant's key in words."""
    modes, needs_grad, inputs, _ = key
    mode = ("training" if all(modes) else "eval" if not any(modes) else
            "mixed train/eval")
    return "inputs %s, %s mode, %s" % (
        ", ".join("%s %s" % (str(dtype).replace("torch.", ""), list(shape))
                  for shape, dtype, _ in inputs),
        mode, "with gradients" if needs_grad else "without gradients")
