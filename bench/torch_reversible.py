"""PyTorch's hand-written reversible backward for the RevNet of
utils/models/generate.py, what MemCNN's and RevLib's couplings do: the
baseline that bench/train_modes.py (CPU) and bench/torch_gpu.py (GPU) time
against rev-opt's reversible mode. Needs only torch (no onnx)."""
import torch
import torch.nn.functional as F


class RevStageFn(torch.autograd.Function):
    """A stage of RevBlocks with a hand-written reversible backward: the
    forward keeps only the stage's output; the backward reconstructs each
    block's input from its output (x2 = y2 - G(y1), x1 = y1 - F(x2)), then
    recomputes the block under autograd and back-propagates through it
    (what MemCNN's and RevLib's couplings do)."""

    @staticmethod
    def forward(ctx, x, blocks, *params):
        ctx.blocks = blocks
        with torch.no_grad():
            for b in blocks:
                x = b(x)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        for b in reversed(ctx.blocks):
            with torch.no_grad():
                y1, y2 = torch.chunk(y, 2, dim=1)
                x2 = y2 - b.g(y1)
                x1 = y1 - b.f(x2)
            x1.requires_grad_(True)
            x2.requires_grad_(True)
            with torch.enable_grad():
                z1 = x1 + b.f(x2)
                z2 = x2 + b.g(z1)
                dy1, dy2 = torch.chunk(dy, 2, dim=1)
                torch.autograd.backward([z1, z2], [dy1, dy2])
            dy = torch.cat([x1.grad, x2.grad], dim=1)
            y = torch.cat([x1.detach(), x2.detach()], dim=1)
        return (dy, None) + (None,) * len([p for b in ctx.blocks
                                           for p in b.parameters()])


def manual_reversible_forward(model, x):
    def stage(s, x):
        blocks = list(s)
        params = [p for b in blocks for p in b.parameters()]
        return RevStageFn.apply(x, blocks, *params)
    x = stage(model.stage1, model.stem(x))
    x = stage(model.stage2, model.down(x))
    x = F.adaptive_avg_pool2d(x, 1).flatten(1)
    return model.head(x)


def paper_reversible_forward(model, x):
    """bench/paper_models.py's PaperRevNet with a hand-written reversible
    backward for each run of couplings (its body mixes couplings, which
    have .f and .g, with strided transitions)."""
    blocks = []

    def flush(x):
        if blocks:
            x = RevStageFn.apply(x, list(blocks),
                                 *[p for b in blocks for p in b.parameters()])
            blocks.clear()
        return x
    for layer in model.body:
        if hasattr(layer, "f") and hasattr(layer, "g"):
            blocks.append(layer)
        else:
            x = layer(flush(x))
    x = flush(x)
    return model.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


def training_steps(model, x, labels, reversible_forward=manual_reversible_forward):
    """The two PyTorch baselines: (kind, forward, step), where step() runs
    one training step (gradients from zero) and returns the loss."""
    out = []
    for kind, forward in [("pytorch", lambda: model(x)),
                          ("pytorch-reversible",
                           lambda: reversible_forward(model, x))]:
        def step(forward=forward):
            model.zero_grad(set_to_none=True)
            loss = F.cross_entropy(forward(), labels)
            loss.backward()
            return loss
        out.append((kind, forward, step))
    return out
