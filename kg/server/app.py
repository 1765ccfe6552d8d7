"""The painkg ASGI app: /sparql (SPARQL 1.1 Protocol), REST, CDS Hooks 2.0, /health.

One read-only pyoxigraph store is shared by the REST and CDS Hooks requests. /sparql queries
run in ``Limits.workers`` worker processes (kg.server.query_pool), each with the store open
read-only: a query still running at its time limit is answered 503 and its worker killed and
replaced. Requests wait for a free worker within their own time limit. (An in-memory store,
which other processes cannot open, runs queries in daemon threads that are abandoned, not
killed, at the deadline; they stop at the next row they yield.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg import __version__
from kg.answers import AnswerIndex
from kg.backends.oxigraph import OxigraphBackend
from kg.errors import KGError
from kg.graph import PainKG
from kg.server import cds_hooks, rest
from kg.server import sparql_protocol as sp
from kg.server.limits import Limits, ProtocolError
from kg.server.query_pool import QueryPool, QueryTimeout

access_log = logging.getLogger("painkg.access")
log = logging.getLogger("painkg.server")


@dataclass
class Service:
    store: ox.Store
    kg: PainKG
    limits: Limits
    slots: threading.BoundedSemaphore
    triples: int
    store_path: str
    pool: QueryPool | None = None  # worker processes when the store is on disk


class AccessLog:
    """ASGI middleware: one JSON line per request (method, path, status, milliseconds, client)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            client = scope.get("client") or ("-", 0)
            access_log.info(json.dumps({
                "method": scope["method"], "path": scope["path"], "status": status["code"],
                "ms": round((time.perf_counter() - started) * 1000, 1), "client": client[0],
            }))


