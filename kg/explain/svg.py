"""SVG of a diagram, written by hand (no Graphviz): well-formed, self-contained XML.

Nodes and edges carry ``data-*`` attributes and ``<title>`` tooltips, which the HTML
page uses for hover highlighting.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from kg.explain.layout import LINE_H, PAD, SUB_H, Layout, layout
from kg.explain.model import Diagram
from kg.explain.style import DIVERGENCE, EDGE, FONT, KIND_NAMES, VERDICT_COLOURS, colours

SVG_NS = "http://www.w3.org/2000/svg"


def _attrs(**values: object) -> str:
    return " ".join(f"{k.replace('_', '-')}={quoteattr(str(v))}" for k, v in values.items())


def _defs() -> list[str]:
    marker = (
        '<marker id="arrow{suffix}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    )
    return [
        "<defs>",
        marker.format(suffix="", colour=EDGE),
        marker.format(suffix="-div", colour=DIVERGENCE),
        "</defs>",
    ]


def _legend(lay: Layout, diverges: bool) -> list[str]:
    out = ['<g class="legend">']
    x = 30.0
    for kind, name in KIND_NAMES.items():
        fill, stroke = colours(kind)
        out.append(f'<rect x="{x:.0f}" y="{lay.legend_y:.0f}" width="14" height="14" rx="3" '
                   f'fill="{fill}" stroke="{stroke}"/>')
        out.append(f'<text x="{x + 20:.0f}" y="{lay.legend_y + 11:.0f}" font-size="11">{escape(name)}</text>')
        x += 30 + 6.2 * len(name)
    if diverges:
        out.append(f'<rect x="{x:.0f}" y="{lay.legend_y:.0f}" width="14" height="14" rx="3" fill="#fff" '
                   f'stroke="{DIVERGENCE}" stroke-width="3"/>')
        out.append(f'<text x="{x + 20:.0f}" y="{lay.legend_y + 11:.0f}" font-size="11">where the chains diverge</text>')
    out.append("</g>")
    return out


def render_svg(diagram: Diagram, lay: Layout | None = None) -> str:
    lay = lay or layout(diagram)
    w, h = lay.width, lay.height
    out = [
        f'<svg xmlns="{SVG_NS}" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" '
        f'font-family={quoteattr(FONT)} font-size="12" class="painkg-explain">',
        f"<title>{escape(diagram.title)}</title>",
        *_defs(),
        f'<rect width="{w:.0f}" height="{h:.0f}" fill="#ffffff"/>',
    ]
    verdict_colour = VERDICT_COLOURS.get(diagram.verdict, EDGE)
    out.append(f'<text x="30" y="34" font-size="20" font-weight="bold">{escape(diagram.title)}</text>')
    out.append(f'<text x="30" y="56" font-size="13" fill="{verdict_colour}">verdict: {escape(diagram.verdict)}'
               f"  ·  necessity: {escape(diagram.necessity)}</text>")
    for side, title, top, bottom in lay.lane_bands:
        fill = {"aligned": "#f0fdf4", "diagnosis": "#eff6ff", "procedure": "#fdf2f8"}[side]
        out.append(f'<g class="lane" data-side="{side}"><rect x="8" y="{top:.0f}" width="{w - 16:.0f}" '
                   f'height="{bottom - top:.0f}" rx="8" fill="{fill}"/>'
                   f'<text x="14" y="{top + 14:.0f}" font-size="11" fill="#6b7280">{escape(title)}</text></g>')
    if lay.divergence_band:
        left, right = lay.divergence_band
        top = min(t for _, _, t, _ in lay.lane_bands)
        bottom = max(b for _, _, _, b in lay.lane_bands)
        out.append(f'<g class="divergence"><rect x="{left:.0f}" y="{top - 6:.0f}" width="{right - left:.0f}" '
                   f'height="{bottom - top + 12:.0f}" rx="10" fill="{DIVERGENCE}" fill-opacity="0.07" '
                   f'stroke="{DIVERGENCE}" stroke-dasharray="6 4"/>'
                   f'<text x="{(left + right) / 2:.0f}" y="{top - 10:.0f}" font-size="11" text-anchor="middle" '
                   f'fill="{DIVERGENCE}" font-weight="bold">chains diverge here</text></g>')
    for seg in lay.segments:
        e = seg.edge
        div = e.style == "divergence"
        colour = DIVERGENCE if div else EDGE
        dash = ' stroke-dasharray="6 4"' if e.style in ("dashed", "divergence") else ""
        marker = "" if div else ' marker-end="url(#arrow)"'
        lx, ly = seg.label_at
        out.append(
            f'<g class="edge" {_attrs(data_source=e.source, data_target=e.target, data_predicate=e.predicate)}>'
            f"<title>{escape(e.label)}</title>"
            f'<path d="M{seg.x1:.1f},{seg.y1:.1f} Q{seg.cx:.1f},{seg.cy:.1f} {seg.x2:.1f},{seg.y2:.1f}" '
            f'fill="none" stroke="{colour}" stroke-width="{2 if div else 1.4}"{dash}{marker}/>'
            f'<text x="{lx:.1f}" y="{ly - 5:.1f}" text-anchor="middle" font-size="10.5" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(e.label)}</text></g>'
        )
    for node_id, box in lay.boxes.items():
        node = diagram.nodes[node_id]
        fill, stroke = colours(node.kind)
        width = 1.5
        if node.diverges:
            stroke, width = DIVERGENCE, 3.5
        x0, y0 = box.x - box.w / 2, box.y - box.h / 2
        attrs = _attrs(id=node_id, data_iri=node.iri, data_kind=node.kind, data_type=node.type_label,
                       data_roles=", ".join(node.roles), data_diverges=str(node.diverges).lower())
        out.append(f'<g class="node" {attrs}><title>{escape(node.label)}\n{escape(node.iri)}</title>')
        out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{box.w:.0f}" height="{box.h:.0f}" rx="9" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>')
        for i, line in enumerate(box.lines):
            y = y0 + PAD + LINE_H * (i + 1) - 3
            out.append(f'<text x="{box.x:.1f}" y="{y:.1f}" text-anchor="middle">{escape(line)}</text>')
        for i, line in enumerate(box.subtitle):
            y = y0 + PAD + LINE_H * len(box.lines) + 11 + SUB_H * i
            out.append(f'<text x="{box.x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="10" '
                       f'font-style="italic" fill="#4b5563">{escape(line)}</text>')
        out.append("</g>")
    out += _legend(lay, any(n.diverges for n in diagram.nodes.values()))
    for i, note in enumerate(lay.notes):
        out.append(f'<text x="30" y="{lay.notes_y + 12 + i * 17:.0f}" font-size="12" fill="#111827">'
                   f"{escape(note)}</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
