"""`painkg explain`: each picture format is produced from the real check and is well-formed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.explain import diagram_for, render
from kg.namespaces import ICD, PK

SVG = "{http://www.w3.org/2000/svg}"
SEED_NODES = [
    ICD + "M54.51",
    PK + "VertebrogenicPain",
    PK + "VertebralEndplate",
    PK + "BasivertebralNerve",
    PK + "BasivertebralNerveAblationInitial",
]


@pytest.fixture(scope="module")
def seed(kg):
    return diagram_for("64628", "M54.51", kg=kg)


@pytest.fixture(scope="module")
def mismatch(kg):
    return diagram_for("64628", "M51.16", kg=kg)


def _by_iri(diagram):
    return {n.iri: n for n in diagram.nodes.values()}


def test_seed_diagram_has_the_whole_chain_coloured_by_kind(seed):
    nodes = _by_iri(seed)
    assert list(nodes) == SEED_NODES
    kinds = [nodes[i].kind for i in SEED_NODES]
    assert kinds == ["diagnosis", "mechanism", "anatomy", "nerve", "procedure"]
    assert "pain generator" in nodes[PK + "VertebralEndplate"].roles
    assert {"innervating nerve", "procedure target"} <= set(nodes[PK + "BasivertebralNerve"].roles)
    assert [n.column for n in nodes.values()] == [0, 1, 2, 3, 4]
    assert {e.label for e in seed.edges} == {"has mechanism", "has pain generator", "innervates", "has direct site"}
    assert not any(n.diverges for n in seed.nodes.values())


def test_misaligned_pair_draws_both_chains_and_marks_the_divergence(mismatch):
    assert mismatch.verdict == "misaligned"
    assert {lane.side for lane in mismatch.lanes} == {"diagnosis", "procedure"}
    nodes = _by_iri(mismatch)
    radicular, vertebrogenic = nodes[PK + "RadicularPain"], nodes[PK + "VertebrogenicPain"]
    assert radicular.diverges and vertebrogenic.diverges
    assert radicular.column == vertebrogenic.column == mismatch.divergence_column
    assert radicular.row != vertebrogenic.row  # side by side, in different lanes
    divergence = [e for e in mismatch.edges if e.style == "divergence"]
    assert {(mismatch.nodes[e.source].iri, mismatch.nodes[e.target].iri) for e in divergence} >= {
        (PK + "RadicularPain", PK + "VertebrogenicPain")
    }
    assert "mechanisms differ" in mismatch.divergence_note


def test_diagnosis_without_mechanism_is_the_divergence(kg):
    diagram = diagram_for("64628", "J45.909", kg=kg)
    dx = _by_iri(diagram)[ICD + "J45.909"]
    assert dx.diverges and diagram.verdict == "misaligned"


def test_svg_is_well_formed_xml_with_every_node(seed, mismatch):
    for diagram in (seed, mismatch):
        root = ET.fromstring(render(diagram, "svg"))
        assert root.tag == SVG + "svg"
        groups = [g for g in root.iter(SVG + "g") if g.get("class") == "node"]
        assert {g.get("data-iri") for g in groups} == {n.iri for n in diagram.nodes.values()}
        texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
        assert "has pain generator" in texts
    root = ET.fromstring(render(mismatch, "svg"))
    assert any(g.get("data-diverges") == "true" for g in root.iter(SVG + "g"))


def test_dot_contains_the_path_nodes_and_edge_labels(seed, mismatch):
    dot = render(seed, "dot")
    assert dot.startswith("digraph painkg_explain {") and dot.rstrip().endswith("}")
    for iri in SEED_NODES:
        assert f'"{iri}"' in dot
    for label in ("vertebral endplate", "basivertebral nerve", "has direct site", "innervates"):
        assert label in dot
    assert dot.count("{") == dot.count("}")
    assert "≠ different mechanism" in render(mismatch, "dot")


def test_html_is_self_contained(mismatch):
    html = render(mismatch, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "<script>" in html
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html)
    ET.fromstring(html[html.index("<svg"): html.index("</svg>") + 6])


def test_png_has_the_png_signature(seed):
    pytest.importorskip("matplotlib")
    png = render(seed, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 1000 and height > 300


@pytest.mark.parametrize("fmt", ["svg", "png", "html", "dot"])
def test_cli_writes_each_format(tmp_path, fmt, store_path):
    if fmt == "png":
        pytest.importorskip("matplotlib")
    out = tmp_path / f"seed.{fmt}"
    result = CliRunner().invoke(main, ["explain", "64628", "M54.51", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" if fmt == "png" else b"basivertebral nerve" in data


def test_cli_bad_input_is_one_line_exit_2(store_path):
    result = CliRunner().invoke(main, ["explain", "64628", "M54.5", "--format", "dot"])
    assert result.exit_code == 2
    assert "header code" in result.output


@pytest.mark.parametrize(
    ("procedure", "diagnosis"),
    [("64628", "M54.51"), ("64628", "M51.16"), ("64483", "M51.16"), ("62323", "M54.51"),
     ("64490", "M47.816"), ("64628", "M54.50"), ("64628", "J45.909")],
)
def test_layout_gives_every_node_its_own_cell_and_the_procedure_the_last_column(kg, procedure, diagnosis):
    diagram = diagram_for(procedure, diagnosis, kg=kg)
    cells = [(n.column, n.row) for n in diagram.nodes.values()]
    assert len(cells) == len(set(cells))
    proc = next(n for n in diagram.nodes.values() if n.kind == "procedure")
    assert proc.column == diagram.columns - 1
    assert proc.label.startswith(procedure)


def test_region_mismatch_marks_diagnosis_and_procedure(kg):
    diagram = diagram_for("64490", "M47.816", kg=kg)  # cervical procedure, lumbar diagnosis
    assert diagram.verdict == "misaligned"
    marked = {n.kind for n in diagram.nodes.values() if n.diverges}
    assert marked == {"diagnosis", "procedure"}
    assert "regions do not overlap" in diagram.divergence_note
