"""Pixel geometry of a diagram (shared by the SVG and PNG renderers): pure arithmetic."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from kg.explain.model import Diagram, Edge

NODE_W = 190
LINE_H = 15
SUB_H = 14
PAD = 8
COL_W = 320
LANE_H = 135
LANE_PAD = 10  # room for the lane title above the nodes
SUB_WRAP = 34
MARGIN = 30
TOP = 80
WRAP = 27
MAX_LINES = 4
LEGEND_H = 34
NOTE_H = 17
BEND = 0.22  # control-point offset of column-skipping edges, relative to their length
CHAR_W = 6.4  # mean width of a 12 px sans-serif character


@dataclass
class Box:
    x: float  # centre
    y: float  # centre
    w: float
    h: float
    lines: list[str]
    subtitle: list[str]

    def clip(self, tx: float, ty: float) -> tuple[float, float]:
        """The point where the segment from the centre towards (tx, ty) leaves the box."""
        dx, dy = tx - self.x, ty - self.y
        if dx == 0 and dy == 0:
            return self.x, self.y
        scale = min(
            (self.w / 2 + 3) / abs(dx) if dx else float("inf"),
            (self.h / 2 + 3) / abs(dy) if dy else float("inf"),
        )
        return self.x + dx * scale, self.y + dy * scale


@dataclass
class Segment:
    """An edge drawn as a quadratic curve through (cx, cy); straight when that is the midpoint."""

    edge: Edge
    x1: float
    y1: float
    x2: float
    y2: float
    cx: float
    cy: float

    @property
    def curved(self) -> bool:
        return abs(self.cx - (self.x1 + self.x2) / 2) > 0.5 or abs(self.cy - (self.y1 + self.y2) / 2) > 0.5

    @property
    def label_at(self) -> tuple[float, float]:
        """The curve's midpoint (t = 0.5)."""
        return (self.x1 + 2 * self.cx + self.x2) / 4, (self.y1 + 2 * self.cy + self.y2) / 4


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict[str, Box]
    segments: list[Segment]
    lane_bands: list[tuple[str, str, float, float]]  # side, title, top, bottom
    divergence_band: tuple[float, float] | None  # x left, x right
    legend_y: float
    notes: list[str]
    notes_y: float


def wrap(label: str) -> list[str]:
    lines = textwrap.wrap(label, WRAP) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: WRAP - 1].rstrip() + "…"
    return lines


def layout(diagram: Diagram) -> Layout:
    boxes: dict[str, Box] = {}
    for node in diagram.nodes.values():
        lines = wrap(node.label)
        subtitle = textwrap.wrap(node.subtitle, SUB_WRAP) or [""]
        h = 2 * PAD + LINE_H * len(lines) + SUB_H * len(subtitle)
        x = MARGIN + NODE_W / 2 + node.column * COL_W
        y = TOP + LANE_PAD + LANE_H / 2 + node.row * LANE_H
        boxes[node.id] = Box(x, y, NODE_W, h, lines, subtitle)
    segments = []
    for edge in diagram.edges:
        a, b = boxes[edge.source], boxes[edge.target]
        span = abs(diagram.nodes[edge.source].column - diagram.nodes[edge.target].column)
        # An edge that skips a column bows upwards, around the nodes in between.
        bend = BEND if span > 1 else 0.0
        cx = (a.x + b.x) / 2 - bend * (b.y - a.y)
        cy = (a.y + b.y) / 2 - bend * abs(b.x - a.x)
        x1, y1 = a.clip(cx, cy) if bend else a.clip(b.x, b.y)
        x2, y2 = b.clip(cx, cy) if bend else b.clip(a.x, a.y)
        if not bend:
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        segments.append(Segment(edge, x1, y1, x2, y2, cx, cy))
    rows = max((n.row for n in diagram.nodes.values()), default=0)
    lanes_bottom = TOP + (max(rows, len(diagram.lanes) - 1) + 1) * LANE_H
    width = 2 * MARGIN + (diagram.columns - 1) * COL_W + NODE_W
    bands = []
    for side in ("aligned", "diagnosis", "procedure"):
        idx = [i for i, lane in enumerate(diagram.lanes) if lane.side == side]
        if idx:
            title = {"aligned": "reasoning path", "diagnosis": "diagnosis side",
                     "procedure": "procedure side"}[side]
            bands.append((side, title, TOP + idx[0] * LANE_H + 4, TOP + (idx[-1] + 1) * LANE_H - 4))
    div = None
    if diagram.divergence_column is not None:
        left = MARGIN + diagram.divergence_column * COL_W - 14
        div = (left, left + NODE_W + 28)
    width = max(width, 900)
    per_line = max(80, int((width - 2 * MARGIN) / CHAR_W))
    texts = (["Divergence: " + diagram.divergence_note + "."] if diagram.divergence_note else []) + diagram.notes
    notes = [line for note in texts for line in textwrap.wrap(note, per_line)]
    legend_y = lanes_bottom + 16
    notes_y = legend_y + LEGEND_H
    height = notes_y + NOTE_H * len(notes) + MARGIN
    return Layout(width, height, boxes, segments, bands, div, legend_y, notes, notes_y)
