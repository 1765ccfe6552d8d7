"""`painkg suggest DIAGNOSIS`."""

from __future__ import annotations

import json

import click

from kg.cli.errors import handle_errors
from kg.cli.options import current_kg, format_option


@click.command()
@click.argument("diagnosis")
@format_option
@handle_errors()
def suggest(diagnosis: str, fmt: str) -> None:
    """Procedures aligned with DIAGNOSIS, ranked, with one-line reasons."""
    from kg.suggest import suggest as run

    rows = run(diagnosis, current_kg())
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"No procedure in painkg is aligned with {diagnosis}.")
    for i, r in enumerate(rows, 1):
        click.echo(f"{i:2}. {r['code']}  {r['label']}  [{r['verdict']}]  {r['reason']}")
