"""Reusable click options."""

from __future__ import annotations

import click

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def current_kg():  # -> kg.graph.PainKG | None (kept untyped: no import at CLI start-up)
    """The graph the root `--endpoint URL` option selects, or None for the embedded store."""
    ctx = click.get_current_context(silent=True)
    endpoint = (ctx.find_root().obj or {}).get("endpoint") if ctx else None
    if not endpoint:
        return None
    from kg.backends.endpoint import SPARQLEndpointBackend
    from kg.graph import PainKG

    return PainKG(SPARQLEndpointBackend(endpoint))
