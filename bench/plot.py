"""A line plot as a standalone SVG file (no plotting library needed)."""
import math


def line_plot(path, title, xlabel, ylabel, xs, series):
    """series: [(label, color, values, dashed)], one value per x."""
    W, H, L, R, T, B = 640, 400, 70, 230, 30, 50
    ymax = max(max(v) for _, _, v, _ in series) * 1.1
    xmax, xmin = max(xs), min(0, min(xs))

    def px(x):
        return L + (W - L - R) * (x - xmin) / (xmax - xmin)

    def py(y):
        return H - B - (H - T - B) * y / ymax

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="14">%s</text>' % (L, title)]
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
        L, H - B, W - R, H - B))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
        L, T, L, H - B))
    for x in xs:
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (
            px(x), H - B + 16, x))
    out.append('<text x="%d" y="%d" text-anchor="middle">%s</text>' % (
        (L + W - R) // 2, H - 12, xlabel))
    step = 10 ** math.floor(math.log10(ymax / 2))
    y = 0.0
    while y <= ymax:
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (
            L - 6, py(y) + 4, y))
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>'
                   % (L, py(y), W - R, py(y)))
        y += step * (2 if ymax / step > 10 else 1)
    out.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" '
               'text-anchor="middle">%s</text>' % ((T + H - B) // 2,
                                                   (T + H - B) // 2, ylabel))
    for k, (label, color, vals, dashed) in enumerate(series):
        pts = " ".join("%.1f,%.1f" % (px(x), py(v)) for x, v in zip(xs, vals))
        dash = ' stroke-dasharray="5,4"' if dashed else ""
        out.append('<polyline points="%s" fill="none" stroke="%s" '
                   'stroke-width="2"%s/>' % (pts, color, dash))
        for x, v in zip(xs, vals):
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (
                px(x), py(v), color))
        ly = T + 20 + 20 * k
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
                   'stroke-width="2"%s/>' % (W - R + 10, ly, W - R + 30, ly,
                                             color, dash))
        out.append('<text x="%d" y="%d">%s</text>' % (W - R + 35, ly + 4,
                                                       label))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
