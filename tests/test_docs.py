"""`painkg docs`: HTML reference naming every class of the curated ontology."""

from __future__ import annotations

from html.parser import HTMLParser

import rdflib
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF, RDFS

from kg import resources
from kg.cli import main


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag in ("script", "link", "img") and (a.get("src") or a.get("href")):
            self.external.append(tag)


def _classes(files):
    graph = rdflib.Graph()
    for path in files:
        graph.parse(str(path), format="turtle")
    return graph, {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, rdflib.URIRef)}


def test_docs_name_every_class_with_label_and_anchor(tmp_path):
    result = CliRunner().invoke(main, ["docs", "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    files = resources.graph_files()
    graph, classes = _classes(files)
    _, tbox_classes = _classes([resources.ontology_dir() / "tbox.ttl"])
    assert tbox_classes <= classes and len(classes) > 100
    for cls in classes:
        assert f"<code>{cls}</code>" in html, cls
        label = graph.value(cls, RDFS.label)
        if label is not None:
            assert str(label).replace("&", "&amp;") in html, label
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        assert f"<code>{prop}</code>" in html
    parser = _Collect()
    parser.feed(html)
    assert set(parser.links) <= parser.ids  # every internal link resolves
    assert not parser.external  # self-contained
    assert f"{len(classes)} classes" in result.output
