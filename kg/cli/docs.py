"""`painkg docs -o DIR`: ontology reference documentation (HTML)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.errors import handle_errors


@click.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("docs/ontology"), show_default=True, help="Directory to write index.html into.")
@handle_errors(fmt_param=None)
def docs(out_dir: Path) -> None:
    """Write the ontology reference (every class, property, shape and source) as HTML."""
    from kg.docs import write_docs

    result = write_docs(out_dir)
    click.echo(f"wrote {result.index} ({result.classes} classes, {result.properties} properties)")
