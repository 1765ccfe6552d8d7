"""`painkg query NAME --param k=v` and `painkg sparql QUERY|FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.errors import handle_errors
from kg.cli.options import current_kg
from kg.errors import InputError

results_format = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
    show_default=True, help="json = SPARQL 1.1 Query Results JSON.",
)


@click.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind a parameter (repeatable).")
@results_format
@handle_errors(fmt_param=None)
def query(name: str | None, params: tuple[str, ...], fmt: str) -> None:
    """Run the named query queries/NAME.rq (no NAME: list them)."""
    from kg import queries
    from kg.graph import PainKG
    from kg.results_format import render

    if not name:
        for q in queries.catalogue() + queries.catalogue("qc"):
            names = " ".join(f"{p.name}=" for p in q.params)
            click.echo(f"{q.name:28} {q.title}  {names}")
        return
    bound = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--param {item!r} must be NAME=VALUE, e.g. --param diagnosisCode=M54.51")
        bound[key.strip()] = value
    click.echo(render((current_kg() or PainKG.default()).run(name, **bound), fmt))


@click.command()
@click.argument("text")
@results_format
@handle_errors(fmt_param=None)
def sparql(text: str, fmt: str) -> None:
    """Run an ad-hoc SELECT query given as text or as a FILE path."""
    from kg.graph import PainKG
    from kg.results_format import render

    path = Path(text)
    if path.suffix in (".rq", ".sparql") and path.is_file():
        text = path.read_text(encoding="utf-8")
    try:
        result = (current_kg() or PainKG.default()).backend.select(text)
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"the query failed: {str(exc).splitlines()[0]}") from exc
    click.echo(render(result, fmt))