def error_response(exc: ProtocolError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, "body-too-large", f"request body over the {limit:,}-byte limit")
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, "body-too-large", f"request body over the {limit:,}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(store_path: str | Path | None = None, limits: Limits | None = None,
               store: ox.Store | None = None) -> FastAPI:
    limits = limits or Limits()
    if store is None:
        if store_path is None:
            from kg.build.builder import ensure_store

            store_path = ensure_store()
        store = ox.Store.read_only(str(store_path))
    service = Service(
        store=store,
        kg=PainKG(OxigraphBackend(store=store),
                  answers=AnswerIndex.open(str(store_path)) if store_path is not None else None),
        limits=limits,
        slots=threading.BoundedSemaphore(limits.workers),
        triples=len(store),
        store_path=str(store_path or "in-memory"),
        pool=QueryPool(str(store_path), limits) if store_path is not None else None,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        log.info("painkg serving %s triples from %s", f"{service.triples:,}", service.store_path)
        yield
        if service.pool is not None:
            service.pool.close()
        log.info("painkg server stopped")

    app = FastAPI(
        title="painkg",
        version=__version__,
        description="Is this CPT/HCPCS procedure aligned with (and medically necessary for) this "
                    "ICD-10-CM diagnosis? Deterministic answers with reasoning paths and citations. "
                    "Advisory only.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(AccessLog)

    @app.exception_handler(ProtocolError)
    async def _protocol(_: Request, exc: ProtocolError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(KGError)
    async def _kg(_: Request, exc: KGError) -> JSONResponse:
        return error_response(rest.as_protocol_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return error_response(ProtocolError(exc.status_code, code, str(exc.detail)), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error_response(ProtocolError(400, "invalid-request", f"{where}: {first.get('msg', 'invalid')}"))

    # --- operations ----------------------------------------------------------------------

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, Any]:
        """Liveness and what is served."""
        return {"status": "ok", "version": __version__, "triples": service.triples}

    # --- REST ----------------------------------------------------------------------------

    @app.get("/check", tags=["rest"])
    def check(procedure: str, diagnosis: Annotated[list[str], Query()] = []) -> dict[str, Any]:  # noqa: B006
        """Exactly the `painkg check --format json` document."""
        return rest.check_document(service.kg, procedure, diagnosis)

    @app.get("/lookup/{code}", tags=["rest"])
    def lookup(code: str) -> dict[str, Any]:
        """Everything the graph knows about an ICD-10-CM or CPT/HCPCS code."""
        return rest.lookup_document(service.kg, code)

    @app.get("/suggest/{diagnosis}", tags=["rest"])
    def suggest(diagnosis: str) -> list[dict[str, str]]:
        """Procedures aligned with a diagnosis, ranked."""
        return rest.suggest_document(service.kg, diagnosis)

    # --- CDS Hooks 2.0 -------------------------------------------------------------------

    @app.get("/cds-services", tags=["cds-hooks"])
    def cds_discovery() -> dict[str, Any]:
        """CDS Hooks discovery: the order-select and order-sign services."""
        return cds_hooks.discovery()

    @app.post("/cds-services/{service_id}", tags=["cds-hooks"])
    async def cds_call(service_id: str, request: Request) -> JSONResponse:
        """Cards for the draft ServiceRequests of a hook request."""
        body = await read_body(request, limits.max_body)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProtocolError(400, "invalid-json", "the request body is not JSON") from exc
        answer = await asyncio.to_thread(cds_hooks.respond, service.kg, service_id, payload)
        return JSONResponse(answer)

    # --- SPARQL 1.1 Protocol -------------------------------------------------------------

    async def sparql(request: Request) -> Response:
        """SPARQL 1.1 Protocol query endpoint (read-only). GET with no query: a service
        description (or an HTML query page for browsers)."""
        params = parse_qs(request.url.query, keep_blank_values=True)
        query: str | None = None
        if request.method == "POST":
            body = await read_body(request, limits.max_body)
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                raise ProtocolError(403, "update-refused", "SPARQL Update is not allowed: this endpoint is read-only")
            if ctype == "application/sparql-query":
                query = body.decode("utf-8", "replace")
            elif ctype == "application/x-www-form-urlencoded":
                for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            else:
                raise ProtocolError(415, "unsupported-media-type",
                                    "POST a query as application/sparql-query or application/x-www-form-urlencoded")
        elif len(request.url.query) > limits.max_body:
            raise ProtocolError(414, "uri-too-long", f"query string over the {limits.max_body:,}-byte limit")
        if "update" in params:
            raise ProtocolError(403, "update-refused", "SPARQL Update is not allowed: this endpoint is read-only")
        if query is None:
            queries = params.get("query", [])
            if len(queries) > 1:
                raise ProtocolError(400, "malformed-request", "give exactly one query parameter")
            query = queries[0] if queries else None
        accept = request.headers.get("accept")
        if not query:
            if "text/html" in (accept or "") and request.method == "GET":
                return HTMLResponse(sp.QUERY_PAGE)
            return Response(sp.service_description(str(request.url.replace(query=""))),
                            media_type="text/turtle; charset=utf-8")
        form = sp.guard(query)
        short = (params.get("format") or params.get("output") or [None])[0]
        key = sp.negotiate(form, accept, short)
        return await run_query(query, key, params.get("default-graph-uri", []), params.get("named-graph-uri", []))

    async def run_query(query: str, key: str, default_graphs: list[str], named_graphs: list[str]) -> Response:
        try:
            if service.pool is not None:
                payload, truncated = await service.pool.run(query, key, default_graphs, named_graphs)
            else:
                payload, truncated = await run_in_thread(query, key, default_graphs, named_graphs)
        except (QueryTimeout, sp.QueryTimeout):
            return error_response(
                ProtocolError(503, "query-timeout", f"the query ran over the {limits.timeout:g} s time limit"),
                headers={"Retry-After": "1"},
            )
        headers = {"X-SPARQL-MaxRows": str(limits.max_rows)} if truncated else {}
        return Response(payload, media_type=sp.MEDIA[key], headers=headers)

    async def run_in_thread(query: str, key: str, default_graphs: list[str],
                            named_graphs: list[str]) -> tuple[bytes, bool]:
        """In-memory stores: a daemon thread per query, abandoned (not killed) at the deadline."""
        deadline = time.monotonic() + limits.timeout
        while not service.slots.acquire(blocking=False):  # queue for a worker, within the time limit
            if time.monotonic() > deadline:
                raise ProtocolError(503, "busy", "every query worker is busy; retry shortly")
            await asyncio.sleep(0.002)
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def deliver(outcome: Any, failed: bool) -> None:
            if not future.done():
                (future.set_exception if failed else future.set_result)(outcome)

        def work() -> None:
            try:
                answer = sp.execute(service.store, query, limits, deadline, default_graphs, named_graphs)
                outcome, failed = (sp.serialise(answer, key), answer.truncated), False
            except BaseException as exc:  # noqa: BLE001  (handed to the request, re-raised there)
                outcome, failed = exc, True
            finally:
                service.slots.release()
            try:
                loop.call_soon_threadsafe(deliver, outcome, failed)
            except RuntimeError:  # the loop closed while an abandoned query ran
                pass

        # a daemon thread per query: an abandoned query never blocks shutdown
        threading.Thread(target=work, name="sparql-query", daemon=True).start()
        try:
            return await asyncio.wait_for(future, timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise sp.QueryTimeout from None

    for method in ("GET", "POST"):  # one handler, one OpenAPI operation id per method
        app.add_api_route("/sparql", sparql, methods=[method], tags=["sparql"],
                          operation_id=f"sparql_{method.lower()}")

    return app


ENV_LIMITS = "PAINKG_SERVE_LIMITS"  # how `serve --processes N` hands the limits to each worker


def app_from_environment() -> FastAPI:
    """App factory for uvicorn worker processes (limits come as JSON in the environment)."""
    settings = json.loads(os.environ.get(ENV_LIMITS, "{}"))
    configure_logging(settings.pop("log_level", "info"))
    return create_app(settings.pop("store_path", None), Limits(**settings))


def configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")


def serve(host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None,
          store_path: str | None = None, log_level: str = "info", processes: int = 1) -> None:
    """Run the app under uvicorn until SIGINT/SIGTERM (which finish in-flight requests).
    With ``processes`` > 1, uvicorn runs that many worker processes, each with the store open
    read-only (Python holds one core per process)."""
    import dataclasses

    import uvicorn

    configure_logging(log_level)
    limits = limits or Limits()
    options = {"host": host, "port": port, "access_log": False, "log_level": log_level,
               "timeout_graceful_shutdown": 10}
    if processes > 1:
        if store_path is None:
            from kg.build.builder import ensure_store

            store_path = str(ensure_store())
        os.environ[ENV_LIMITS] = json.dumps({**dataclasses.asdict(limits), "store_path": str(store_path),
                                           "log_level": log_level})
        uvicorn.run("kg.server.app:app_from_environment", factory=True, workers=processes, **options)
    else:
        uvicorn.run(create_app(store_path, limits), **options)
