"""The picture of a check, as a small graph: nodes with kinds and roles, edges, lanes.

Built from the real :class:`~kg.model.CheckResult`: every node and edge comes from
its ``paths``. An aligned (or indeterminate) result gives one lane per path. A
misaligned result gives the diagnosis chains and the procedure chains in separate
lanes, side by side, with the mechanism column (where they diverge) highlighted.

Columns run from the diagnosis (left) to the procedure (right); the mechanisms of
every lane share one column so that the two sides line up where they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.graph import PainKG
from kg.model import CheckResult, PathStep
from kg.namespaces import (
    HAS_DIRECT_SITE,
    HAS_MECHANISM,
    HAS_PAIN_GENERATOR,
    HAS_POSSIBLE_MECHANISM,
    ICD,
    INNERVATES,
)

# The most specific kind wins when an entity has several (a nerve is also anatomy).
_KIND_PRIORITY = {"diagnosis": 0, "mechanism": 1, "procedure": 2, "nerve": 3, "anatomy": 4, "region": 5}

DIAGNOSIS_SIDE = "diagnosis"
PROCEDURE_SIDE = "procedure"
ALIGNED_SIDE = "aligned"


@dataclass
class Node:
    id: str
    iri: str
    label: str
    kind: str
    type_label: str = ""
    roles: list[str] = field(default_factory=list)
    column: int = 0
    row: float = 0.0
    diverges: bool = False

    @property
    def subtitle(self) -> str:
        parts = self.roles or [self.kind]
        text = ", ".join(dict.fromkeys(parts))
        return f"{text} · {self.type_label}" if self.type_label and self.type_label not in text else text


@dataclass
class Edge:
    source: str  # node id
    target: str  # node id
    label: str
    predicate: str = ""
    style: str = "solid"  # solid, dashed (possible mechanism) or divergence


@dataclass
class Lane:
    side: str  # aligned, diagnosis or procedure
    title: str
    node_ids: list[str]


@dataclass
class Diagram:
    title: str
    verdict: str
    necessity: str
    nodes: dict[str, Node]
    edges: list[Edge]
    lanes: list[Lane]
    notes: list[str]
    divergence_column: int | None = None
    divergence_note: str = ""

    @property
    def columns(self) -> int:
        return 1 + max((n.column for n in self.nodes.values()), default=0)


def entity_kinds(kg: PainKG) -> dict[str, tuple[str, str]]:
    """IRI -> (kind, type label), from ``queries/entity-kinds.rq``."""
    best: dict[str, tuple[int, str, str]] = {}
    for row in kg.rows("entity-kinds"):
        rank = _KIND_PRIORITY.get(str(row["kind"]), 9)
        current = best.get(row["entity"])
        if current is None or rank < current[0]:
            best[row["entity"]] = (rank, str(row["kind"]), str(row["typeLabel"]))
    return {iri: (kind, label) for iri, (_, kind, label) in best.items()}


def _walk(steps: list[PathStep]) -> list[str]:
    """The node sequence of a chain of steps (each step shares one node with the previous)."""
    if not steps:
        return []
    first = steps[0]
    if len(steps) > 1 and first.subject in (steps[1].subject, steps[1].object):
        seq = [first.object, first.subject]
    else:
        seq = [first.subject, first.object]
    for step in steps[1:]:
        seq.append(step.object if step.subject == seq[-1] else step.subject)
    return seq


def _roles(step: PathStep) -> tuple[tuple[str, str], ...]:
    """(IRI, role) pairs a step gives its ends."""
    p = step.predicate
    if p == HAS_PAIN_GENERATOR:
        return ((step.object, "pain generator"),)
    if p == INNERVATES:
        return ((step.subject, "innervating nerve"),)
    if p == HAS_DIRECT_SITE:
        return ((step.object, "procedure target"),)
    if p in (HAS_MECHANISM, HAS_POSSIBLE_MECHANISM):
        return ((step.object, "mechanism"),)
    return ()


class _Builder:
    def __init__(self, kinds: dict[str, tuple[str, str]]) -> None:
        self.kinds = kinds
        self.nodes: dict[str, Node] = {}
        self.by_iri: dict[str, str] = {}
        self.edges: dict[tuple[str, str, str], Edge] = {}

    def node(self, iri: str, label: str) -> Node:
        if iri not in self.by_iri:
            kind, type_label = self.kinds.get(iri, ("diagnosis" if iri.startswith(ICD) else "other", ""))
            if kind == "diagnosis" and not type_label:
                type_label = "ICD-10-CM"
            node_id = f"n{len(self.nodes)}"
            self.nodes[node_id] = Node(node_id, iri, label, kind, type_label)
            self.by_iri[iri] = node_id
        return self.nodes[self.by_iri[iri]]

    def add_steps(self, steps: list[PathStep]) -> None:
        for step in steps:
            s = self.node(step.subject, step.subject_label)
            o = self.node(step.object, step.object_label)
            for iri, role in _roles(step):
                node = self.nodes[self.by_iri[iri]]
                if role not in node.roles:
                    node.roles.append(role)
            style = "dashed" if step.predicate == HAS_POSSIBLE_MECHANISM else "solid"
            self.edges.setdefault(
                (s.id, step.predicate, o.id), Edge(s.id, o.id, step.predicate_label, step.predicate, style)
            )


def build_diagram(result: CheckResult, kinds: dict[str, tuple[str, str]]) -> Diagram:
    """Lay the check's paths out as lanes and columns; mark where the two sides diverge."""
    b = _Builder(kinds)
    lanes: list[Lane] = []
    for steps, meta in zip(result.paths, result.path_kinds):
        b.add_steps(steps)
        seq = [b.by_iri[i] for i in _walk(steps)]
        if meta["kind"] == "procedure-chain":
            seq = seq[::-1]  # mechanism first, procedure last
            side, title = PROCEDURE_SIDE, f"{result.procedure['code']} treats {meta['mechanism']}"
        elif meta["kind"] == "diagnosis-chain":
            side, title = DIAGNOSIS_SIDE, f"{meta['diagnosis']} expresses {meta['mechanism']}"
        else:
            side, title = ALIGNED_SIDE, f"{meta['kind']}: {meta['mechanism']}"
        lanes.append(Lane(side, title, seq))

    # A diagnosis with no modelled mechanism still appears, alone in its lane.
    dx_codes = [d.code for d in result.diagnoses]
    dx_iris = {ICD + code for code in dx_codes}
    for dx in result.diagnoses:
        if ICD + dx.code not in b.by_iri:
            node = b.node(ICD + dx.code, f"{dx.code} {dx.title}")
            node.roles.append("diagnosis without a spine pain mechanism")
            lanes.insert(0, Lane(DIAGNOSIS_SIDE, f"{dx.code}: no pain mechanism in painkg", [node.id]))
    if not any(b.nodes[i].kind == "procedure" for lane in lanes for i in lane.node_ids):
        b.node(result.procedure["iri"], f"{result.procedure['code']} {result.procedure['label']}")
        lanes.append(Lane(PROCEDURE_SIDE, f"{result.procedure['code']}: no modelled mechanism",
                          [b.by_iri[result.procedure["iri"]]]))
    order = {ALIGNED_SIDE: 0, DIAGNOSIS_SIDE: 1, PROCEDURE_SIDE: 2}
    lanes.sort(key=lambda lane: order[lane.side])

    for node in b.nodes.values():
        if node.kind == "diagnosis" and not node.roles:
            node.roles.append("diagnosis" if node.iri in dx_iris else "ICD-10-CM parent")
        elif node.kind in ("procedure", "mechanism") and not node.roles:
            node.roles.append(node.kind)
    _place(b.nodes, lanes)
    diagram = Diagram(
        title=f"{result.procedure['code']} with {', '.join(dx_codes)}: {result.verdict}",
        verdict=result.verdict,
        necessity=result.necessity,
        nodes=b.nodes,
        edges=list(b.edges.values()),
        lanes=lanes,
        notes=list(result.reasons),
    )
    if result.verdict == "misaligned":
        _mark_divergence(diagram)
    return diagram


