"""Ontology reference documentation: one self-contained HTML page from the curated files.

A small pyLODE-style generator (pyLODE 3.x does not install cleanly next to rdflib 7):
the ontology header, then every ``owl:Class`` (definition, super- and subclasses,
disjoint classes, class expressions, asserted types and relations for punned
classes, sources), every object, datatype and annotation property (domain, range,
characteristics, inverse, property chains), the SHACL shapes and the sources. Each
entity has an anchor (its local name) so pages can link to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from kg import resources
from kg.namespaces import DCTERMS, OWL, PREFIXES, RDF, RDFS, SKOS, curie

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

SH = "http://www.w3.org/ns/shacl#"
PROPERTY_KINDS = (
    (OWL + "ObjectProperty", "Object properties", "objectproperties"),
    (OWL + "DatatypeProperty", "Datatype properties", "datatypeproperties"),
    (OWL + "AnnotationProperty", "Annotation properties", "annotationproperties"),
)
CHARACTERISTICS = ("TransitiveProperty", "SymmetricProperty", "FunctionalProperty",
                   "InverseFunctionalProperty", "AsymmetricProperty", "ReflexiveProperty",
                   "IrreflexiveProperty")
# Predicates shown in their own rows, not in the "relations" table.
_SHOWN = {RDF + "type", RDFS + "label", RDFS + "comment", RDFS + "subClassOf", SKOS + "definition",
          OWL + "disjointWith", OWL + "equivalentClass", DCTERMS + "source", RDFS + "domain",
          RDFS + "range", RDFS + "subPropertyOf", OWL + "inverseOf", OWL + "propertyChainAxiom"}


@dataclass
class DocsResult:
    index: Path
    classes: int
    properties: int


def curated_files() -> list[Path]:
    """The curated ontology files documented (the graph files plus the SHACL shapes)."""
    return resources.graph_files() + [resources.ontology_dir() / resources.SHAPES_FILE]


def load(files: Iterable[Path] | None = None) -> tuple[rdflib.Graph, dict[str, str]]:
    """The merged graph and, for each subject, the file that first describes it."""
    import rdflib

    graph = rdflib.Graph()
    origin: dict[str, str] = {}
    for path in files or curated_files():
        part = rdflib.Graph().parse(str(path), format="turtle")
        for s in set(part.subjects()):
            origin.setdefault(str(s), path.name)
        graph += part
    return graph, origin


def _anchor(iri: str) -> str:
    local = iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    prefix = curie(iri).split(":", 1)[0] if ":" in curie(iri) else "x"
    return f"{prefix}-{local}" if prefix not in ("pk",) else local


class _Page:
    def __init__(self, graph: rdflib.Graph, origin: dict[str, str]) -> None:
        from rdflib import URIRef

        self.g = graph
        self.origin = origin
        self.U = URIRef
        self.documented: set[str] = set()

    def value(self, node: object, prop: str) -> str:
        v = self.g.value(node, self.U(prop))
        return str(v) if v is not None else ""

    def label(self, iri: str) -> str:
        return self.value(self.U(iri), RDFS + "label") or curie(iri)

    def link(self, node: object) -> str:
        from rdflib import BNode, Literal

        if isinstance(node, Literal):
            return escape(str(node))
        if isinstance(node, BNode):
            return self.expression(node)
        iri = str(node)
        text = escape(curie(iri))
        if iri in self.documented:
            return f'<a href="#{escape(_anchor(iri))}" title="{escape(self.label(iri))}">{text}</a>'
        if iri.startswith(("http://", "https://")) and not iri.startswith(tuple(PREFIXES.values())):
            return f'<a href="{escape(iri)}">{text}</a>'
        return f"<code>{text}</code>"

    def expression(self, node: object) -> str:
        """Manchester-like text for an OWL class expression or RDF list."""
        from rdflib.collection import Collection

        g, U = self.g, self.U
        if (node, U(RDF + "first"), None) in g:
            return "(" + ", ".join(self.link(x) for x in Collection(g, node)) + ")"
        prop = g.value(node, U(OWL + "onProperty"))
        if prop is not None:
            for key, word in (("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value")):
                filler = g.value(node, U(OWL + key))
                if filler is not None:
                    return f"({self.link(prop)} <i>{word}</i> {self.link(filler)})"
            if g.value(node, U(OWL + "hasSelf")) is not None:
                return f"({self.link(prop)} <i>Self</i>)"
            return f"(restriction on {self.link(prop)})"
        for key, word in (("intersectionOf", "and"), ("unionOf", "or")):
            members = g.value(node, U(OWL + key))
            if members is not None:
                return "(" + f" <i>{word}</i> ".join(self.link(m) for m in Collection(g, members)) + ")"
        complement = g.value(node, U(OWL + "complementOf"))
        if complement is not None:
            return f"(<i>not</i> {self.link(complement)})"
        return "<i>anonymous</i>"

    def row(self, name: str, nodes: Iterable[object]) -> str:
        items = sorted({self.link(n) for n in nodes})
        if not items:
            return ""
        return f"<tr><th>{escape(name)}</th><td>{', '.join(items)}</td></tr>"

    def entity(self, iri: str, kind: str, rows: list[str]) -> str:
        node = self.U(iri)
        definition = self.value(node, SKOS + "definition") or self.value(node, RDFS + "comment")
        comment = self.value(node, RDFS + "comment") if definition != self.value(node, RDFS + "comment") else ""
        parts = [
            f'<section class="entity {kind}" id="{escape(_anchor(iri))}">',
            f"<h3>{escape(self.label(iri))} <small>{escape(kind)}</small></h3>",
            "<table>",
            f"<tr><th>IRI</th><td><code>{escape(iri)}</code></td></tr>",
        ]
        if definition:
            parts.append(f"<tr><th>Definition</th><td>{escape(definition)}</td></tr>")
        if comment:
            parts.append(f"<tr><th>Comment</th><td>{escape(comment)}</td></tr>")
        parts += [r for r in rows if r]
        parts.append(self.row("Sources", self.g.objects(node, self.U(DCTERMS + "source"))))
        if iri in self.origin:
            parts.append(f"<tr><th>Defined in</th><td><code>ontology/{escape(self.origin[iri])}</code></td></tr>")
        parts.append("</table></section>")
        return "\n".join(p for p in parts if p)


def _relations(page: _Page, node: object) -> list[str]:
    from rdflib import BNode

    grouped: dict[str, list[object]] = defaultdict(list)
    for p, o in page.g.predicate_objects(node):
        if str(p) not in _SHOWN and not isinstance(o, BNode):
            grouped[str(p)].append(o)
    return [page.row(page.label(p), objs) for p, objs in sorted(grouped.items(), key=lambda kv: page.label(kv[0]))]


def render_html(graph: rdflib.Graph, origin: dict[str, str]) -> tuple[str, int, int]:
    from rdflib import URIRef

    page = _Page(graph, origin)
    U = URIRef
    classes = sorted({str(c) for c in graph.subjects(U(RDF + "type"), U(OWL + "Class")) if isinstance(c, URIRef)},
                     key=lambda i: page.label(i).lower())
    props = {kind: sorted({str(p) for p in graph.subjects(U(RDF + "type"), U(kind)) if isinstance(p, URIRef)},
                          key=lambda i: page.label(i).lower()) for kind, _, _ in PROPERTY_KINDS}
    sources = sorted({str(s) for s in graph.subjects(U(RDF + "type"), U("https://w3id.org/painkg/Source"))},
                     key=lambda i: page.value(U(i), DCTERMS + "identifier") or i)
    shapes = sorted({str(s) for s in graph.subjects(U(RDF + "type"), U(SH + "NodeShape")) if isinstance(s, URIRef)})
    page.documented = set(classes) | {p for ps in props.values() for p in ps} | set(sources) | set(shapes)

    class_html = []
    for iri in classes:
        node = U(iri)
        rows = [
            page.row("Superclasses", graph.objects(node, U(RDFS + "subClassOf"))),
            page.row("Subclasses", graph.subjects(U(RDFS + "subClassOf"), node)),
            page.row("Equivalent to", graph.objects(node, U(OWL + "equivalentClass"))),
            page.row("Disjoint with", set(graph.objects(node, U(OWL + "disjointWith")))
                     | set(graph.subjects(U(OWL + "disjointWith"), node))),
            page.row("Types (punned individual)",
                     [t for t in graph.objects(node, U(RDF + "type"))
                      if str(t) not in (OWL + "Class", OWL + "NamedIndividual")]),
            page.row("In domain of", graph.subjects(U(RDFS + "domain"), node)),
            page.row("In range of", graph.subjects(U(RDFS + "range"), node)),
            *_relations(page, node),
        ]
        class_html.append(page.entity(iri, "class", rows))

    prop_html: dict[str, list[str]] = {}
    for kind, _, _ in PROPERTY_KINDS:
        out = []
        for iri in props[kind]:
            node = U(iri)
            traits = [c for c in CHARACTERISTICS if (node, U(RDF + "type"), U(OWL + c)) in graph]
            rows = [
                page.row("Domain", graph.objects(node, U(RDFS + "domain"))),
                page.row("Range", graph.objects(node, U(RDFS + "range"))),
                page.row("Sub-property of", graph.objects(node, U(RDFS + "subPropertyOf"))),
                page.row("Sub-properties", graph.subjects(U(RDFS + "subPropertyOf"), node)),
                page.row("Inverse of", set(graph.objects(node, U(OWL + "inverseOf")))
                         | set(graph.subjects(U(OWL + "inverseOf"), node))),
                page.row("Property chains", graph.objects(node, U(OWL + "propertyChainAxiom"))),
                f"<tr><th>Characteristics</th><td>{', '.join(traits)}</td></tr>" if traits else "",
            ]
            out.append(page.entity(iri, kind.rsplit("#", 1)[-1], rows))
        prop_html[kind] = out

    shape_html = [
        page.entity(iri, "SHACL shape", [page.row("Target class", graph.objects(U(iri), U(SH + "targetClass")))])
        for iri in shapes
    ]
    source_html = [
        page.entity(iri, "source", [
            f"<tr><th>Identifier</th><td>{escape(page.value(U(iri), DCTERMS + 'identifier'))}</td></tr>",
            page.row("See also", graph.objects(U(iri), U(RDFS + "seeAlso"))),
        ])
        for iri in sources
    ]

    ontology = next(iter(graph.subjects(U(RDF + "type"), U(OWL + "Ontology"))), None)
    title = page.value(ontology, DCTERMS + "title") if ontology is not None else "painkg"
    header_rows = ""
    if ontology is not None:
        for name, prop in (("IRI", None), ("Version", OWL + "versionInfo"), ("Version IRI", OWL + "versionIRI"),
                           ("Description", DCTERMS + "description"), ("Licence", DCTERMS + "license"),
                           ("Creator", DCTERMS + "creator"), ("Note", RDFS + "comment")):
            value = str(ontology) if prop is None else page.value(ontology, prop)
            if value:
                header_rows += f"<tr><th>{name}</th><td>{escape(value)}</td></tr>"
    toc_sections = [("classes", "Classes", classes)] + [
        (anchor, name, props[kind]) for kind, name, anchor in PROPERTY_KINDS
    ] + [("shapes", "SHACL shapes", shapes), ("sources", "Sources", sources)]
    toc = "".join(
        f'<li><a href="#{a}">{escape(n)}</a> ({len(items)})<ul class="cols">'
        + "".join(f'<li><a href="#{escape(_anchor(i))}">{escape(page.label(i))}</a></li>' for i in items)
        + "</ul></li>"
        for a, n, items in toc_sections
    )
    body = '<h2 id="classes">Classes</h2>\n' + "\n".join(class_html)
    for kind, name, anchor in PROPERTY_KINDS:
        body += f'\n<h2 id="{anchor}">{name}</h2>\n' + "\n".join(prop_html[kind])
    body += '\n<h2 id="shapes">SHACL shapes</h2>\n' + "\n".join(shape_html)
    body += '\n<h2 id="sources">Sources</h2>\n' + "\n".join(source_html)
    n_props = sum(len(v) for v in props.values())
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: ontology reference</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; color: #111827; line-height: 1.45; }}
h2 {{ border-bottom: 2px solid #e5e7eb; margin-top: 2.5rem; }}
h3 {{ margin-bottom: .3rem; }} h3 small {{ color: #6b7280; font-weight: normal; font-size: .75rem; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1rem; }}
th {{ text-align: left; vertical-align: top; width: 12rem; color: #374151; padding: .2rem .6rem .2rem 0; }}
td {{ padding: .2rem 0; }}
section.entity {{ border-left: 4px solid #dbeafe; padding-left: .8rem; margin: 1rem 0; }}
section.ObjectProperty, section.DatatypeProperty, section.AnnotationProperty {{ border-color: #fef3c7; }}
ul.cols {{ columns: 3; font-size: .9rem; }}
code {{ font-size: .85rem; }} a {{ color: #1d4ed8; text-decoration: none; }}
</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p>Reference documentation generated by <code>painkg docs</code> from the curated ontology files
({", ".join(escape(p) for p in sorted(set(origin.values())))}): {len(classes)} classes and {n_props} properties.</p>
<table>{header_rows}</table>
<h2>Contents</h2>
<ul>{toc}</ul>
{body}
</body>
</html>
"""
    return html, len(classes), n_props


def write_docs(out_dir: str | Path, files: Iterable[Path] | None = None) -> DocsResult:
    """Write ``index.html`` (and nothing else) into ``out_dir``."""
    graph, origin = load(files)
    html, n_classes, n_props = render_html(graph, origin)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(html, encoding="utf-8")
    return DocsResult(index, n_classes, n_props)
