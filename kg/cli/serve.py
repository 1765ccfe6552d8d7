"""`painkg serve [--host 127.0.0.1] [--port 8000]`."""

from __future__ import annotations

import click

from kg.cli.errors import handle_errors


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds a /sparql query may run.")
@click.option("--max-rows", default=10_000, show_default=True, type=int, help="Rows (or triples) a /sparql answer may hold.")
@click.option("--max-body", default=256 * 1024, show_default=True, type=int, help="Bytes a request body may hold.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each holds one core; the store is shared read-only).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@handle_errors(fmt_param=None)
def serve(host: str, port: int, timeout: float, max_rows: int, max_body: int, processes: int,
          log_level: str) -> None:
    """Serve the graph over HTTP: /sparql (SPARQL 1.1), /check, /lookup, /suggest,
    /cds-services (CDS Hooks 2.0), /health and /docs (OpenAPI)."""
    try:
        from kg.server.app import serve as run
    except ImportError as exc:
        raise click.ClickException(
            f"`painkg serve` needs the serve extra ({exc.name} is missing): pip install 'painkg[serve]'"
        ) from exc
    from kg.server.limits import Limits

    run(host, port, Limits(timeout=timeout, max_rows=max_rows, max_body=max_body), log_level=log_level,
        processes=processes)