def _place(nodes: dict[str, Node], lanes: list[Lane]) -> None:
    """Columns: mechanisms share one column; procedures take the last. Rows: mean lane index."""
    def mech_index(seq: list[str]) -> int | None:
        return next((i for i, n in enumerate(seq) if nodes[n].kind == "mechanism"), None)

    anchor = max((mech_index(lane.node_ids) or 0 for lane in lanes), default=0)
    anchor = max(anchor, 1 if any(mech_index(lane.node_ids) is None for lane in lanes) else 0)
    columns: dict[str, int] = {}
    for lane in lanes:
        idx = mech_index(lane.node_ids)
        offset = anchor - idx if idx is not None else 0
        if idx is None and lane.side == DIAGNOSIS_SIDE:
            offset = anchor - len(lane.node_ids)
        for i, node_id in enumerate(lane.node_ids):
            columns.setdefault(node_id, max(0, i + offset))
    # The procedure closes every lane: one column right of everything else.
    last = max([c for i, c in columns.items() if nodes[i].kind != "procedure"] + [anchor]) + 1
    lanes_of: dict[str, list[int]] = {}
    for index, lane in enumerate(lanes):
        for node_id in lane.node_ids:
            lanes_of.setdefault(node_id, []).append(index)
    for node_id, node in nodes.items():
        node.column = last if node.kind == "procedure" else columns.get(node_id, 0)
        rows = lanes_of.get(node_id, [0])
        node.row = sum(rows) / len(rows)
    # Two nodes never share a cell: nudge the later one down.
    for column in {n.column for n in nodes.values()}:
        placed: list[Node] = sorted((n for n in nodes.values() if n.column == column), key=lambda n: n.row)
        for prev, cur in zip(placed, placed[1:]):
            if cur.row - prev.row < 0.75:
                cur.row = prev.row + 0.75


