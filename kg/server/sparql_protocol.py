"""SPARQL 1.1 Protocol over the read-only embedded store: guard, run, negotiate, serialise.

The guard runs before pyoxigraph sees a query. It decodes \\u escapes (as a SPARQL
parser does), drops strings, IRIs, comments, variables and prefixed names, and refuses
any query whose remaining keywords include SERVICE (the store would fetch the URL),
LOAD or any UPDATE operation. It is deliberately stricter than the grammar.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.server.limits import Limits, ProtocolError

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r'''(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')'''
    r'''|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'''
    r'''|(?P<comment>\#[^\n\r]*)'''
    r'''|(?P<var>[?$][^\s{}()\[\];,.=<>!|&+*/^"'#]*)'''
    r'''|(?P<pname>[A-Za-z\u00C0-\U000EFFFF][\w.\-\u00B7]*:[^\s{}();,\[\]"'<>]*|:[^\s{}();,\[\]"'<>]*)'''
    r'''|(?P<word>[A-Za-z]+)'''
    r'''|(?P<other>.)''',
    re.DOTALL,
)
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


def keywords(query: str) -> list[str]:
    """The bare words of a query (keywords and function names), upper-cased."""
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return [m.group("word").upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def guard(query: str) -> str:
    """Refuse what a read-only public endpoint must not run; return the query form."""
    words = keywords(query)
    if "SERVICE" in words:
        raise ProtocolError(403, "service-refused", "SERVICE (federated query) is not allowed on this endpoint")
    if "LOAD" in words:
        raise ProtocolError(403, "load-refused", "LOAD is not allowed: this endpoint is read-only")
    if UPDATE_WORDS.intersection(words):
        raise ProtocolError(403, "update-refused", "SPARQL Update is not allowed: this endpoint is read-only")
    form = next((w for w in words if w in FORMS), None)
    if form is None:
        raise ProtocolError(400, "malformed-query", "not a SPARQL query: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    return form


# --- content negotiation -------------------------------------------------------------------

RESULT_TYPES = {  # SELECT / ASK
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {  # CONSTRUCT / DESCRIBE
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
}
SHORT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "ttl": "ttl",
               "nt": "nt", "ntriples": "nt", "n-triples": "nt", "jsonld": "jsonld", "json-ld": "jsonld"}
MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
         "ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples", "jsonld": "application/ld+json"}
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


def parse_accept(accept: str | None) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped)."""
    ranked = []
    for position, part in enumerate((accept or "*/*").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in pieces[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if pieces[0] and q > 0:
            ranked.append((-q, position, pieces[0].lower()))
    return [media for _, _, media in sorted(ranked)]


def negotiate(form: str, accept: str | None, short: str | None = None) -> str:
    """The serialisation key for a query form, from ``format=`` or the Accept header."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_TYPES if graph else RESULT_TYPES
    if short:
        key = SHORT_NAMES.get(short.lower())
        if graph and key == "json":
            key = "jsonld"
        if key in table.values():
            return key
    default = "ttl" if graph else "json"
    for media in parse_accept(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*") or (media == "text/*" and graph):
            return default
        if media == "text/*":
            return "csv"
    wanted = "RDF (text/turtle, application/n-triples, application/ld+json)" if graph else \
        "SPARQL results (JSON, XML, CSV, TSV)"
    raise ProtocolError(406, "not-acceptable", f"cannot answer {form} with {accept!r}; ask for {wanted}")


# --- execution -------------------------------------------------------------------------------


class QueryTimeout(Exception):
    pass


@dataclass
class Answer:
    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[object | None]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False


def _bounded(items: Iterable, answer: Answer, limits: Limits, deadline: float) -> Iterator:
    """Yield at most ``limits.max_rows`` items (marking ``answer`` truncated); stop at ``deadline``."""
    for count, item in enumerate(items):
        if count >= limits.max_rows:
            answer.truncated = True
            return
        if count % 256 == 0 and time.monotonic() > deadline:
            raise QueryTimeout
        yield item


def execute(store: ox.Store, query: str, limits: Limits, deadline: float,
            default_graphs: list[str] = (), named_graphs: list[str] = ()) -> Answer:
    """Run a guarded query, stopping at ``limits.max_rows`` rows or at ``deadline``."""
    form = guard(query)
    options: dict = {"use_default_graph_as_union": not default_graphs}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(query, **options)
    except SyntaxError as exc:
        raise ProtocolError(400, "malformed-query", f"SPARQL syntax error: {str(exc).splitlines()[0]}") from exc
    except (ValueError, OSError) as exc:
        raise ProtocolError(400, "query-error", str(exc).splitlines()[0]) from exc
    if isinstance(result, ox.QueryBoolean):
        return Answer("ASK", boolean=bool(result))
    answer = Answer(form)
    try:
        if isinstance(result, ox.QuerySolutions):
            answer.form = "SELECT"
            answer.variables = [v.value for v in result.variables]
            answer.rows.extend([solution[name] for name in answer.variables]
                               for solution in _bounded(result, answer, limits, deadline))
        else:
            answer.triples.extend(_bounded(result, answer, limits, deadline))
    except (ValueError, OSError) as exc:  # evaluation errors surface while iterating
        raise ProtocolError(400, "query-error", str(exc).splitlines()[0]) from exc
    finally:
        del result  # pyoxigraph results are unsendable: drop them on this thread
    return answer


# --- serialisation ---------------------------------------------------------------------------


def _json_term(node: object) -> dict[str, str]:
    if isinstance(node, ox.NamedNode):
        return {"type": "uri", "value": node.value}
    if isinstance(node, ox.BlankNode):
        return {"type": "bnode", "value": node.value}
    if isinstance(node, ox.Literal):
        out = {"type": "literal", "value": node.value}
        if node.language:
            out["xml:lang"] = node.language
        elif node.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = node.datatype.value
        return out
    return {"type": "literal", "value": str(node)}


def _xml_term(node: object) -> str:
    if isinstance(node, ox.NamedNode):
        return f"<uri>{escape(node.value)}</uri>"
    if isinstance(node, ox.BlankNode):
        return f"<bnode>{escape(node.value)}</bnode>"
    if isinstance(node, ox.Literal):
        if node.language:
            return f"<literal xml:lang={quoteattr(node.language)}>{escape(node.value)}</literal>"
        if node.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(node.datatype.value)}>{escape(node.value)}</literal>"
        return f"<literal>{escape(node.value)}</literal>"
    return f"<literal>{escape(str(node))}</literal>"


def serialise(answer: Answer, key: str) -> bytes:
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        return ox.serialize(answer.triples, format=RDF_FORMATS[key]) or b""
    if answer.form == "ASK":
        if key == "json":
            return json.dumps({"head": {}, "boolean": answer.boolean}).encode()
        if key == "xml":
            value = "true" if answer.boolean else "false"
            return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{value}</boolean></sparql>\n").encode()
        raise ProtocolError(406, "not-acceptable", "an ASK answer is available as JSON or XML only")
    names = answer.variables
    if key == "json":
        bindings = [
            {n: _json_term(v) for n, v in zip(names, row) if v is not None} for row in answer.rows
        ]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode()
    if key == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(n)}/>" for n in names]
        out.append("</head>\n<results>")
        for row in answer.rows:
            cells = "".join(f"<binding name={quoteattr(n)}>{_xml_term(v)}</binding>"
                            for n, v in zip(names, row) if v is not None)
            out.append(f"<result>{cells}</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode()
    buffer = io.StringIO()
    if key == "csv":
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        for row in answer.rows:
            writer.writerow(["" if v is None else getattr(v, "value", str(v)) for v in row])
    else:  # tsv: terms in N-Triples/Turtle syntax
        buffer.write("\t".join("?" + n for n in names) + "\n")
        for row in answer.rows:
            buffer.write("\t".join("" if v is None else str(v) for v in row) + "\n")
    return buffer.getvalue().encode()


def service_description(endpoint_url: str) -> bytes:
    """An sd:Service description of this endpoint (Turtle)."""
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{endpoint_url}> a sd:Service ;
    sd:endpoint <{endpoint_url}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
        <http://www.w3.org/ns/formats/SPARQL_Results_XML>, <http://www.w3.org/ns/formats/SPARQL_Results_CSV>,
        <http://www.w3.org/ns/formats/SPARQL_Results_TSV>, <http://www.w3.org/ns/formats/Turtle>,
        <http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/JSON-LD> ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultDataset [ a sd:Dataset ;
        sd:namedGraph [ sd:name <https://w3id.org/painkg/graph/curated> ],
            [ sd:name <https://w3id.org/painkg/graph/icd10cm> ],
            [ sd:name <https://w3id.org/painkg/graph/derived> ],
            [ sd:name <https://w3id.org/painkg/graph/owl-inferred> ] ] ;
    dcterms:title "painkg read-only SPARQL 1.1 endpoint" ;
    dcterms:description "Read-only: UPDATE, LOAD and SERVICE are refused; queries are time- and row-limited." .
""".encode()


QUERY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>painkg SPARQL</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}textarea{width:100%;height:16em;font-family:monospace}</style>
</head><body>
<h1>painkg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 over the painkg knowledge graph (curated ontology, ICD-10-CM, derived and
OWL-inferred triples; the default graph is their union). UPDATE, LOAD and SERVICE are refused.</p>
<form method="get" action="sparql">
<textarea name="query">PREFIX pk: &lt;https://w3id.org/painkg/&gt;
PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;
SELECT ?code ?label WHERE {
  ?procedure pk:cptCode ?code ; rdfs:label ?label .
} ORDER BY ?code LIMIT 20</textarea>
<p><label>Format <select name="format">
<option value="json">JSON</option><option value="xml">XML</option><option value="csv">CSV</option>
<option value="tsv">TSV</option><option value="ttl">Turtle (CONSTRUCT)</option>
<option value="nt">N-Triples (CONSTRUCT)</option><option value="jsonld">JSON-LD (CONSTRUCT)</option>
</select></label> <button type="submit">Run</button></p>
</form></body></html>
"""
