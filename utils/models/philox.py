"""rev.dropout's masks in numpy: Philox4x32-10 (Salmon et al., SC 2011),
written from the paper's definition, independently of rev-opt's lowering
(lib/Conversion/LowerRandom.cpp), so that PyTorch references can replay the
masks rev-opt draws.

dropout_mask(seed, stream, shape, ratio): element i (row-major) is kept when
(philox(counter=(lo(i), hi(i), lo(stream), hi(stream)),
        key=(lo(seed), hi(seed)))[0] >> 8) >= ceil(ratio * 2**24).
"""
import math

import numpy as np

M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK32 = np.uint64(0xFFFFFFFF)


def philox4x32(counter, key, rounds=10):
    """counter: four uint32 arrays (broadcastable); key: two Python ints.
    Returns the four output words (uint32 arrays)."""
    c = [np.asarray(x, dtype=np.uint64) & MASK32 for x in counter]
    k0, k1 = key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF
    for r in range(rounds):
        if r > 0:
            k0 = (k0 + W0) & 0xFFFFFFFF
            k1 = (k1 + W1) & 0xFFFFFFFF
        p0 = M0 * c[0]
        p1 = M1 * c[2]
        hi0, lo0 = p0 >> np.uint64(32), p0 & MASK32
        hi1, lo1 = p1 >> np.uint64(32), p1 & MASK32
        c = [hi1 ^ c[1] ^ np.uint64(k0), lo1, hi0 ^ c[3] ^ np.uint64(k1), lo0]
    return [x.astype(np.uint32) for x in c]


def keep_mask(seed, stream, shape, ratio):
    """The boolean mask of kept elements (True = kept)."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.uint64)
    seed &= (1 << 64) - 1
    stream &= (1 << 64) - 1
    word = philox4x32([i & MASK32, i >> np.uint64(32),
                       np.uint64(stream & 0xFFFFFFFF), np.uint64(stream >> 32)],
                      (seed & 0xFFFFFFFF, seed >> 32))[0]
    threshold = math.ceil(math.ldexp(ratio, 24))
    return ((word >> np.uint32(8)) >= threshold).reshape(shape)


if __name__ == "__main__":
    # Known-answer tests of Random123 (kat_vectors, philox4x32 10 rounds).
    for ctr, key, want in [
            ((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
            ((0xffffffff,) * 4, (0xffffffff, 0xffffffff),
             (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
            ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
             (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1))]:
        got = tuple(int(w) for w in philox4x32([np.uint64(x) for x in ctr], key))
        print("ok" if got == want else "MISMATCH", ["%08x" % g for g in got])