def _mark_divergence(diagram: Diagram) -> None:
    """Highlight where the diagnosis side and the procedure side part ways."""
    def side_nodes(side: str, kind: str) -> list[str]:
        out: list[str] = []
        for lane in diagram.lanes:
            if lane.side == side:
                out += [i for i in lane.node_ids if diagram.nodes[i].kind == kind and i not in out]
        return out

    nodes = diagram.nodes
    dx_mechs, pr_mechs = side_nodes(DIAGNOSIS_SIDE, "mechanism"), side_nodes(PROCEDURE_SIDE, "mechanism")
    if not dx_mechs:
        for i in side_nodes(DIAGNOSIS_SIDE, "diagnosis"):
            nodes[i].diverges = True
            diagram.divergence_column = nodes[i].column
        diagram.divergence_note = "the diagnosis has no spine pain mechanism: nothing for the procedure to treat"
        return
    differing = [i for i in dx_mechs if i not in pr_mechs] + [i for i in pr_mechs if i not in dx_mechs]
    if not differing:  # same mechanism, incompatible regions
        for i in side_nodes(DIAGNOSIS_SIDE, "diagnosis")[:1] + side_nodes(PROCEDURE_SIDE, "procedure"):
            nodes[i].diverges = True
        diagram.divergence_note = "same mechanism, but the spinal regions do not overlap"
        return
    for i in differing:
        nodes[i].diverges = True
    diagram.divergence_column = nodes[differing[0]].column
    diagram.divergence_note = "the mechanisms differ: the diagnosis expresses one, the procedure treats another"
    # Divergence edges between the facing lanes (last diagnosis lane, first procedure lane).
    dx_lane = [lane for lane in diagram.lanes if lane.side == DIAGNOSIS_SIDE][-1]
    pr_lane = next(lane for lane in diagram.lanes if lane.side == PROCEDURE_SIDE)
    facing = (
        (lambda n: n.kind == "mechanism", "≠ different mechanism"),
        (lambda n: "pain generator" in n.roles, "≠ different generator"),
    )
    for matches, text in facing:
        a = next((i for i in dx_lane.node_ids if matches(nodes[i])), None)
        c = next((i for i in pr_lane.node_ids if matches(nodes[i])), None)
        if a and c and a != c:
            nodes[a].diverges = nodes[c].diverges = True
            diagram.edges.append(Edge(a, c, text, "", "divergence"))
