"""Writes the PTX embedded in the gpu.binary ops of an MLIR file (format=isa:
`assembly = "..."`) to <out-prefix><n>.ptx, one file per object, and prints
how many it wrote."""
import re
import sys


def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            nxt = s[i + 1]
            if nxt in "\\\"":
                out.append(ord(nxt))
                i += 2
            elif nxt == "n":
                out.append(10)
                i += 2
            elif nxt == "t":
                out.append(9)
                i += 2
            else:
                out.append(int(s[i + 1:i + 3], 16))
                i += 3
        else:
            out.extend(c.encode())
            i += 1
    return bytes(out)


text = open(sys.argv[1]).read()
n = 0
for m in re.finditer(r'assembly = "((?:[^"\\]|\\.)*)"', text):
    with open("%s%d.ptx" % (sys.argv[2], n), "wb") as f:
        f.write(unescape(m.group(1)))
    n += 1
print("extracted %d PTX module(s)" % n)
sys.exit(0 if n else 1)
