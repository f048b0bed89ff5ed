"""revopt.torch.compile against plain PyTorch: 10 SGD-momentum steps of the
bundled RevNet (models/revnet's weights) and of a RevNet with 4 blocks per
stage (training-mode BatchNorm), in reversible mode; losses per step and the
final parameters and buffers (running statistics, num_batches_tracked)
within 1e-3 relative; the bytes autograd saves at most a third of plain
PyTorch's. Then the module composed with PyTorch: a convolution before it
(the input's gradient flows back into it), gradient accumulation over two
half batches. Prints one line per check; exits non-zero when one fails."""
import sys

import torch

from revopt_testing import (RevNet, batches, bundled_revnet, max_state_difference,
                            relative, saved_bytes, train, twins)
import revopt.torch

TOLERANCE = 1e-3
failed = []


def check(what, ok, detail):
    print("%s: %s %s" % (what, detail, "ok" if ok else "FAILED"))
    if not ok:
        failed.append(what)


def parity(name, model, shape, mode="reversible"):
    data = batches(3, shape)
    compiled_twin, plain = twins(model)
    compiled = revopt.torch.compile(compiled_twin, data[0][0], mode=mode)
    a = train(compiled, 10, data)
    b = train(plain, 10, data)
    loss_diff = max(abs(x - y) / abs(y) for x, y in zip(a, b))
    check("%s %s losses" % (name, mode), loss_diff < TOLERANCE,
          "%.3f -> %.3f, max relative difference %.1e" % (a[0], a[-1], loss_diff))
    state_diff = max_state_difference(compiled, plain)
    check("%s %s parameters" % (name, mode), state_diff < TOLERANCE,
          "max relative difference %.1e" % state_diff)
    x, y = data[0]
    loss = torch.nn.functional.cross_entropy
    ours = saved_bytes(lambda: loss(compiled(x), y))
    theirs = saved_bytes(lambda: loss(plain(x), y))
    check("%s %s saved bytes" % (name, mode), ours * 3 <= theirs,
          "%d vs plain %d (%.3f)" % (ours, theirs, ours / theirs))


torch.manual_seed(0)
parity("bundled", bundled_revnet(), (32, 3, 16, 16))
torch.manual_seed(1)
parity("revnet-4", RevNet(blocks=4), (16, 3, 32, 32))

# Composition: a PyTorch convolution in front (trained through the compiled
# module's input gradient) and a linear layer after it, SGD with Nesterov
# momentum and weight decay, and gradients accumulated over two half
# batches. (Not Adam: it scales each update to about its learning rate, so
# the rounding noise in the gradient of a convolution's bias followed by
# BatchNorm, zero in exact arithmetic, moves that bias by +-lr in either
# direction, as between PyTorch float32 and float64.)
torch.manual_seed(2)
front, back = torch.nn.Conv2d(3, 3, 3, padding=1), torch.nn.Linear(10, 10)
body = bundled_revnet()
plain_front, plain_body, plain_back = twins(front)[1], twins(body)[1], twins(back)[1]
x = torch.randn(8, 3, 16, 16)
y = torch.randint(0, 10, (8,))
compiled_body = revopt.torch.compile(body, front(x[:4]))
for f, b, a in ((front, compiled_body, back), (plain_front, plain_body, plain_back)):
    optimizer = torch.optim.SGD(list(f.parameters()) + list(b.parameters()) +
                                list(a.parameters()), lr=0.05, momentum=0.9, nesterov=True,
                                weight_decay=1e-4)
    for step in range(3):
        optimizer.zero_grad()
        for half in (slice(0, 4), slice(4, 8)):
            (torch.nn.functional.cross_entropy(a(b(f(x[half]))), y[half]) / 2).backward()
        optimizer.step()
diff = max(max_state_difference(compiled_body, plain_body),
           max(relative(p, q) for p, q in zip(list(front.parameters()) + list(back.parameters()),
                                              list(plain_front.parameters()) +
                                              list(plain_back.parameters()))))
check("composed", diff < TOLERANCE, "front, body and back after 3 accumulated steps: "
      "max relative difference %.1e" % diff)

sys.exit(1 if failed else 0)
