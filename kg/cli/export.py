"""`painkg export --format nt|ttl|jsonld [-o FILE]`."""

from __future__ import annotations

import sys

import click

from kg.cli.errors import handle_errors


@click.command()
@click.option("--format", "fmt", type=click.Choice(["nt", "ttl", "jsonld"]), default="nt", show_default=True,
              help="N-Triples, Turtle or JSON-LD.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@handle_errors(fmt_param=None)
def export(fmt: str, output: str | None) -> None:
    """Write the whole graph (curated, ICD-10-CM, derived and OWL-inferred triples) for loading
    into any triplestore."""
    from kg.export import export as run

    if output:
        count = run(output, fmt)
        click.echo(f"painkg: wrote {count:,} triples to {output}", err=True)
    else:
        run(sys.stdout.buffer, fmt)
        sys.stdout.buffer.flush()
