"""A remote SPARQL 1.1 endpoint as a backend: the same named queries, over HTTP.

Queries are sent by POST (``application/x-www-form-urlencoded``, SPARQL 1.1
Protocol) asking for SPARQL 1.1 Query Results JSON. Any transport or protocol
failure becomes a one-line :class:`kg.errors.BackendError`.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request

from kg.backends.base import Result, Term
from kg.backends.binding import bind
from kg.errors import BackendError

RESULTS_JSON = "application/sparql-results+json"


def _term(binding: dict) -> Term:
    kind = binding.get("type")
    if kind == "typed-literal":  # SPARQL 2005 JSON (Virtuoso still sends it)
        kind = "literal"
    if kind not in ("uri", "literal", "bnode"):
        raise BackendError(f"the endpoint sent an RDF term of unknown type {kind!r}")
    return Term(kind, str(binding.get("value", "")), binding.get("datatype"), binding.get("xml:lang"))


def parse_results(document: dict) -> Result:
    """SPARQL 1.1 Query Results JSON (a SELECT answer) -> Result."""
    try:
        variables = list(document["head"]["vars"])
        rows = [
            {name: _term(value) for name, value in binding.items()}
            for binding in document["results"]["bindings"]
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackendError("the endpoint's answer is not a SPARQL SELECT result") from exc
    return Result(variables, rows)


class SPARQLEndpointBackend:
    name = "endpoint"

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise BackendError(f"--endpoint {url!r} must be an http:// or https:// URL")
        self.url = url
        self.timeout = timeout

    def select(self, query_text: str, params: dict[str, str] | None = None) -> Result:
        return parse_results(self._post(bind(query_text, params)))

    def _post(self, query: str) -> dict:
        body = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_JSON},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip().splitlines()
            hint = f": {detail[0][:200]}" if detail else ""
            raise BackendError(f"SPARQL endpoint {self.url} answered HTTP {exc.code}{hint}") from exc
        except TimeoutError as exc:
            raise BackendError(f"SPARQL endpoint {self.url} did not answer within {self.timeout:g} s") from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise BackendError(f"SPARQL endpoint {self.url} did not answer within {self.timeout:g} s") from exc
            raise BackendError(f"cannot reach SPARQL endpoint {self.url}: {reason}") from exc
        except OSError as exc:
            raise BackendError(f"cannot reach SPARQL endpoint {self.url}: {exc}") from exc
        try:
            return json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BackendError(f"SPARQL endpoint {self.url} did not answer with SPARQL JSON results") from exc
