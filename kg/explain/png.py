"""PNG of a diagram with matplotlib (Agg backend, no system libraries), same layout as the SVG."""

from __future__ import annotations

import io

from kg.errors import KGError
from kg.explain.layout import LINE_H, PAD, SUB_H, layout
from kg.explain.model import Diagram
from kg.explain.style import DIVERGENCE, EDGE, KIND_NAMES, VERDICT_COLOURS, colours

PX = 72 / 100  # points per layout pixel at 100 dpi
SCALE = 2  # output pixels per layout pixel


class MissingRendererError(KGError):
    code = "missing-dependency"


def render_png(diagram: Diagram) -> bytes:
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingRendererError(
            "PNG output needs matplotlib: pip install 'painkg[explain]' (or use --format svg)"
        ) from exc

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
    from matplotlib.path import Path

    lay = layout(diagram)
    fig = Figure(figsize=(lay.width / 100, lay.height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.axis("off")
    font = {"family": "DejaVu Sans"}

    ax.text(30, 34, diagram.title, fontsize=20 * PX, fontweight="bold", va="baseline", **font)
    ax.text(30, 56, f"verdict: {diagram.verdict}  ·  necessity: {diagram.necessity}", fontsize=13 * PX,
            color=VERDICT_COLOURS.get(diagram.verdict, EDGE), va="baseline", **font)
    for side, title, top, bottom in lay.lane_bands:
        fill = {"aligned": "#f0fdf4", "diagnosis": "#eff6ff", "procedure": "#fdf2f8"}[side]
        ax.add_patch(FancyBboxPatch((8, top), lay.width - 16, bottom - top, boxstyle="round,pad=0,rounding_size=8",
                                    facecolor=fill, edgecolor="none"))
        ax.text(14, top + 14, title, fontsize=11 * PX, color="#6b7280", va="baseline", **font)
    if lay.divergence_band:
        left, right = lay.divergence_band
        top = min(t for _, _, t, _ in lay.lane_bands) - 6
        bottom = max(b for _, _, _, b in lay.lane_bands) + 6
        ax.add_patch(FancyBboxPatch((left, top), right - left, bottom - top, boxstyle="round,pad=0,rounding_size=10",
                                    facecolor=DIVERGENCE, alpha=0.07, edgecolor="none"))
        ax.add_patch(FancyBboxPatch((left, top), right - left, bottom - top, boxstyle="round,pad=0,rounding_size=10",
                                    facecolor="none", edgecolor=DIVERGENCE, linestyle="--"))
        ax.text((left + right) / 2, top - 4, "chains diverge here", fontsize=11 * PX, color=DIVERGENCE,
                ha="center", va="baseline", fontweight="bold", **font)
    for seg in lay.segments:
        e = seg.edge
        div = e.style == "divergence"
        colour = DIVERGENCE if div else EDGE
        curve = Path([(seg.x1, seg.y1), (seg.cx, seg.cy), (seg.x2, seg.y2)], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        ax.add_patch(FancyArrowPatch(path=curve, arrowstyle="-" if div else "-|>",
                                     mutation_scale=12, color=colour, linewidth=(2 if div else 1.4) * PX,
                                     linestyle="--" if e.style in ("dashed", "divergence") else "-"))
        lx, ly = seg.label_at
        ax.text(lx, ly - 5, e.label, fontsize=10.5 * PX, color=colour, ha="center", va="baseline",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, **font)
    for node_id, box in lay.boxes.items():
        node = diagram.nodes[node_id]
        fill, stroke = colours(node.kind)
        width = 3.5 if node.diverges else 1.5
        x0, y0 = box.x - box.w / 2, box.y - box.h / 2
        ax.add_patch(FancyBboxPatch((x0, y0), box.w, box.h, boxstyle="round,pad=0,rounding_size=9", facecolor=fill,
                                    edgecolor=DIVERGENCE if node.diverges else stroke, linewidth=width * PX))
        for i, line in enumerate(box.lines):
            ax.text(box.x, y0 + PAD + LINE_H * (i + 1) - 3, line, fontsize=12 * PX, ha="center", va="baseline",
                    **font)
        for i, line in enumerate(box.subtitle):
            ax.text(box.x, y0 + PAD + LINE_H * len(box.lines) + 11 + SUB_H * i, line, fontsize=10 * PX,
                    ha="center", va="baseline", style="italic", color="#4b5563", **font)
    x = 30.0
    for kind, name in KIND_NAMES.items():
        fill, stroke = colours(kind)
        ax.add_patch(Rectangle((x, lay.legend_y), 14, 14, facecolor=fill, edgecolor=stroke))
        ax.text(x + 20, lay.legend_y + 11, name, fontsize=11 * PX, va="baseline", **font)
        x += 30 + 6.2 * len(name)
    if any(n.diverges for n in diagram.nodes.values()):
        ax.add_patch(Rectangle((x, lay.legend_y), 14, 14, facecolor="white", edgecolor=DIVERGENCE, linewidth=2))
        ax.text(x + 20, lay.legend_y + 11, "where the chains diverge", fontsize=11 * PX, va="baseline", **font)
    for i, note in enumerate(lay.notes):
        ax.text(30, lay.notes_y + 12 + i * 17, note, fontsize=12 * PX, va="baseline", color="#111827", **font)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100 * SCALE, facecolor="white")
    return buffer.getvalue()
