"""Graphviz DOT text of a diagram (rendering it needs Graphviz; writing it does not)."""

from __future__ import annotations

from kg.explain.layout import wrap
from kg.explain.model import Diagram, Node
from kg.explain.style import DIVERGENCE, EDGE, FONT, colours


def _q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(node: Node) -> str:
    fill, stroke = colours(node.kind)
    attrs = {
        "label": "\n".join(wrap(node.label)) + f"\n({node.subtitle})",
        "fillcolor": fill,
        "color": DIVERGENCE if node.diverges else stroke,
        "penwidth": "3" if node.diverges else "1.2",
        "tooltip": node.iri,
        "URL": node.iri,
    }
    body = ", ".join(f"{k}={_q(v)}" for k, v in attrs.items())
    return f"    {node.id} [{body}];"


def render_dot(diagram: Diagram) -> str:
    out = [
        "digraph painkg_explain {",
        f"  graph [rankdir=LR, fontname={_q(FONT)}, labelloc=t, fontsize=18, label={_q(diagram.title)}, "
        "newrank=true, nodesep=0.4, ranksep=0.9];",
        f'  node [shape=box, style="rounded,filled", fontname={_q(FONT)}, fontsize=11];',
        f"  edge [fontname={_q(FONT)}, fontsize=10, color={_q(EDGE)}];",
    ]
    grouped: set[str] = set()
    sides = [s for s in ("aligned", "diagnosis", "procedure") if any(lane.side == s for lane in diagram.lanes)]
    for side in sides:
        ids = []
        for lane in diagram.lanes:
            if lane.side == side:
                ids += [i for i in lane.node_ids if i not in grouped and i not in ids]
        grouped.update(ids)
        title = {"aligned": "reasoning path", "diagnosis": "diagnosis side", "procedure": "procedure side"}[side]
        out.append(f"  subgraph cluster_{side} {{")
        out.append(f'    label={_q(title)}; style="rounded,dashed"; color="#9ca3af";')
        out += [_node(diagram.nodes[i]) for i in ids]
        out.append("  }")
    for node in diagram.nodes.values():
        if node.id not in grouped:
            out.append(_node(node))
    # Same column, same rank: the two sides line up where they diverge.
    for column in range(diagram.columns):
        ids = [n.id for n in diagram.nodes.values() if n.column == column]
        if len(ids) > 1:
            out.append("  { rank=same; " + "; ".join(ids) + "; }")
    for e in diagram.edges:
        attrs = {"label": e.label}
        if e.style == "dashed":
            attrs["style"] = "dashed"
        if e.style == "divergence":
            attrs.update(style="dashed", color=DIVERGENCE, fontcolor=DIVERGENCE, dir="none",
                         constraint="false", penwidth="2")
        source, target = e.source, e.target
        if e.style != "divergence" and diagram.nodes[source].column > diagram.nodes[target].column:
            # Keep the left-to-right reading order; the arrow still points subject -> object.
            source, target = target, source
            attrs["dir"] = "back"
        body = ", ".join(f"{k}={_q(v)}" for k, v in attrs.items())
        out.append(f"  {source} -> {target} [{body}];")
    if diagram.divergence_note:
        out.append(f"  divergence_note [shape=note, style=filled, fillcolor=\"#fee2e2\", "
                   f"color={_q(DIVERGENCE)}, label={_q('Divergence: ' + diagram.divergence_note)}];")
    out.append("}")
    return "\n".join(out) + "\n"
