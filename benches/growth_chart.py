#!/usr/bin/env python3
"""The growth curve from benches/growth.sh's results: a Markdown table and an SVG chart.

    benches/growth_chart.py OUT.svg RESULTS-100.tsv RESULTS-1000.tsv ...

Each results file is what benches/compare.sh appends with RESULTS=FILE for one corpus size. The
chart draws end-to-end time against corpus size, both on log scales: one solid line per gazette
query class, and rg's time (the median over the classes at each size) as one dashed line, so
that the gap between a class and the dashed line is its ratio to rg. Written by hand: the
machine has no plotting library, and the SVG is small and reviewable.
"""

import math
import sys


def read(path):
    index, cases = None, {}
    for line in open(path, encoding="utf-8"):
        cells = line.rstrip("\n").split("\t")
        if cells[0] == "index":
            seconds, mb, index_mb, rss = map(float, cells[1:5])
            index = {"seconds": seconds, "mb": mb, "index_mb": index_mb, "rss_kb": rss}
        else:
            name, ours, theirs, rss = cells[0], float(cells[1]), float(cells[2]), int(cells[3])
            cases[name] = (ours, theirs, rss)
    return index, cases


def table(runs):
    out = ["| corpus | indexing | MB/s | index / text | index peak RSS |", "| --- | --- | --- | --- | --- |"]
    for index, _ in runs:
        if index:
            out.append(
                f"| {index['mb']:.0f} MB | {index['seconds']:.0f} s | {index['mb'] / index['seconds']:.1f} "
                f"| {index['index_mb'] / index['mb']:.2f}× | {index['rss_kb'] / 1024:.0f} MB |"
            )
    names = list(runs[0][1])
    sizes = [f"{index['mb']:.0f} MB" if index else "?" for index, _ in runs]
    out.append("")
    out.append("| case | " + " | ".join(sizes) + " |")
    out.append("| --- |" + " --- |" * len(sizes))
    for name in names:
        cells = []
        for _, cases in runs:
            if name in cases:
                ours, theirs, rss = cases[name]
                cells.append(f"{ours:.1f} ms, rg {theirs:.0f} ms ({theirs / ours:.1f}×), {rss / 1024:.0f} MB")
            else:
                cells.append("")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"]


def chart(runs, path):
    width, height, left, right, top, bottom = 900, 520, 70, 330, 30, 60
    sizes = [index["mb"] for index, _ in runs]
    names = list(runs[0][1])
    times = [t for _, cases in runs for (ours, theirs, _) in cases.values() for t in (ours, theirs)]
    x0, x1 = math.log10(min(sizes) / 1.3), math.log10(max(sizes) * 1.3)
    y0, y1 = math.log10(max(min(times) / 1.5, 0.1)), math.log10(max(times) * 1.5)

    def x(mb):
        return left + (math.log10(mb) - x0) / (x1 - x0) * (width - left - right)

    def y(ms):
        return height - bottom - (math.log10(ms) - y0) / (y1 - y0) * (height - top - bottom)

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    # Grid: decades of time, the measured sizes.
    for decade in range(math.floor(y0), math.ceil(y1) + 1):
        for m in (1, 2, 5):
            ms = m * 10 ** decade
            if y0 <= math.log10(ms) <= y1:
                svg.append(f'<line x1="{left}" x2="{width - right}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" stroke="#ddd"/>')
                svg.append(f'<text x="{left - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:g}</text>')
    for mb in sizes:
        svg.append(f'<line x1="{x(mb):.1f}" x2="{x(mb):.1f}" y1="{top}" y2="{height - bottom}" stroke="#ddd"/>')
        label = f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb:.0f} MB"
        svg.append(f'<text x="{x(mb):.1f}" y="{height - bottom + 18}" text-anchor="middle">{label}</text>')
    svg.append(f'<text x="{(left + width - right) / 2}" y="{height - 15}" text-anchor="middle">corpus size (text)</text>')
    svg.append(f'<text x="18" y="{(top + height - bottom) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {(top + height - bottom) / 2})">end-to-end time, ms (log)</text>')
    # rg: the median of its times at each size.
    rg = []
    for mb, (_, cases) in zip(sizes, runs):
        theirs = sorted(t for (_, t, _) in cases.values())
        rg.append((mb, theirs[len(theirs) // 2]))
    points = " ".join(f"{x(mb):.1f},{y(ms):.1f}" for mb, ms in rg)
    svg.append(f'<polyline points="{points}" fill="none" stroke="black" stroke-width="2.5" stroke-dasharray="8 5"/>')
    legend_y = top + 10
    svg.append(f'<line x1="{width - right + 20}" x2="{width - right + 50}" y1="{legend_y}" y2="{legend_y}" '
               f'stroke="black" stroke-width="2.5" stroke-dasharray="8 5"/>')
    svg.append(f'<text x="{width - right + 56}" y="{legend_y + 4}">rg (median over the cases)</text>')
    for k, name in enumerate(names):
        colour = COLOURS[k % len(COLOURS)]
        line = [(mb, cases[name][0]) for mb, (_, cases) in zip(sizes, runs) if name in cases]
        points = " ".join(f"{x(mb):.1f},{y(ms):.1f}" for mb, ms in line)
        svg.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        for mb, ms in line:
            svg.append(f'<circle cx="{x(mb):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>')
        ly = legend_y + 20 * (k + 1)
        svg.append(f'<line x1="{width - right + 20}" x2="{width - right + 50}" y1="{ly}" y2="{ly}" '
                   f'stroke="{colour}" stroke-width="1.8"/>')
        text = name.replace("&", "&amp;").replace("<", "&lt;")
        svg.append(f'<text x="{width - right + 56}" y="{ly + 4}">{text}</text>')
    svg.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")


def main():
    out, files = sys.argv[1], sys.argv[2:]
    runs = [read(path) for path in files]
    runs.sort(key=lambda run: run[0]["mb"] if run[0] else 0)
    print(table(runs))
    chart(runs, out)


if __name__ == "__main__":
    main()
